"""Run evaluation configurations over datasets, with a resumable per-case cache.

`run_eval` is the whole pipeline: for each dataset and configuration it generates a flow per
case (concurrently, with a progress bar), scores it, caches the record, and finally writes
`results.json`. The generator is injected as a `GeneratorFactory`, so tests drive the runner
with scripted generators and `flowgen eval` plugs in the real one (`evals.generation`).

Resuming: records live in `<run_dir>/cache/<dataset>/<config>.jsonl`; a rerun with the same
`--out` skips every cached case, and because records (latency included) come from the cache the
final numbers are identical to an uninterrupted run.
"""

from __future__ import annotations

import hashlib
import json
import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tqdm import tqdm

from evals.analysis import feature_analysis
from evals.cache import ResultCache
from evals.config import EvalConfig
from evals.dataset import EvalCase
from evals.scoring import CaseRecord, aggregate, failure_record, score_result
from schemas.catalog import Catalog
from schemas.result import GenerationResult

GenerateFn = Callable[[EvalCase, int], GenerationResult]
"""Generate a flow for a case with a per-case seed."""

GeneratorFactory = Callable[[EvalConfig, Catalog], GenerateFn]
"""Build the generate function of one configuration (models are loaded once per config)."""

RESULTS_FILE = "results.json"


@dataclass(frozen=True)
class DatasetRun:
    """One dataset to evaluate: its display name and cases."""

    name: str
    cases: Sequence[EvalCase]
    total: int | None = None
    """Size of the whole dataset when `cases` is its first part (`--limit`)."""


def case_seed(config_seed: int, case_id: str) -> int:
    """Derive a stable per-case seed so results do not depend on run order or concurrency."""
    digest = hashlib.sha256(f"{config_seed}:{case_id}".encode()).hexdigest()
    return int(digest[:8], 16)


def run_case(
    case: EvalCase, config: EvalConfig, generate: GenerateFn, catalog: Catalog
) -> CaseRecord:
    """Generate and score one case; a generator error becomes a failure record.

    This is the per-case boundary of the runner: whatever a model or its client raises for one
    case (HTTP errors, timeouts, decoding bugs) must not cost the rest of the run, so every
    `Exception` from `generate` is recorded with its type and message. `BaseException`s such
    as KeyboardInterrupt still stop the run; the cache keeps what was finished.
    """
    start = time.perf_counter()
    try:
        result = generate(case, case_seed(config.seed, case.id))
    except Exception as exc:  # noqa: BLE001 - per-case boundary, see docstring
        return failure_record(case.id, describe_error(exc), time.perf_counter() - start)
    latency = time.perf_counter() - start
    return score_result(case.id, result, case.gold(), catalog, latency)


def describe_error(exc: BaseException) -> str:
    """Return `Type: message`, plus where it was raised when that is outside the runner.

    The place matters because an unexpected error (a bug, not a model failure) must be
    findable from the report alone.
    """
    text = f"{type(exc).__name__}: {exc}"
    frames = traceback.extract_tb(exc.__traceback__)
    if len(frames) > 1:  # frame 0 is run_case itself
        last = frames[-1]
        text += f" (at {Path(last.filename).name}:{last.lineno})"
    return text


def run_config(
    cases: Sequence[EvalCase],
    config: EvalConfig,
    generate: GenerateFn,
    catalog: Catalog,
    cache: ResultCache,
    progress: bool = True,
    label: str | None = None,
) -> list[CaseRecord]:
    """Run every uncached case of one configuration and return all records in dataset order."""
    todo = [c for c in cases if cache.get(c) is None]
    bar = tqdm(
        total=len(cases),
        initial=len(cases) - len(todo),
        desc=label or config.name,
        disable=not progress,
    )
    try:
        if config.concurrency == 1:
            for case in todo:
                cache.put(case, run_case(case, config, generate, catalog).model_dump())
                bar.update()
        else:
            _run_pool(todo, config, generate, catalog, cache, bar)
    finally:
        bar.close()
    return [CaseRecord.model_validate(cache.get(c)) for c in cases]


