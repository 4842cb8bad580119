"""Resumable batch generation over the generator graph's batch API.

`run_batch` feeds every pending item to ``graph.batch_as_completed`` (LangGraph's batch API:
per-item configs with distinct thread ids, concurrency bounded by ``max_concurrency``) and
appends each result to the output the moment it completes. Rerunning with the same output skips
every id already there, so an interrupted batch resumes where it stopped and no item runs twice.
A failing item becomes a `failed` record with its error; the batch goes on.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.runnables import Runnable, RunnableConfig
from pydantic import ValidationError
from tqdm import tqdm

from agent.api import run_config
from agent.batch_io import (
    BatchItem,
    BatchRecord,
    RecordWriter,
    drop_failed,
    failed_record,
    load_done,
    read_items,
)
from agent.settings import ROLES, Settings, load_settings
from schemas.result import GenerationResult


@dataclass
class BatchSummary:
    """What a batch run did, and what its output file now holds."""

    processed: int = 0
    """Records written by this run."""
    skipped: int = 0
    """Ids already in the output before this run (not run again)."""
    statuses: Counter[str] = field(default_factory=Counter)
    """Records per status over the whole output file."""
    mean_repairs: float = 0.0
    """Mean repair rounds over the output's generated flows (status other than failed)."""
    elapsed_s: float = 0.0
    """Wall-clock seconds of this run."""
    interrupted: bool = False
    """True when the run stopped early (Ctrl-C); rerun to resume."""

    @property
    def total(self) -> int:
        """Return the number of records in the output file."""
        return sum(self.statuses.values())

    @property
    def flows_per_minute(self) -> float:
        """Return this run's throughput (records written per minute)."""
        return 60.0 * self.processed / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def render(self) -> str:
        """Return the summary as a few lines for a terminal."""
        counts = ", ".join(f"{k} {v}" for k, v in sorted(self.statuses.items())) or "none"
        head = "interrupted" if self.interrupted else "done"
        return (
            f"batch {head}: {self.processed} written this run, {self.skipped} already done, "
            f"{self.total} in output\nstatus: {counts}\nmean repairs: {self.mean_repairs:.2f}; "
            f"throughput: {self.flows_per_minute:.1f} flows/min over {self.elapsed_s:.1f} s"
        )


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C during a batch; carries the summary of what was written before it."""

    def __init__(self, summary: BatchSummary) -> None:
        """Keep the summary for the caller to report."""
        super().__init__("batch interrupted")
        self.summary = summary


def run_batch(
    items: Sequence[BatchItem] | Path | str,
    output: Path | str,
    *,
    settings: Settings | None = None,
    concurrency: int = 4,
    graph: Runnable[Any, Any] | None = None,
    context: Any = None,
    progress: bool = False,
    retry_failed: bool = False,
) -> BatchSummary:
    """Generate a flow for every item not yet in `output`, appending one record per item.

    Args:
        items: Items, or an input file (JSONL/CSV) whose unusable lines become failed records.
        output: JSONL output; existing records are kept and their ids skipped.
        settings: Generator settings; None: `load_settings()` (environment and defaults).
        concurrency: Items generated at the same time (``max_concurrency``).
        graph: The runnable to batch over; None: the generator graph (`graph.graph`).
        context: Run context passed to every item; None with the default graph: a
            `agent.context.Context` over `settings`, shared so models load once.
        progress: Show a tqdm progress bar (rate, ETA) on stderr.
        retry_failed: First remove the output's failed records so those items run again.

    Raises:
        BatchFileError: the input or output file cannot be used.
        CatalogError, GeneratorError: with the default graph, the catalog or a model cannot
            be loaded.
        BatchInterrupted: Ctrl-C; everything finished before it is in the output.
    """
    settings = settings or load_settings()
    out_path = Path(output)
    problems: list[BatchRecord] = []
    if isinstance(items, str | Path):
        items, problems = read_items(Path(items))
    if graph is None:
        graph, context = _default_graph(settings, context)
    if retry_failed:
        drop_failed(out_path)
    done = load_done(out_path)
    summary = BatchSummary(skipped=len(done))
    started = time.perf_counter()
    pending = [i for i in items if i.id not in done]
    written: list[BatchRecord] = []
    try:
        with RecordWriter(out_path) as writer:
            records = _results(
                problems, pending, done, graph, context, settings, concurrency, progress
            )
            for record in records:
                writer.write(record)
                written.append(record)
    except KeyboardInterrupt:
        summary.interrupted = True
    summary.elapsed_s = time.perf_counter() - started
    summary.processed = len(written)
    _tally(summary, list(done.values()) + written)
    if summary.interrupted:
        raise BatchInterrupted(summary)
    return summary


def _results(
    problems: list[BatchRecord],
    pending: list[BatchItem],
    done: Mapping[str, BatchRecord],
    graph: Runnable[Any, Any],
    context: Any,
    settings: Settings,
    concurrency: int,
    progress: bool,
) -> Iterator[BatchRecord]:
    """Yield input-problem records first, then each item's record as it completes."""
    yield from (p for p in problems if p.id not in done)
    if not pending:
        return
    run_id = uuid.uuid4().hex[:8]
    base = run_config(settings)
    configs: list[RunnableConfig] = [
        {
            # Distinct thread ids: a checkpointer would otherwise mix the items' states.
            "configurable": {**base["configurable"], "thread_id": f"batch-{run_id}-{item.id}"},
            "max_concurrency": max(1, concurrency),
            "recursion_limit": base["recursion_limit"],
            "run_name": f"batch item {item.id}",
        }
        for item in pending
    ]
    inputs = [{"requirement": item.requirement} for item in pending]
    kwargs = {"context": context} if context is not None else {}
    bar = tqdm(total=len(pending), unit="flow", disable=not progress, dynamic_ncols=True)
    with bar:
        # return_exceptions: an item that raises comes back as its exception (the batch item
        # boundary), so one bad requirement or model error never stops the others.
        results = graph.batch_as_completed(inputs, configs, return_exceptions=True, **kwargs)
        for index, output in results:
            bar.update(1)
            yield to_record(pending[index], output)


