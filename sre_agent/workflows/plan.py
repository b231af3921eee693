"""The retrieval plan: what the refine step makes of a question, and what retrieve executes."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from sre_agent.models import TimeWindow


class RetrievalPlan(BaseModel):
    """A question turned into search text and filters. Every field says why it is there in `notes`."""

    question: str
    query_text: str = Field(description="text for the full-text search: the question plus expansions")
    meaning_text: str | None = Field(
        default=None,
        description="text for the vector search: the question's own words, without the vocabulary's "
        "(those are the logs' words, for the full-text search); None: query_text",
    )
    expansions: list[str] = Field(default_factory=list, description="words the service vocabulary added")
    suggested: list[str] = Field(
        default_factory=list,
        description="words an LLM expects the matching lines to hold ('Accepted password'): exact phrases "
        "that rank first, like the question's own numbers, when few lines hold them",
    )
    jargon: list[str] = Field(
        default_factory=list,
        description="the logs' usual words for what the question says in plain words ('ram' → 'OOMKilled', "
        "`ops_words`): the few lines holding one rank before the question's hybrid hits",
    )
    identifiers: list[str] = Field(
        default_factory=list, description="exact strings (ids, quoted phrases): lines holding them rank first"
    )
    terms: list[str] = Field(
        default_factory=list,
        description="numbers and short ids of the question ('5433', 'port 5433'): lexical signals that "
        "rank a line above others of its shape",
    )
    field_filters: dict[str, str] = Field(
        default_factory=dict, description="column -> value, e.g. user_id -> 123"
    )
    window: TimeWindow | None = None
    day: date | None = Field(
        default=None, description="the day the question named, in the logs' clock (the thread's day after it)"
    )
    window_at_moment: bool = Field(
        default=False,
        description="the window is the time around a moment the question named ('around 14:40', "
        "'at 3pm'), not a span it asked about ('between 14:00 and 15:00')",
    )
    window_by_clock: bool = Field(
        default=False, description="the question gave its window in clock times ('between 09:31 and 09:32')"
    )
    window_alternatives: list[TimeWindow] = Field(
        default_factory=list, description="other readings of the time phrase, tried when the window is empty"
    )
    utc_offset: int | None = Field(
        default=None, description="minutes east of UTC the question's clock times were read in (the logs')"
    )
    min_level: str | None = None
    prefer_level: str | None = Field(
        default=None, description="rank lines at this level or worse first, without filtering the rest out"
    )
    broad: bool = Field(default=False, description="asks what went wrong in a window, not for one message")
    asks_what_went_wrong: bool = Field(
        default=False, description="asks what went wrong (not what something did), whatever it names"
    )
    asks_about_changes: bool = Field(
        default=False, description="asks what changed (a deploy, a rollout, a config): those lines first"
    )
    asks_about_buildup: bool = Field(
        default=False,
        description="asks what was building up, or since when: lines whose number climbs report by report "
        "(`trends`) come right after what it names",
    )
    asks_about_restarts: bool = Field(
        default=False,
        description="asks about something going down and coming back: lines that say a stop, start or "
        "return (`restarts`) come right after what it names",
    )
    tells_a_story: bool = Field(
        default=False,
        description="asks what something did in a window ('what did pid 13 log on nov 11?'), not what went "
        "wrong: the lines of the numbers and ids it names come first",
    )
    excluded: list[str] = Field(
        default_factory=list,
        description="what the question sets aside ('besides root', 'other than api3'): not searched for, "
        "and the lines that say it come after the others",
    )
    environment: str | None = None
    referent: str | None = Field(
        default=None,
        description="how a follow-up's 'that box' was read: the host(s) put in `identifiers` (`referents`)",
    )
    before_then: bool = Field(
        default=False,
        description="the window is the time before the thread's last one ('already … before it died', "
        "`precursors`): not remembered as the thread's window",
    )
    trouble_shapes: list[str] = Field(
        default_factory=list,
        description="with `before_then`: the shapes of the trouble the thread found, whose earlier lines "
        "come right after what the question names (`precursors`); with `asks_about_recovery`: whose "
        "last lines come first (`recovery`)",
    )
    asks_about_recovery: bool = Field(
        default=False,
        description="asks whether the trouble is over ('did it recover?', 'still failing?'): the "
        "trouble's last lines and what came right after them first (`recovery`)",
    )
    asks_since_when: bool = Field(
        default=False, description="asks when something began: within a shape, the oldest lines first"
    )
    asks_where: bool = Field(
        default=False,
        description="asks on which hosts something happens: each host's first line of what it names first",
    )
    window_referent: str | None = Field(
        default=None,
        description="how a follow-up's 'in that same run' was read: the thread's last window (`referents`)",
    )
    read_notes: list[str] = Field(
        default_factory=list,
        description="how the retrieve step read the question against the stored lines (a window read "
        "another way, a host scope, requests followed): said with the answer's scope",
    )
    recovery: str | None = Field(
        default=None,
        description="for a question whether the trouble is over: its last line and whether the stored logs "
        "go on without another, in one sentence for the answer's summary (`recovery.recovery_note`)",
    )
    read_on_to: datetime | None = Field(
        default=None,
        description="set by the retrieve step: the lines holding what the question names were read on "
        "past the window's end, to this time (`windows.just_after`)",
    )
    notes: list[str] = Field(default_factory=list)