def _run_pool(
    todo: Sequence[EvalCase],
    config: EvalConfig,
    generate: GenerateFn,
    catalog: Catalog,
    cache: ResultCache,
    bar: tqdm[Any],
) -> None:
    pool = ThreadPoolExecutor(max_workers=config.concurrency, thread_name_prefix="eval")
    futures: dict[Future[CaseRecord], EvalCase] = {
        pool.submit(run_case, case, config, generate, catalog): case for case in todo
    }
    try:
        for future in as_completed(futures):
            cache.put(futures[future], future.result().model_dump())
            bar.update()
    finally:
        # On Ctrl-C, drop queued cases instead of finishing them; finished ones are cached.
        pool.shutdown(wait=False, cancel_futures=True)


def run_eval(
    datasets: Sequence[DatasetRun],
    configs: Sequence[EvalConfig],
    factory: GeneratorFactory,
    catalog: Catalog,
    out_dir: Path,
    progress: bool = True,
) -> dict[str, Any]:
    """Evaluate every configuration on every dataset and write `results.json` to `out_dir`.

    Returns:
        The results document (also written): per dataset, per configuration the aggregate
        numbers and case records, plus the feature analysis.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    doc: dict[str, Any] = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "catalog": catalog.instance,
        "configs": {c.name: c.model_dump() for c in configs},
        "datasets": {},
    }
    records: dict[str, dict[str, list[CaseRecord]]] = {d.name: {} for d in datasets}
    for config in configs:
        caches = {
            ds.name: ResultCache(
                out_dir / "cache" / ds.name / f"{config.name}.jsonl", config.fingerprint()
            )
            for ds in datasets
        }
        pending = any(caches[ds.name].get(c) is None for ds in datasets for c in ds.cases)
        # A fully cached configuration needs no model: re-rendering must not load one.
        generate = factory(config, catalog) if pending else _unreachable
        for ds in datasets:
            records[ds.name][config.name] = run_config(
                ds.cases,
                config,
                generate,
                catalog,
                caches[ds.name],
                progress,
                f"{ds.name}/{config.name}",
            )
    for ds in datasets:
        doc["datasets"][ds.name] = dataset_section(ds, records[ds.name])
    write_results(out_dir, doc)
    return doc


def _unreachable(case: EvalCase, seed: int) -> GenerationResult:
    """Stand in for a generator that is never needed (every case is cached)."""
    raise AssertionError(f"case {case.id!r} should have been served from the cache")


def dataset_section(ds: DatasetRun, by_config: dict[str, list[CaseRecord]]) -> dict[str, Any]:
    """Build the results of one dataset: aggregates, case records and feature analysis."""
    return {
        "n_cases": len(ds.cases),
        "n_total": ds.total if ds.total is not None else len(ds.cases),
        "case_ids": [c.id for c in ds.cases],
        "configs": {
            name: {"aggregate": aggregate(recs), "cases": [r.model_dump() for r in recs]}
            for name, recs in by_config.items()
        },
        "features": feature_analysis(ds.cases, by_config),
    }


def write_results(out_dir: Path, doc: dict[str, Any]) -> Path:
    """Write the results document as indented JSON and return its path."""
    path = out_dir / RESULTS_FILE
    path.write_text(json.dumps(doc, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return path


def load_results(run_dir: Path) -> dict[str, Any]:
    """Read the results document of a run directory (or a results.json path).

    Raises:
        OSError, ValueError: the file is missing or is not JSON (the CLI turns these into
        one-line errors).
    """
    path = run_dir / RESULTS_FILE if run_dir.is_dir() else run_dir
    doc = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(doc, dict) or "datasets" not in doc:
        raise ValueError(f"{path} is not a flowgen eval results file")
    return doc
