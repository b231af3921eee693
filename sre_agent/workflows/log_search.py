"""The log-search workflow: fetch → clean → embed → refine → retrieve, one job per step.

Each step takes one typed event and returns the next (see `events.py`); progress goes to
the event stream so callers can show it live. Fetch is retried on connector faults; the
whole run has a timeout. A job without a `query` skips fetching and searches what the
session already stored.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from llama_index_instrumentation import get_dispatcher
from pydantic import BaseModel, Field
from workflows import Context, Workflow, step
from workflows.events import StopEvent
from workflows.retry_policy import retry_if_exception_type, retry_policy, stop_after_attempt, wait_exponential

from sre_agent import models
from sre_agent.clean import clean_table
from sre_agent.clean_messages import MessageHelper, message_cap
from sre_agent.clocks import MINUTES, span
from sre_agent.configs import ServiceConfig
from sre_agent.connectors.base import FETCH_PROGRESS, FETCH_SEEN, Logstore
from sre_agent.connectors.relax import fetch_relaxed
from sre_agent.connectors.report import FetchReport
from sre_agent.errors import ConnectorError
from sre_agent.indexes import IngestStats, LogIndex
from sre_agent.models import LogQuery, LogRecord
from sre_agent.record_ids import key_mark, record_ids
from sre_agent.redact import Redactor
from sre_agent.trace.recorder import StepNote
from sre_agent.workflows.events import (
    Cleaned,
    Fetched,
    FetchRequested,
    ProgressEvent,
    Refined,
    RefineRequested,
    SearchJob,
    SearchStart,
)
from sre_agent.workflows.plan import RetrievalPlan
from sre_agent.workflows.referents import subject_hosts
from sre_agent.workflows.refine import Refiner, RuleRefiner
from sre_agent.workflows.results import SearchResult
from sre_agent.workflows.retrieve import Retriever

_dispatcher = get_dispatcher(__name__)
FETCH_ATTEMPTS = 3
#: A window reaching more than this past every stored line is said to be wider than the logs.
WIDE = timedelta(days=1)
FETCH_RETRY = retry_policy(
    retry=retry_if_exception_type((ConnectorError, TimeoutError, ConnectionError)),
    wait=wait_exponential(multiplier=0.5, exp_base=2, max=5),
    stop=stop_after_attempt(FETCH_ATTEMPTS),
)


def with_config(query: LogQuery, config: ServiceConfig | None) -> LogQuery:
    """`query` with what `config` says about its logs: the names its service carries in them (when
    the query is for that service) and the logs' own names for our fields."""
    if config is None:
        return query
    update: dict = {}
    if query.service is not None and query.service == config.name and not query.service_names:
        update["service_names"] = config.service_names()[1:]
    if not query.field_aliases and config.fields.mapping():
        update["field_aliases"] = config.fields.mapping()
    return query.model_copy(update=update) if update else query


def after_fetch(plan: RetrievalPlan, report: FetchReport | None) -> RetrievalPlan:
    """A plan that does not filter again on the environment the fetch had to drop: what it fetched
    instead is what there is to search."""
    if report is None or "environment" not in report.dropped() or plan.environment is None:
        return plan
    note = f"env={plan.environment} dropped: no fetched record said it"
    return plan.model_copy(update={"environment": None, "notes": [*plan.notes, note]})


def apply_overrides(plan: RetrievalPlan, job: SearchJob) -> RetrievalPlan:
    """What the caller stated outright (a tool call's arguments) wins over what refine read."""
    update: dict = {}
    if job.field_filters:
        update["field_filters"] = {**plan.field_filters, **job.field_filters}
        stated = set(job.field_filters.values())
        update["identifiers"] = [i for i in plan.identifiers if i not in stated]
    if job.window is not None:
        update["window"] = job.window
    if job.min_level is not None:
        update["min_level"] = job.min_level
    if job.broad is not None:
        update["broad"] = job.broad
    return plan.model_copy(update=update) if update else plan


def log_clock(records: Sequence[LogRecord]) -> int | None:
    """The UTC offset (minutes) most of `records` were written with; None when they name none."""
    return models.log_clock(record.utc_offset for record in records)


class SearchState(BaseModel):
    """What the steps of one search tell each other: the fetch's counts and report (clean), the
    records stored (embed), the logs' clock, and warnings for the result (retrieve)."""

    fetched: int = 0
    new: int = 0
    skipped: int = 0
    problems: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    utc_offset: int | None = None
    report: FetchReport | None = None


def _report(ctx: Context[SearchState], event: ProgressEvent) -> None:
    """Progress for the caller's stream, and as a note on this step's span for the run trace."""
    ctx.write_event_to_stream(event)
    _dispatcher.event(StepNote(message=event.message))


