"""The retrieve step's logic: run a `RetrievalPlan` against a session's tables.

- The time window: the question's reading first; when no stored line falls in it, the other
  readings the refine step kept (a range across midnight), and the result says which was used.
- Field filters (a user id, a request id, a method) and the environment narrow the candidates;
  if nothing matches them all, they are relaxed one by one (exact column, then any mention in
  the text, then dropped), and the result says so. A level the question asks for ("every
  warning") is a filter too, dropped last. The clauses and their order: `constraints.attempts`.
- Identifiers and quoted phrases rank first, they do not truncate: lines holding all of them,
  then the other lines of the ids those lines name ("which attempts hit it, where did they run?"),
  then any of them, then lines of the same shape as a quoted phrase with other numbers, then the
  whole question's hybrid search fills the rest of `k`. An identifier no line holds is named.
- Numbers of the question (`plan.terms`) weigh in the full-text search, and within one shape the
  lines that hold them come first (`order.signals_first`).
- Broad questions ("what went wrong between X and Y?") get the error and warning lines of the
  window, most severe and most risen patterns first (`broad.rank_broad`).
- What the question names is followed just past its window, after the lines inside it
  (`windows.just_after`): the outcome of "command 3106 before midnight" came at 00:03.
- Results are de-duplicated by message; each keeps its count of identical lines, first and
  last seen time, and source line numbers (`line_stats`).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from sre_agent.indexes import Hit, SearchFilters
from sre_agent.indexes.filters import in_clause
from sre_agent.shapes import message_shape
from sre_agent.workflows.anchors import anchor_matches, named_first
from sre_agent.workflows.around import lines_around
from sre_agent.workflows.broad import ranked_window, session_span, worst_rows
from sre_agent.workflows.changes import change_ids
from sre_agent.workflows.constraints import (
    Attempt,
    any_identifier_clause,
    attempts,
    identifier_clause,
    search_filters,
    with_clause,
)
from sre_agent.workflows.entities import named_ids
from sre_agent.workflows.line_stats import add_counts, add_patterns
from sre_agent.workflows.order import (
    as_hit,
    dedupe,
    heads_first,
    holders_first,
    like,
    merge_hits,
    more_patterns,
    set_aside_last,
    signals_first,
)
from sre_agent.workflows.origins import named_origin_ids
from sre_agent.workflows.plan import RetrievalPlan
from sre_agent.workflows.plan_search import EXACT_CANDIDATES, TIER_VECTOR_WEIGHT, PlanSearch
from sre_agent.workflows.precursors import PRECURSOR_LINES, each_hosts_first, earliest_first, first_different
from sre_agent.workflows.recovery import WARN_RANK, fix_text, recovery_tiers
from sre_agent.workflows.requests import (
    asks_about_someone,
    follow_requests,
    followed_note,
    place_followed,
    request_ids,
)
from sre_agent.workflows.restarts import restart_ids, return_ids, returns_first
from sre_agent.workflows.results import ResultLine
from sre_agent.workflows.scope import scope_to_host
from sre_agent.workflows.short_names import spell_out
from sre_agent.workflows.spread import each_named_in_turn, hosts_first
from sre_agent.workflows.trends import closeness_to, trend_ids
from sre_agent.workflows.windows import absent, just_after, read_on_to, settle_window, unheld_numbers

CANDIDATES = 200  # hits pulled from the index before de-duplication
HINTED_TREND_LINES = 3  # of the one such shape a question about the time before the trouble gets
TREND_SHAPES = 3  # shapes of climbing reports a question about what built up gets first
#: Lines of what a question asks "what went wrong with" that come first, worst and most unusual
#: patterns first (`broad.worst_rows`): the words left beside an id ("what happened to upstream
#: 10.0.3.21?") are in every line that holds it and rank nothing.
WORST_FIRST = 10
#: Ids of the identifiers' first lines whose other lines follow them (`_sharing_ids`).
SHARED_FROM = 5
SHARED_IDS = 5

__all__ = ["Retriever"]


class Retriever(PlanSearch):
    """Runs plans against a `LogIndex` (`PlanSearch` holds it). Stateless apart from the index."""

    def retrieve(
        self, session: str, plan: RetrievalPlan, *, k: int = 10, tables: Sequence[str] | None = None
    ) -> tuple[list[ResultLine], list[str]]:
        """The top `k` distinct messages for `plan`, and the filters that had to be dropped (and
        what the question names that no stored line holds); how the question was read against the
        stored lines (a window read another way, a host scope, requests followed) goes to
        `plan.read_notes`.
        When those are variants of fewer than `k` patterns, one line of each next pattern down the
        ranking follows them, until `k` patterns are shown (`order.more_patterns`).

        When the window had to be read another way, `plan.window` is updated in place to it; a broad
        question naming an id the logs hold becomes a question about that id (`plan.broad`)."""
        table_list = list(tables) if tables else None
        if session not in self.index.list_sessions():
            return [], []
        if table_list is not None:  # a fetch that found nothing creates no table
            existing = set(self.index.list_tables(session))
            table_list = [t for t in table_list if t in existing]
            if not table_list:
                return [], []
        plan.recovery = None
        go_on, plan.read_notes = settle_window(self.index, session, table_list, plan)
        if not go_on:
            return [], []
        plan.read_notes += spell_out(self.index, session, table_list, plan)  # "te1/0/12"
        plan.read_notes += scope_to_host(self.index, session, table_list, plan)
        # "What happened with <an id the logs hold>?" asks about that id; with a time window named
        # ("the win7 box misbehaved: what went wrong between 04:30 and 04:45?") it asks about the window.
        asks_about_an_id = plan.broad and plan.terms and plan.window is None
        if asks_about_an_id and anchor_matches(
            self.index, session, table_list, plan, SearchFilters(), rare_words=False
        ):
            plan.broad, plan.prefer_level, plan.min_level = False, plan.min_level, None
        for attempt in attempts(plan):
            filters = search_filters(plan, attempt)
            if not self.index.exists(session, tables=table_list, filters=filters):
                continue
            if plan.broad and not plan.identifiers:  # (field filters: only a host `scope_to_host` set)
                lines = self._broad(session, table_list, plan, attempt, k)
                if plan.tells_a_story and plan.terms:  # "what did pid 13 log on nov 11?": its lines first
                    lines = named_first(self.index, session, table_list, plan, filters, lines, k)
                add_patterns(self.index, session, table_list, filters, lines)
                return lines, attempt.dropped
            lines, missing = self._specific(session, table_list, plan, filters, k)
            add_counts(self.index, session, table_list, filters, lines, just_after(plan.window, filters))
            # counted holding what names one thing: an id, a number, a phrase; not a plain word ('size')
            named = [i for i in plan.identifiers if not i.isalpha()]
            add_patterns(self.index, session, table_list, filters, lines, named)
            return lines, attempt.dropped + missing
        return [], []

    def _broad(
        self, session: str, tables: list[str] | None, plan: RetrievalPlan, attempt: Attempt, k: int
    ) -> list[ResultLine]:
        """The window's worst and most unusual patterns (`rank_broad`) at the level the question
        asks for; when that level holds fewer than `k` lines, the rest of `k` comes from the lower
        levels, worst first (ten places are not left half empty while the window has more)."""
        span = session_span(self.index, session, tables)
        lines = ranked_window(self.index, session, tables, plan, attempt, span, k)
        if attempt.level is None or len(lines) >= k:
            return lines
        lower = ranked_window(
            self.index, session, tables, plan, Attempt(attempt.clauses, None, attempt.dropped), span, k
        )
        held = {line.message for line in lines}
        return [*lines, *[line for line in lower if line.message not in held]][:k]

    def _specific(
        self, session: str, tables: list[str] | None, plan: RetrievalPlan, filters: SearchFilters, k: int
    ) -> tuple[list[ResultLine], list[str]]:
        """Exact tiers first (identifiers, phrase shapes), then the question's hybrid hits."""
        tiers, missing = self._exact_tiers(session, tables, plan, filters)
        if plan.asks_since_when:  # "which pods, and when did it start on each?": each pod's first,
            # then the rest oldest first (every line of a tier holds what the question names)
            # (lines that say it before traces that only carry it, as in each tier: `heads_first`)
            tiers = [
                heads_first(each_hosts_first(sorted(tier, key=lambda hit: hit.timestamp)), plan.identifiers)
                for tier in tiers
            ]
        elif plan.asks_where:  # "only the web boxes, or the workers too?": each host's first line
            tiers = [hosts_first(tier, plan.identifiers) for tier in tiers]
        if late := self._after_window(session, tables, plan, filters):  # what it names, just after
            tiers.append(late)
        if written := named_origin_ids(self.index, session, tables, plan, filters):  # "what did mod_jk log"
            # after the lines holding the identifiers, before those holding rarer words of the question
            at = 1 if plan.identifiers and tiers else 0
            by_writer = with_clause(filters, in_clause("id", written))
            tiers.insert(at, self._ranked(session, tables, plan, by_writer))
        if plan.asks_about_changes and (changed := change_ids(self.index, session, tables, filters)):
            # "did anything change?": those lines next, after any lines of what the question names,
            # then each one's host saying it is back (a deploy is the stop and the start)
            tiers.append(self._ranked(session, tables, plan, with_clause(filters, in_clause("id", changed))))
            if back := return_ids(self.index, session, tables, filters, changed):
                tiers.append(self._ranked(session, tables, plan, with_clause(filters, in_clause("id", back))))
        if plan.asks_about_restarts:  # "did it come back up?": the lines that say a stop, start or return
            tiers.append(self._restarts(session, tables, plan, filters))
        if plan.asks_about_buildup or plan.before_then:  # "was that box already running low?"
            rising, of_what_it_names = self._trends(session, tables, plan, filters)
            if rising:  # first when they are lines of what the question names, else after those
                tiers.insert(0 if of_what_it_names else len(tiers), rising)
        # "did it recover?": the trouble's last lines, then what followed (with a span named, "14:20
        # to 15:00 - still failing?" asks for that span's lines: the question's own ranking; a
        # moment, "they flushed it around 14:40, did it recover?", says when the fix was)
        if plan.asks_about_recovery and (plan.window is None or plan.window_at_moment):
            recovered, said = recovery_tiers(
                self.index,
                session,
                tables,
                filters,
                plan.trouble_shapes,
                partial(self._ranked, session, tables, plan),
                plan.utc_offset,
                fix_text(plan.question),
                partial(self._searched, session, tables),
            )
            tiers[:0] = recovered
            plan.recovery = said
        # "already failing before it died?": the same trouble, earlier
        if plan.trouble_shapes and plan.before_then:
            earlier = with_clause(filters, in_clause("shape", plan.trouble_shapes))
            tiers.append(
                first_different(earliest_first(self._ranked(session, tables, plan, earlier)), PRECURSOR_LINES)
            )
        if jargon := self._in_jargon(session, tables, plan, filters):  # "ran out of ram": `OOMKilled`
            tiers.append(jargon)  # after what the question names and asks for, before its hybrid hits
        hits = self._search(session, tables, plan, filters, CANDIDATES)
        if plan.asks_since_when:  # "since when?": each kind of line the search found, from its first
            hits = earliest_first(hits)
        hits = holders_first(hits, plan.terms)
        if plan.prefer_level:  # "were there errors?": the lines at that level first, then the rest
            worse = filters.model_copy(update={"min_level": plan.prefer_level})
            hits = merge_hits(self._ranked(session, tables, plan, worse), hits)
        ranked: list[tuple[Hit, str]] = []
        seen: set[str] = set()
        for tier in [*tiers, hits]:
            via_exact = tier is not hits
            for hit in set_aside_last(tier, plan.excluded):  # "besides root": last of their tier
                if hit.id not in seen:
                    seen.add(hit.id)
                    ranked.append((hit, "exact" if via_exact else hit.via))
        ordered = signals_first(ranked, plan.terms)
        if asks_about_someone(plan):  # the same requests' warnings that do not name the user or id
            found = [hit for hit, _ in ordered]
            if followed := follow_requests(self.index, session, tables, plan, found):
                ordered = place_followed(ordered, [(hit, "request") for hit in followed])
                plan.read_notes.append(followed_note(len(request_ids(found)), len(followed)))
        top = dedupe(ordered, k)
        if plan.window is not None and any(line.first_seen > plan.window.end for line in top):
            plan.read_on_to = read_on_to(plan.window)  # said with the answer's scope
        return top + more_patterns(ordered, top, k), missing

    def _exact_tiers(
        self, session: str, tables: list[str] | None, plan: RetrievalPlan, filters: SearchFilters
    ) -> tuple[list[list[Hit]], list[str]]:
        """The lines to rank first, tier by tier: lines holding every identifier; lines holding the
        question's anchors (numbers, short ids), most anchors first; a few lines right around the
        identifiers' lines; lines holding any identifier; lines of a quoted phrase's shape (other
        numbers). Identifier tiers are ranked by the
        question's hybrid search. Also the identifiers, and numbers, no line holds, as notes."""
        if not plan.identifiers:
            anchored = self._anchored(session, tables, plan, filters)
            return [anchored] if anchored else [], unheld_numbers(self.index, session, tables, plan, filters)
        clauses = {i: identifier_clause(i) for i in plan.identifiers}
        present = [
            i
            for i, clause in clauses.items()
            if self.index.exists(session, tables=tables, filters=with_clause(filters, clause))
        ]
        missing = [
            f"'{i}' ({absent(self.index, session, tables, filters, clauses[i])})"
            for i in plan.identifiers
            if i not in present
        ]
        exact: list[Hit] = []
        if present:
            every = with_clause(filters, " AND ".join(clauses[i] for i in present))
            # One identifier is known to hold lines: no need to count them again.
            exact = (
                self._search(session, tables, plan, every, EXACT_CANDIDATES, TIER_VECTOR_WEIGHT, present)
                if len(present) == 1
                else self._ranked(session, tables, plan, every, TIER_VECTOR_WEIGHT, present)
            )
            exact = heads_first(exact, present)  # the lines that say it, before traces that carry it
            # "mongo-2 stuck in RECOVERING": of its lines, those holding the question's anchors first
            anchored = self._anchored(session, tables, plan, every, rare_words=False)
            exact = merge_hits(anchored, exact)
            if plan.asks_what_went_wrong:  # "what happened to upstream 10.0.3.21?": its worst lines
                # first, the failing ones before the anchored lines, the merely unusual ones after
                rows = worst_rows(self.index, session, tables, every, plan.window, WORST_FIRST)
                worst = [as_hit(row) for row in rows]
                failing = [hit for hit in worst if hit.level_rank >= WARN_RANK]
                exact = merge_hits(failing, merge_hits(anchored, merge_hits(worst, exact)))
        tiers = [exact, self._anchored(session, tables, plan, filters)]
        if exact:
            tiers.append(self._sharing_ids(session, tables, plan, filters, exact))
            tiers.append(lines_around(self.index, session, tables, filters, exact))
        if len(present) > 1:
            any_of = any_identifier_clause(present)
            any_one = self._ranked(session, tables, plan, with_clause(filters, any_of), TIER_VECTOR_WEIGHT)
            tiers.append(each_named_in_turn(any_one, present))  # "on ns-1 and ns-2": both
        for identifier in plan.identifiers:
            shape = message_shape(identifier)
            if " " in identifier and shape != identifier:  # "used 50/50" → lines saying "used 49/50" too
                shaped = with_clause(filters, like("shape", shape))
                tiers.append(self._ranked(session, tables, plan, shaped, TIER_VECTOR_WEIGHT))
        return [t for t in tiers if t], missing

    def _trends(
        self, session: str, tables: list[str] | None, plan: RetrievalPlan, filters: SearchFilters
    ) -> tuple[list[Hit], bool]:
        """The lines of the `TREND_SHAPES` shapes whose number climbs or falls report by report
        (`trends`) that the question ranks first, ranked by it: among the lines holding its
        identifiers ("that box"), else among all in scope; and whether they hold them. A session
        number climbs too; the question tells a disk filling up from it."""
        found: list[str] = []
        if plan.identifiers:
            held = any_identifier_clause(plan.identifiers)
            found = trend_ids(self.index, session, tables, with_clause(filters, held))
        of_what_it_names = bool(found)
        found = found or trend_ids(self.index, session, tables, filters)
        if not found:
            return [], False
        ranked = self._ranked(session, tables, plan, with_clause(filters, in_clause("id", found)))
        near = closeness_to(plan.trouble_shapes)  # the thread's trouble's own reports first
        best = list(dict.fromkeys(hit.shape_hash for hit in sorted(ranked, key=near, reverse=True)))
        series = [
            sorted((hit for hit in ranked if hit.shape_hash == shape), key=lambda hit: hit.timestamp)
            for shape in best[:TREND_SHAPES]
        ]
        # then what built up last, first
        series.sort(key=lambda lines: (near(lines[0]), lines[-1].timestamp), reverse=True)
        if not plan.asks_about_buildup:  # "already flaky before it started bouncing?": one hint of it
            series = [series[0][:HINTED_TREND_LINES]]
        return [hit for lines in series for hit in lines], of_what_it_names

    def _restarts(
        self, session: str, tables: list[str] | None, plan: RetrievalPlan, filters: SearchFilters
    ) -> list[Hit]:
        """The lines that say a stop, start or return (`restart_ids`), of what the question names
        when some are, ranked by the question: in its window and the stretch right after it (the
        return the question asks about may come after the window it guessed)."""
        late = just_after(plan.window, filters)
        scope = filters.model_copy(update={"end": late.end}) if late is not None else filters
        named = [*plan.identifiers, *(t for t in plan.terms if " " not in t)]
        back = restart_ids(self.index, session, tables, scope, named)
        if not back:
            return []
        return returns_first(
            self._ranked(session, tables, plan, with_clause(scope, in_clause("id", back))), plan.question
        )

    def _after_window(
        self, session: str, tables: list[str] | None, plan: RetrievalPlan, filters: SearchFilters
    ) -> list[Hit]:
        """The lines holding every identifier of the question (else its numbers and short ids) in
        the stretch right after its window (`just_after`), as the question ranks them."""
        late = just_after(plan.window, filters)
        if late is None:
            return []
        if plan.identifiers:
            every = " AND ".join(identifier_clause(i) for i in plan.identifiers)
            held = plan.identifiers
            return self._ranked(session, tables, plan, with_clause(late, every), TIER_VECTOR_WEIGHT, held)
        return self._anchored(session, tables, plan, late, rare_words=False)

    def _sharing_ids(
        self,
        session: str,
        tables: list[str] | None,
        plan: RetrievalPlan,
        filters: SearchFilters,
        exact: list[Hit],
    ) -> list[Hit]:
        """Other lines of the entities the identifiers' lines name: "'Could not find any valid local
        directory': which attempts hit it and where were they running?" is answered by the lines
        that hold those attempts' ids. The ids (`entities.named_ids`) of the first `SHARED_FROM`
        lines, at most `SHARED_IDS`, their lines ranked by the question."""
        ids = named_ids(exact[:SHARED_FROM], [*plan.identifiers, *plan.terms])[:SHARED_IDS]
        if not ids:
            return []
        held = {hit.id for hit in exact}
        sharing = with_clause(filters, any_identifier_clause(ids))
        return [
            h for h in self._ranked(session, tables, plan, sharing, TIER_VECTOR_WEIGHT) if h.id not in held
        ]
