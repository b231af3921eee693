"""The refine step's rules: turn a question into a `RetrievalPlan` without an LLM.

It expands the question with the service config's vocabulary (and method names and error
patterns), pulls out identifiers (IPs, request and user ids, block ids, hex ids, quoted
phrases, error codes), numbers and short ids ("port 5433", "job 8": `terms`), time phrases
(read in the logs' own clock when they were written with a UTC offset) and severity words,
and decides whether the question is broad ("what went wrong between X and Y?"). Numbers are
never dropped from the search text. The [agent] work plugs an LLM refiner in beside this one
through the `Refiner` protocol.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Protocol

from sre_agent.clocks import stated_zone
from sre_agent.configs import ServiceConfig
from sre_agent.indexes.fts_query import is_identifier
from sre_agent.models import TimeWindow
from sre_agent.stems import contains_phrase, stems
from sre_agent.timephrases import parse_time_window
from sre_agent.workflows.changes import asks_about_changes
from sre_agent.workflows.identifiers import QUOTED, quoted_and_ids
from sre_agent.workflows.ops_words import concepts_in, log_words
from sre_agent.workflows.plan import RetrievalPlan
from sre_agent.workflows.precursors import (
    asks_since_when,
    pointed_window,
    referred_before,
    remembered_trouble,
    says_unrelated,
)
from sre_agent.workflows.recovery import asks_about_recovery
from sre_agent.workflows.referents import referred_hosts, referred_trouble
from sre_agent.workflows.restarts import asks_about_restarts
from sre_agent.workflows.spread import asks_where
from sre_agent.workflows.thread_days import THREAD_TODAY, remembered_day
from sre_agent.workflows.trends import asks_about_buildup


class Refiner(Protocol):
    """Anything that turns a question into a retrieval plan."""

    def refine(
        self,
        question: str,
        *,
        now: datetime,
        environment: str | None = None,
        thread: dict[str, str] | None = None,
        utc_offset: int | None = None,
    ) -> RetrievalPlan: ...


_STOPWORDS = frozenset(
    """
    a about above after again all also am an and any anybody anyone anything are as at be because
    been before being between both but by can could did do does doing down during each else ever
    every few for from further get got had has have having he her here hers him his how i if in into
    is it its just let me more most my no nor not now of off on once only or other our out over own
    please same she should show so some such tell than that the their them then there these they
    this those through to too under until up us very was we were what when where which while who
    whom why will with would you your yours see find look give list kind sort logs log happened
    happen happening going keeps keep trying actually manage anyone everyone somebody
    """.split()
)

# Words any engineer uses, mapped to words logs use. Service configs add their own.
GENERIC_VOCABULARY: dict[str, list[str]] = {
    "rate limited": ["throttled", "throttling", "rate exceeded", "429"],
    "slow": ["timeout", "latency", "deadline exceeded"],
    "timed out": ["timeout", "deadline exceeded"],
    "crash": ["panic", "fatal", "exception"],
    "denied": ["permission denied", "forbidden", "403"],
    "restarted": ["starting", "started", "shutdown"],
    "unreachable": ["connection refused", "cannot connect", "cannot open channel"],
}

#: "warning" and its forms: a severity word, and the one that names the WARN level by name.
_WARN_WORD = r"\bwarn(?:ing|ings|s)?\b"
_SEVERITY = {
    "WARN": rf"{_WARN_WORD}|\bproblems?\b|\babnormal\b|\bwrong\b|\bissues?\b"
    r"|\bfail(?:s|ed|ing|ures?)?\b|\bmisbehav",
    "ERROR": r"\berrors?\b|\berror(?:ing|ed)\b|\bexceptions?\b|\bserious\b|\bcritical\b|\bsevere\b",
    "FATAL": r"\bfatal\b|\bpanic(?:s|ked)?\b|\bcrash(?:es|ed)?\b",
}
_WARNINGS = re.compile(_WARN_WORD, re.IGNORECASE)
_BROAD = re.compile(
    r"what (?:else )?(?:went|goes|is going|was going) wrong|what (?:else )?happened"
    r"|(?:anything|something) (?:else )?(?:go|goes|went|gone|going) wrong"
    r"|what(?:'s|s| is) (?:going on|happening)"  # "whats going on": as typed at 3 a.m.
    r"|what(?:'s|s| is| was) (?:wrong|broken|the (?:matter|problem|trouble))\b"
    r"|anything (?:else )?(?:abnormal|unusual|odd|wrong|weird|strange|suspicious|interesting)"
    r"|(?:anything|something) (?:else )?(?:off|amiss|fishy|out of the ordinary)\b"
    r"|\b(?:did|does|has|is) (?:it|that|this) (?:happen(?:ed|ing)?|occur(?:red)?|recur(?:red)?) again"
    r"|(?:which|what|any) (?:other |more |else )?(?:trouble|problems|issues|errors|warnings|anomalies)"
    r"|what (?:were|are) the (?:\w+ )?(?:errors|problems|issues|warnings)|misbehav|summar|overview"
    r"|complain|what (?:else )?(?:failed|broke|crashed|went down)",
    re.IGNORECASE,
)
# With a time window, "what did X do / log / report between A and B?" asks for the window's story.
_WINDOW_BROAD = re.compile(
    r"\bwhat (?:did|was|were|is|are)\b.{0,60}?"
    r"\b(?:do|doing|log|logging|logged|report|reporting|say|saying)\b",
    re.IGNORECASE,
)
# A severity word filters by level only when the question asks for such lines ("every warning",
# "any errors"), not when it merely mentions them ("right before the errors started").
_ASKS_FOR_LEVEL = re.compile(
    r"\b(?:show|list|which|what|any|every|all|only)\b(?:\s+\w+){0,3}?\s+"
    r"(?:warnings?|errors?|exceptions?|fatals?|panics?|crash(?:es)?)\b",
    re.IGNORECASE,
)
_ENVIRONMENTS = {"prod": "prod", "production": "prod", "staging": "staging", "dev": "dev"}
#: An environment named as a word of its own: not a piece of a path, host or id (`/dev/vg0`,
#: `prod-db-01`, `dev.example.com`). "stage" is not one: "the ordering stage", "stage 3".
_ENVIRONMENT = re.compile(r"(?<![\w/.\-])(" + "|".join(_ENVIRONMENTS) + r")(?![\w/\-]|\.\w)", re.IGNORECASE)

_REQUEST_ID_WORDS = r"(?:request|req|trace)(?:[ _-]?id)?"
_REQUEST_ID_VALUE = r"[:= ]+([A-Za-z0-9_.:-]*\d[A-Za-z0-9_.:-]*)"
_USER_ID_WORDS = r"(?:user|user[ _-]?id|uid|account)"
_USER_ID_VALUE = r"[:= #]+([A-Za-z0-9_.@-]*\d[A-Za-z0-9_.@-]*)"
#: Punctuation that ends a sentence or a clause, not an id: "trace req-1af8: the caller says ...".
_ID_END = ".,?:;!"
_REQUEST_ID = re.compile(rf"\b{_REQUEST_ID_WORDS}{_REQUEST_ID_VALUE}", re.IGNORECASE)
_USER_ID = re.compile(rf"\b{_USER_ID_WORDS}{_USER_ID_VALUE}", re.IGNORECASE)


def _id_regex(aliases: list[str], words: str, value: str) -> re.Pattern[str]:
    """An id pattern that also reads the config's own field names for it ("customer 8812",
    "member id 8812" for `"user_id": ["customer", "member_id"]`) before the usual words."""
    spelled = ["[ _-]?".join(re.escape(p) for p in re.split(r"[ _.-]+", a) if p) for a in aliases]
    spelled = [s for s in spelled if s]
    if not spelled:
        return re.compile(rf"\b{words}{value}", re.IGNORECASE)
    return re.compile(rf"\b(?:{'|'.join(spelled)}|{words}){value}", re.IGNORECASE)


_REFERS_BACK = {
    "user_id": re.compile(r"\b(?:the|that|this|same)\s+(?:user|person|customer|account)\b", re.IGNORECASE),
    "request_id": re.compile(r"\b(?:the|that|this|same)\s+(?:request|call|trace)\b", re.IGNORECASE),
    "method": re.compile(r"\b(?:the|that|this|same)\s+(?:method|rpc|endpoint)\b", re.IGNORECASE),
}
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]+")
# A token of the question that holds a digit: a number, a short id, a version ("17.0", "8812", "502").
_NUMBER = re.compile(r"(?<![\w.:/-])(\d+(?:[.,]\d+)*)(?![\w:/-]|\.\w)")
#: "besides root", "other than 'api3'", "ignoring the manifest warnings": what the question sets
#: aside (the first word after a determiner, or a quoted name).
_SET_ASIDE = re.compile(
    r"\b(?:besides|except(?: for)?|apart from|aside from|other than|excluding|ignoring|not counting)\s+"
    r"(?:(?:the|a|an|that|this|those|these|any|all)\s+)?(['\"`]?)([\w.@:/-]*\w)\1",
    re.IGNORECASE,
)
# A name from code or a log rather than a word of English: DataBlockScanner, getTasks, CBS, SQM.
_CODE_NAME = re.compile(r"[A-Za-z]+[a-z][A-Z][A-Za-z]*|[A-Z]{3,}")
_TIME_WORDS = frozenset("around at about near by before after since until till from to between".split())
_EDGE = "\"'`()[]{}<>,;!?"
_CLOCK_TIME = re.compile(r"^\d{1,2}:\d{2}(?::\d{2})?$")
#: "why did it exit/crash/die/stop?", "… exited with status 137, why?": its warnings and errors first.
_WHY_IT_BROKE = re.compile(
    r"\bwhy\b[^?.]{0,60}\b(?:exit(?:ed|s)?|crash(?:ed|es)?|die[ds]?|fail(?:ed|s)?|stop(?:ped|s)?"
    r"|kill(?:ed)?|went (?:red|down)|go(?:es)? down|hung|hang(?:s|ing)?|broke|give up|gave up)\b"
    r"|\b(?:exit(?:ed|s)?|crash(?:ed|es)?|die[ds]|fail(?:ed|s)|stopped|killed|went down|hung|broke"
    r"|gave up)\b[^?.]{0,60}\bwhy\b",
    re.IGNORECASE,
)
_CLOCK_IN = re.compile(r"\b\d{1,2}:\d{2}\b")
#: A time phrase naming a moment, not a span: "around 14:40", "at 3pm".
_MOMENT = re.compile(r"(?:around|about|at|near|~)\s*\d", re.IGNORECASE)
# The word right before a number names what it counts ("port 5433", "job 8", "HTTP 502").
_WORD_NUMBER = re.compile(
    r"\b([A-Za-z][A-Za-z_-]{1,30})[\s#:=]+(\d+(?:\.\d+|(?::\d{2}){1,2})?)(?![\w.:/-]|\.\w)"
)


class RuleRefiner:
    """The deterministic refiner: config vocabulary, identifiers, time phrases and severity words."""

    def __init__(self, config: ServiceConfig | None = None) -> None:
        self.config = config
        vocab = dict(GENERIC_VOCABULARY)
        if config is not None:
            vocab.update({k.lower(): v for k, v in config.vocabulary.items()})
        self._vocab = [(stems(phrase), words, phrase) for phrase, words in vocab.items()]
        self._methods = config.method_names() if config else []
        aliases = config.fields.mapping() if config else {}
        self._user_id = _id_regex(aliases.get("user_id", []), _USER_ID_WORDS, _USER_ID_VALUE)
        self._request_id = _id_regex(aliases.get("request_id", []), _REQUEST_ID_WORDS, _REQUEST_ID_VALUE)

    def refine(
        self,
        question: str,
        *,
        now: datetime,
        environment: str | None = None,
        thread: dict[str, str] | None = None,
        utc_offset: int | None = None,
    ) -> RetrievalPlan:
        """Plan a search for `question`. `thread` holds the field filters earlier turns of the same
        thread named (user_id, request_id, method); a follow-up that says "the user" or "that
        request" without naming one inherits them. `utc_offset` (minutes east of UTC) is the clock
        the logs were written in: clock times in the question are read in it."""
        notes: list[str] = []
        if thread and says_unrelated(question):  # "unrelated: …": a question of its own
            thread = None
            notes.append("'unrelated': read without this thread's earlier turns")
        question_stems = stems(question)

        expansions: list[str] = []
        for phrase_stems, words, phrase in self._vocab:
            if contains_phrase(question_stems, phrase_stems):
                expansions.extend(w for w in words if w not in expansions)
                notes.append(f"'{phrase}' → {', '.join(words)}")

        spoken = concepts_in(question)  # "ran out of ram": the logs say `OOMKilled`
        notes += [
            f"'{said}' read as {concept.name}: its usual log words searched too" for concept, said in spoken
        ]
        identifiers = quoted_and_ids(question)
        field_filters: dict[str, str] = {}
        if m := self._user_id.search(question):
            field_filters["user_id"] = m.group(1).rstrip(_ID_END)
        if m := self._request_id.search(question):
            field_filters["request_id"] = m.group(1).rstrip(_ID_END)
        for method in self._methods:
            if re.search(rf"\b{re.escape(method)}\b", question, re.IGNORECASE):
                field_filters["method"] = method
                break
        # "is anyone else besides the user locked out?": not the thread's user, everyone
        others = None if identifiers else referred_trouble(question, thread)
        inherited = (thread or {}) if others is None else {}
        for column, value in inherited.items():
            refers_back = _REFERS_BACK.get(column)
            if column not in field_filters and refers_back is not None and refers_back.search(question):
                field_filters[column] = value
                notes.append(f"{column}={value} from earlier in this thread")
        referent = None
        if others is not None:  # "is anyone else locked out?": what the thread searched, for everyone
            identifiers, asked = others
            referent = f"'{asked}': what this thread searched for, for everyone"
            notes.append(
                f"'{asked}' read as {', '.join(identifiers)}: what this thread searched for, for everyone"
            )
        elif not identifiers and not field_filters:  # "had that box been limping?": the thread's host
            pointed = referred_hosts(question, thread)
            if pointed.hosts:
                identifiers = pointed.hosts
                referent = f"'{pointed.said}': what this thread has been about"
                hosts = ", ".join(pointed.hosts)
                notes.append(f"'{pointed.said}' read as {hosts}: what this thread has been about")
            elif pointed.alike:
                referent = (
                    f"'{pointed.said}': this thread's answers were about {', '.join(pointed.alike)} alike, "
                    "so none of them was assumed"
                )
                notes.append(referent)
        # An id that is already a field filter is not also an identifier.
        identifiers = [i for i in identifiers if i not in field_filters.values()]
        # "besides root": still words of the search (they say what the question is about), but
        # the lines that say them come after the others
        excluded = [m.group(2) for m in _SET_ASIDE.finditer(question)]

        stated = stated_zone(question)  # "between 09:10 and 09:25 UTC": not the logs' clock
        tz = stated or (timezone(timedelta(minutes=utc_offset)) if utc_offset else None)
        thread_day = remembered_day(thread)
        parsed = parse_time_window(
            question, now, tz, default_day=thread_day, today=remembered_day(thread, THREAD_TODAY)
        )
        # Time phrases and quoted phrases are not words to search for; numbers are.
        rest_for_terms = QUOTED.sub(" ", question)
        for phrase in sorted(parsed.phrases, key=len, reverse=True):  # "from 23:00 on dec 23 …" first
            rest_for_terms = rest_for_terms.replace(phrase, " ")
        window, back_then = parsed.window, None
        if window is None and (back_then := pointed_window(question, thread)):  # "in that same run"
            window = back_then.window
            notes.append(back_then.note)
        before_then = back_then is not None and back_then.before
        if parsed.window:
            clock = f" (read in the logs' clock, UTC{_offset_text(utc_offset)})" if tz else ""
            if stated is not None:
                east = int((stated.utcoffset(None) or timedelta(0)).total_seconds() // 60)
                clock = f" (read in UTC{_offset_text(east) if east else ''}, as the question says)"
            if parsed.on_default_day:
                clock += f" on {thread_day}, the day this thread was about"
            elif parsed.thread_relative is not None:
                clock += f" read as {parsed.thread_relative}, by the days this thread is about"
            notes.append(
                f"time: {' / '.join(parsed.phrases)}{clock} → {parsed.window.start:%Y-%m-%d %H:%M} .. "
                f"{parsed.window.end:%Y-%m-%d %H:%M} UTC"
            )
        if (
            parsed.window is not None
            and (earlier := referred_before(question, thread, dated=True)) is not None
        ):
            before, pointing = earlier  # "warnings earlier today, before it started failing?"
            if parsed.window.start < before.end < parsed.window.end:
                window, before_then = TimeWindow(start=parsed.window.start, end=before.end), True
                notes.append(
                    f"'{pointing}': up to {before.end:%Y-%m-%d %H:%M} UTC, where the time asked about "
                    "earlier in this thread begins"
                )
            elif parsed.window.start >= before.end:  # "before that … earlier today", today being later:
                local = before.end.astimezone(tz or UTC)  # the day the thread is about, up to its time
                midnight = local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)
                window, before_then = TimeWindow(start=midnight, end=before.end), True
                notes.append(
                    f"'{pointing}' before '{' / '.join(parsed.phrases)}': read as the day the thread is "
                    f"about, {midnight:%Y-%m-%d %H:%M} .. {before.end:%Y-%m-%d %H:%M} UTC, up to the time "
                    "it asked about"
                )

        min_level = None
        for level in ("FATAL", "ERROR", "WARN"):
            if re.search(_SEVERITY[level], question, re.IGNORECASE):
                min_level = level
                break
        if min_level in ("FATAL", "ERROR") and _WARNINGS.search(question):
            min_level = "WARN"  # "errors or warnings": the lowest level it names by name
        asks_what_went_wrong = bool(_BROAD.search(question))
        tells_a_story = window is not None and bool(_WINDOW_BROAD.search(question))
        asks_for_story = asks_what_went_wrong or tells_a_story
        terms = _terms(rest_for_terms, identifiers, field_filters)
        recovery = asks_about_recovery(question)
        # A broad question that also names a number or a short id is about that id when the logs
        # hold it: the retrieve step decides, from what is stored (`plan.terms`).
        broad = asks_for_story and not identifiers and not field_filters
        prefer_level = None
        if broad:
            min_level = min_level or "WARN"
        elif not _ASKS_FOR_LEVEL.search(QUOTED.sub(" ", question)):
            prefer_level, min_level = min_level, None
        if not broad and prefer_level is None and min_level is None and _WHY_IT_BROKE.search(question):
            prefer_level = "WARN"  # "exited with status 137, why?": what went wrong before it, first

        env = environment
        if said := _ENVIRONMENT.search(question):
            env = _ENVIRONMENTS[said.group(1).lower()]

        content = [w for w in _WORD.findall(rest_for_terms) if w.lower() not in _STOPWORDS]
        # Every number stays in the search text, a filter's value too ("customer 8812").
        # A clock time still here was not read as a time ("which connections lasted 14:59?"): it is
        # a term (an exact phrase to find), but not a word of the search text, where it reads as a
        # time of day to the model ("the 00:32 sync ...": measured, one incident turn lost a line).
        numbers = list(_NUMBER.findall(rest_for_terms))
        numbers += [t for t in terms if " " not in t and t not in numbers and not _CLOCK_TIME.match(t)]
        numbers = [n for n in numbers if n not in content]
        own_words = " ".join(dict.fromkeys(content + numbers + identifiers))
        query_text = " ".join(dict.fromkeys(content + numbers + identifiers + expansions))
        return RetrievalPlan(
            question=question,
            query_text=query_text or question,
            meaning_text=own_words or question,
            expansions=expansions,
            jargon=log_words(spoken, question),
            identifiers=identifiers,
            terms=terms,
            excluded=excluded,
            field_filters=field_filters,
            window=window,
            window_referent=back_then.referent if back_then else None,
            window_alternatives=parsed.alternatives,
            window_by_clock=window is parsed.window and any(_CLOCK_IN.search(p) for p in parsed.phrases),
            window_at_moment=window is parsed.window and any(_MOMENT.match(p) for p in parsed.phrases),
            day=parsed.day,
            asks_about_changes=asks_about_changes(question),
            asks_about_buildup=asks_about_buildup(question),
            before_then=before_then,
            trouble_shapes=remembered_trouble(thread) if before_then or recovery else [],
            asks_about_recovery=recovery,
            asks_since_when=asks_since_when(question),
            asks_where=asks_where(question),
            asks_about_restarts=asks_about_restarts(question),
            utc_offset=utc_offset,
            min_level=min_level,
            prefer_level=prefer_level,
            broad=broad,
            asks_what_went_wrong=asks_what_went_wrong,
            tells_a_story=broad and tells_a_story and not asks_what_went_wrong,
            environment=env,
            referent=referent,
            notes=notes,
        )


def _offset_text(minutes: int | None) -> str:
    """+08:00 for 480; -05:30 for -330."""
    minutes = minutes or 0
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _terms(text: str, identifiers: list[str], field_filters: dict[str, str]) -> list[str]:
    """The numbers of `text` (not inside an identifier or a filter value), each with the word before
    it when there is one: ["port 5433", "5433"]. `text` has lost the time phrases read as a window,
    so a clock time left in it is a value ("lifetime 14:59"), as any number."""
    taken = " ".join(identifiers + list(field_filters.values()))
    out: list[str] = []
    for m in _WORD_NUMBER.finditer(text):
        word, number = m.group(1), m.group(2)
        if word.lower() in _STOPWORDS or word.lower() in _TIME_WORDS or number in taken:
            continue
        out.append(f"{word} {number}")
    for m in _NUMBER.finditer(text):
        number = m.group(1)
        if number not in taken:
            out.append(number)
    for word in text.split():  # short ids (qa.sockets.example.com, 11152_142416105) and code names
        word = word.strip(_EDGE).rstrip(".:")
        looks_like_a_name = is_identifier(word) or bool(_CODE_NAME.fullmatch(word))
        if looks_like_a_name and word not in taken and word not in out:
            out.append(word)
    return list(dict.fromkeys(out))