def to_record(item: BatchItem, output: object) -> BatchRecord:
    """Turn what the graph returned for one item (or the exception it raised) into a record."""
    if isinstance(output, BaseException):
        reason = f"{type(output).__name__}: {output}".splitlines()[0]
        return failed_record(item.id, item.line, item.requirement, reason)
    result = output.get("result") if isinstance(output, Mapping) else output
    try:
        value = GenerationResult.model_validate(result, from_attributes=True)
    except ValidationError as exc:
        reason = f"the graph returned no usable result ({exc.error_count()} problems)"
        return failed_record(item.id, item.line, item.requirement, reason)
    return BatchRecord(id=item.id, line=item.line, **value.model_dump())


def _tally(summary: BatchSummary, records: list[BatchRecord]) -> None:
    summary.statuses = Counter(r.status for r in records)
    generated = [r.repairs_used for r in records if r.status != "failed"]
    summary.mean_repairs = sum(generated) / len(generated) if generated else 0.0


def _default_graph(settings: Settings, context: Any) -> tuple[Runnable[Any, Any], Any]:
    """Return the generator graph and a shared context whose catalog and models are loaded.

    Loading them here, before any item runs, turns a wrong model spec or catalog path into one
    error instead of a failed record for every item (which a rerun would then skip).
    """
    # Imported here: building the generator graph loads its nodes and model factory, which
    # callers that pass their own runnable (tests, benchmarks) do not need.
    from agent.api import make_context
    from graph import graph

    ctx = context if context is not None else make_context(settings)
    ctx.get_catalog()
    for role in ROLES:
        ctx.get_model(role)
    return graph, ctx