class LogSearchWorkflow(Workflow):
    """Answers one `SearchJob` with a `SearchResult` (the StopEvent's result)."""

    def __init__(
        self,
        *,
        index: LogIndex,
        logstore: Logstore | None = None,
        config: ServiceConfig | None = None,
        refiner: Refiner | None = None,
        id_key: bytes | None = None,
        timeout: float = 120.0,
        clean_helper: bool = True,
    ) -> None:
        """`id_key` keys the record ids (see `record_ids`); with it, records the session already
        stored are recognised before cleaning and skipped, and a session this workflow creates
        keeps the key's `key_mark`. `clean_helper`: a big fetch's messages are cleaned by a second
        process while it reads (`clean_messages.MessageHelper`)."""
        super().__init__(timeout=timeout)
        self.id_key = id_key
        self.clean_helper = clean_helper
        self.index = index
        self.logstore = logstore
        self.config = config
        self.redactor = Redactor.for_config(config)
        self.refiner = refiner or RuleRefiner(config)
        self.retriever = Retriever(index)

    @step
    async def start(self, ctx: Context[SearchState], ev: SearchStart) -> FetchRequested | RefineRequested:
        async with ctx.store.edit_state() as state:
            state.utc_offset = ev.job.utc_offset
        if ev.job.query is not None:
            if self.logstore is None:
                raise ConnectorError("this search asks to fetch logs, but no logstore is configured")
            return FetchRequested(job=ev.job)
        _report(ctx, ProgressEvent(stage="fetch", message="searching stored logs only"))
        return RefineRequested(job=ev.job)

    @step(retry_policy=FETCH_RETRY)
    async def fetch(self, ctx: Context[SearchState], ev: FetchRequested) -> Fetched:
        assert self.logstore is not None and ev.job.query is not None
        query = with_config(ev.job.query, self.config)
        loop = asyncio.get_running_loop()

        def reading(message: str) -> None:  # from the fetch's thread: handed to this loop
            loop.call_soon_threadsafe(_report, ctx, ProgressEvent(stage="fetch", message=message))

        helper = (
            MessageHelper(self.config, message_cap(self.config), most=query.limit)
            if self.clean_helper
            else None
        )
        token = FETCH_PROGRESS.set(reading)  # to_thread runs the fetch in a copy of this context
        seen = FETCH_SEEN.set((lambda record: helper.offer(record.message)) if helper is not None else None)
        try:
            result = await asyncio.to_thread(fetch_relaxed, self.logstore, query)
        except BaseException:
            if helper is not None:
                helper.close()
            raise
        finally:
            FETCH_SEEN.reset(seen)
            FETCH_PROGRESS.reset(token)
        # What was not read (files skipped, malformed lines located), then the first other fact.
        said = result.report.sentences()[: len(result.report.input_sentences()) + 1]
        _report(
            ctx,
            ProgressEvent(
                stage="fetch",
                message=f"fetched {len(result.records)} records from {self.logstore.name}"
                + "".join(f"; {sentence}" for sentence in said),
                data={
                    "fetched": len(result.records),
                    "skipped": result.skipped,
                    "query": query.model_dump(mode="json", exclude_none=True),
                    "report": result.report.model_dump(mode="json", exclude_defaults=True),
                },
            ),
        )
        return Fetched(
            job=ev.job,
            records=result.records,
            skipped=result.skipped,
            problems=result.problems,
            report=result.report,
            helper=helper,
        )

    @step
    async def clean(self, ctx: Context[SearchState], ev: Fetched) -> Cleaned:
        async with ctx.store.edit_state() as state:
            state.fetched, state.skipped, state.problems = len(ev.records), ev.skipped, ev.problems
            state.report = ev.report
            clock = log_clock(ev.records)
            if clock is not None:
                state.utc_offset = clock
        try:
            records, ids = await self._not_stored(ev)
            done = await asyncio.to_thread(ev.helper.take) if ev.helper is not None else None
        finally:  # `take` stops the helper; a failure before it must not leave it running
            if ev.helper is not None:
                ev.helper.close()
        known = len(ev.records) - len(records)
        result = await asyncio.to_thread(
            clean_table, records, self.config, self.redactor, id_key=self.id_key, ids=ids, done=done
        )
        # Done with the fetched records: let them go before the store step rather than when the
        # workflow lets go of this event (100k records hold ~180 MB; the clean table a fifth).
        ev.records.clear()
        helped = len(done or ())
        helper_mb = ev.helper.peak_mb if ev.helper is not None else None
        del records, ids, done
        _report(
            ctx,
            ProgressEvent(
                stage="clean",
                message=f"cleaned {result.rows.num_rows} new records ({result.redactions} redactions)"
                + (f"; {known} were already stored in this thread" if known else ""),
                data={
                    "kept": result.rows.num_rows,
                    "redactions": result.redactions,
                    "already_stored": known,
                    "messages_cleaned_by_helper": helped,
                    "helper_peak_mb": helper_mb,
                },
            ),
        )
        return Cleaned(job=ev.job, rows=result.rows, redactions=result.redactions, already_stored=known)

    async def _not_stored(self, ev: Fetched) -> tuple[list[LogRecord], list[str] | None]:
        """The fetched records the session does not store yet, and their ids (None: no id key,
        so every record is cleaned and the index tells the stored ones by their cleaned id)."""
        if self.id_key is None:
            return ev.records, None
        every = record_ids(ev.records, self.id_key)
        stored = await asyncio.to_thread(self.index.stored_ids, ev.job.session, ev.job.table, every)
        fresh = [i for i, record_id in enumerate(every) if record_id not in stored]
        return [ev.records[i] for i in fresh], [every[i] for i in fresh]

    @step
    async def embed(self, ctx: Context[SearchState], ev: Cleaned) -> RefineRequested:
        if ev.rows.num_rows:
            mark = key_mark(self.id_key) if self.id_key is not None else None
            stats = await asyncio.to_thread(
                self.index.ingest, ev.job.session, ev.job.table, ev.rows, id_mark=mark
            )
        else:  # everything fetched is stored already: nothing to embed or write
            stats = IngestStats(
                fetched=0, new=0, already_stored=0, shapes_embedded=0, shapes_reused=0, seconds=0.0
            )
        async with ctx.store.edit_state() as state:
            state.new = stats.new
        _report(
            ctx,
            ProgressEvent(
                stage="embed",
                message=f"stored {stats.new} new records in {ev.job.table} "
                f"({ev.already_stored + stats.already_stored} already there, "
                f"{stats.shapes_embedded} shapes embedded)",
                data={
                    **stats.model_dump(mode="json"),
                    "already_stored": ev.already_stored + stats.already_stored,
                },
            ),
        )
        return RefineRequested(job=ev.job)

    @step
    async def refine(self, ctx: Context[SearchState], ev: RefineRequested) -> Refined:
        now = ev.job.now or datetime.now(UTC)
        job = ev.job
        state = await ctx.store.get_state()
        # In a thread: an LLM refiner waits on the network.
        plan = await asyncio.to_thread(
            self.refiner.refine,
            job.question,
            now=now,
            environment=job.environment,
            thread=job.thread,
            utc_offset=state.utc_offset,
        )
        plan = apply_overrides(plan, ev.job)
        plan = after_fetch(plan, state.report)
        filters = [f"'{i}'" for i in plan.identifiers] + [f"{k}={v}" for k, v in plan.field_filters.items()]
        _report(
            ctx,
            ProgressEvent(
                stage="refine",
                message="searching for: "
                + plan.query_text[:120]
                + (f"; filters: {', '.join(filters)}" if filters else "")
                + (f"; level ≥ {plan.min_level}" if plan.min_level else "")
                + (
                    "; window " + span(plan.window.start, plan.window.end, plan.utc_offset, MINUTES)
                    if plan.window
                    else ""
                ),
                data=plan.model_dump(mode="json"),
            ),
        )
        return Refined(job=ev.job, plan=plan)

    @step
    async def retrieve(self, ctx: Context[SearchState], ev: Refined) -> StopEvent:
        lines, relaxed = await asyncio.to_thread(
            self.retriever.retrieve, ev.job.session, ev.plan, k=ev.job.k, tables=ev.job.search_tables
        )
        subject = await asyncio.to_thread(
            subject_hosts, self.index, ev.job.session, ev.job.search_tables, ev.plan, lines[: ev.job.k]
        )
        state = await ctx.store.get_state()
        wide = await asyncio.to_thread(wider_than_stored, self.index, ev.job, ev.plan)
        if wide is not None:
            state.warnings.append(wide)
        _report(
            ctx,
            ProgressEvent(
                stage="retrieve",
                message=f"found {len(lines)} distinct lines"
                + (f" (relaxed: {', '.join(relaxed)})" if relaxed else "")
                + "".join(f"; {note}" for note in ev.plan.read_notes)
                + (f"; {wide}" if wide else ""),
                data={"lines": len(lines), "relaxed": relaxed},
            ),
        )
        return StopEvent(
            result=SearchResult(
                question=ev.job.question,
                session=ev.job.session,
                plan=ev.plan,
                lines=lines,
                fetched=state.fetched,
                new=state.new,
                skipped=state.skipped,
                problems=state.problems,
                warnings=state.warnings,
                relaxed=relaxed,
                utc_offset=state.utc_offset,
                fetch_report=state.report,
                hosts=subject[0] if subject else None,
                host_one=subject[1] if subject else None,
            )
        )


def wider_than_stored(index: LogIndex, job: SearchJob, plan: RetrievalPlan) -> str | None:
    """When the plan's window holds every line the searched tables store and reaches over a day
    past them ("1970-01-01 to 2100-01-01"), a sentence saying so; else None."""
    window = plan.window
    if window is None or window.end - window.start <= WIDE or job.session not in index.list_sessions():
        return None
    stored = index.time_span(job.session, tables=job.search_tables)
    if stored is None:
        return None
    first, last = (datetime.fromtimestamp(us / 1_000_000, UTC) for us in stored)
    if (
        not (window.start <= first and last <= window.end)
        or max(first - window.start, window.end - last) <= WIDE
    ):
        return None
    return (
        f"the window {span(window.start, window.end, plan.utc_offset, MINUTES)} is wider than the logs "
        f"this thread holds ({span(first, last, plan.utc_offset)}): it holds all of them"
    )
