"""Benchmark the SQLite retriever: index build time and query latency p50/p99, on one core.

Two catalogs: the built-in demo instance, and a generated one with realistic names
(1,000 tables × 52 columns = 52,000 columns, with choice values). Queries are the labelled
phrases of `evals/datasets/retrieval.jsonl` on the demo, and phrases built from the same
vocabulary on the generated catalog, spread over every search kind.

Run: ``python -m benchmarks.bench_retrieval [--tables N] [--repeat R] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from catalog import demo_catalog
from evals.retrieval_eval import load_cases
from schemas.catalog import Catalog, Choice, Column, Table
from tools.sqlite_fts import SqliteRetriever

DOMAINS = (
    "hr",
    "finance",
    "facilities",
    "legal",
    "procurement",
    "security",
    "network",
    "cloud",
    "vendor",
    "travel",
    "payroll",
    "training",
    "compliance",
    "audit",
    "marketing",
    "sales",
    "support",
    "asset",
    "license",
    "project",
)
ENTITIES = (
    "request",
    "case",
    "task",
    "asset",
    "invoice",
    "order",
    "review",
    "incident",
    "policy",
    "exception",
    "item",
    "allocation",
    "booking",
    "claim",
    "renewal",
    "assessment",
    "plan",
    "contract",
    "expense",
    "approval",
    "change",
    "account",
    "ticket",
    "visit",
    "survey",
)
_VOCABULARY = """
    approval due start end owner manager cost center status priority category region country
    department vendor budget amount currency reason comment notes score risk level type code
    location requested approved closed opened assigned group user date count number active
    escalation target review renewal expiry contact email phone supplier invoice tax discount
    quantity severity impact urgency channel source account address agreement alert allocation
    application asset attachment audit balance batch benefit billing branch building business
    calendar campaign capacity certificate change checklist claim client compliance component
    condition confidence configuration consent container contract coverage credit criteria
    customer cycle database deadline delivery deposit description device discovery document
    domain duration effective employee entitlement environment estimate event evidence
    exception expense external facility feedback finding fiscal forecast frequency fulfillment
    goal grade hardware hazard health holiday host incident industry inspection instance
    insurance interval inventory issue item job journal key language lease ledger legal license
    limit line lineage maintenance margin market measure meeting method metric milestone model
    module network notice objective obligation offer operation opportunity order organization
    outcome package parent partner payment percentage period permission person plan platform
    policy portfolio position practice premium process product profile program project property
    provider purchase quality quarter rate rating receipt record recovery reference region
    release renewal replacement report request requirement resolution resource response
    retention return revenue role rule salary schedule scope segment sequence server service
    session shift site skill software stage standard statement stock storage subscription
    summary support survey system target task team template term territory threshold ticket
    tier timeline token training transaction transfer trip unit usage value variance vehicle
    version violation visit volume warranty wave weight window workflow zone
"""
WORDS = tuple(_VOCABULARY.split())
CHOICE_LABELS = (
    "New",
    "Open",
    "In Progress",
    "On Hold",
    "Pending Approval",
    "Approved",
    "Rejected",
    "Resolved",
    "Closed",
    "Cancelled",
    "High",
    "Medium",
    "Low",
)
TYPES = ("string", "string", "integer", "reference", "choice", "glide_date_time", "boolean")


@dataclass(frozen=True)
class Result:
    """Latency of one group of searches on one catalog (build time is per catalog)."""

    catalog: str
    searches: str
    tables: int
    columns: int
    build_s: float
    queries: int
    p50_ms: float
    p99_ms: float
    mean_ms: float


def synthetic_catalog(n_tables: int = 1000, columns_per_table: int = 52, seed: int = 7) -> Catalog:
    """Return a generated catalog with realistic table, column and choice names."""
    rng = random.Random(seed)
    tables: list[Table] = []
    pairs = [(d, e) for d in DOMAINS for e in ENTITIES]
    for i in range(n_tables):
        domain, entity = pairs[i % len(pairs)]
        name = f"u_{domain}_{entity}" + (f"_{i // len(pairs)}" if i >= len(pairs) else "")
        label = f"{domain.title()} {entity.title()}"
        tables.append(
            Table(
                name=name,
                label=label,
                description=f"{label} records",
                columns=_columns(rng, columns_per_table),
            )
        )
    return Catalog(instance="synthetic", tables=tuple(tables))


def _columns(rng: random.Random, n: int) -> tuple[Column, ...]:
    out: dict[str, Column] = {}
    while len(out) < n:
        words = rng.sample(WORDS, rng.choice((1, 2, 2, 3)))
        name = "u_" + "_".join(words)
        type_ = rng.choice(TYPES)
        choices = (
            tuple(
                Choice(value=str(v), label=lab)
                for v, lab in enumerate(rng.sample(CHOICE_LABELS, 5), 1)
            )
            if type_ == "choice"
            else ()
        )
        out.setdefault(
            name,
            Column(
                name=name,
                label=" ".join(words).capitalize(),
                type=type_,
                choices=choices,
                reference="sys_user" if type_ == "reference" else None,
                description=f"The {' '.join(words)} of the record" if rng.random() < 0.3 else "",
            ),
        )
    return tuple(out.values())


Query = tuple[str, tuple[Any, ...]]
"""A retriever method name and its positional arguments."""


def demo_queries() -> list[Query]:
    """Return one search per labelled phrase, of the phrase's kind."""
    out: list[Query] = []
    for case in load_cases():
        q = case.query
        if case.kind == "choice":
            table, _, rest = case.expected[0].partition(".")
            out.append(("search_choices", (table, rest.partition("=")[0], q)))
        elif case.kind == "column":
            out.append(("search_columns", (q, case.table)))
        else:
            out.append((f"search_{case.kind}s", (q,)))
    return out


def synthetic_queries(catalog: Catalog, n: int = 100, seed: int = 11) -> dict[str, list[Query]]:
    """Return `n` searches per group: columns everywhere / in a table, tables, choices."""
    rng = random.Random(seed)
    groups: dict[str, list[Query]] = {
        "columns (all tables)": [],
        "columns (in a table)": [],
        "tables": [],
        "choices": [],
    }
    for _ in range(n):
        phrase = f"set the {' '.join(rng.sample(WORDS, rng.choice((1, 2, 3))))}"
        table = rng.choice(catalog.tables)
        groups["columns (all tables)"].append(("search_columns", (phrase,)))
        groups["columns (in a table)"].append(("search_columns", (phrase, table.name)))
        words = f"{rng.choice(DOMAINS)} {rng.choice(ENTITIES)}s"
        groups["tables"].append(("search_tables", (words,)))
        col = next((c for c in table.columns if c.choices), table.columns[0])
        label = rng.choice(CHOICE_LABELS).lower()
        groups["choices"].append(("search_choices", (table.name, col.name, label)))
    return groups


def measure(
    name: str, catalog: Catalog, groups: dict[str, list[Query]], repeat: int
) -> list[Result]:
    """Build a fresh index, warm up, then time each group's searches `repeat` times."""
    n_columns = sum(1 for _ in catalog.iter_columns())
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        retriever = SqliteRetriever(catalog, index_dir=Path(tmp))
        build = round(time.perf_counter() - started, 3)
        with retriever:
            timed = {group: _time(retriever, queries, repeat) for group, queries in groups.items()}
    if len(timed) > 1:
        timed["all (mix)"] = sorted(x for samples in timed.values() for x in samples)
    return [
        Result(name, group, len(catalog.tables), n_columns, build, len(samples), *_stats(samples))
        for group, samples in timed.items()
    ]


def _time(retriever: SqliteRetriever, queries: Sequence[Query], repeat: int) -> list[float]:
    calls = [(getattr(retriever, name), args) for name, args in queries]
    for call, args in calls:  # warm-up: page cache, per-thread connection
        call(*args)
    samples: list[float] = []
    for _ in range(repeat):
        for call, args in calls:
            t0 = time.perf_counter_ns()
            call(*args)
            samples.append((time.perf_counter_ns() - t0) / 1e6)
    return sorted(samples)


def _stats(samples: list[float]) -> tuple[float, float, float]:
    p99 = samples[int(0.99 * (len(samples) - 1))]
    return (
        round(statistics.median(samples), 3),
        round(p99, 3),
        round(statistics.fmean(samples), 3),
    )


def pin_one_core() -> str:
    """Restrict this process to one CPU (Linux), so numbers mean "one core"."""
    if hasattr(os, "sched_setaffinity") and hasattr(os, "sched_getaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity on this platform)"


def main(argv: Sequence[str] | None = None) -> int:
    """Run both benchmarks and print a table (or JSON)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_retrieval")
    parser.add_argument("--tables", type=int, default=1000, help="generated tables (×52 cols)")
    parser.add_argument("--repeat", type=int, default=5, help="timed passes over the queries")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.tables < 1 or args.repeat < 1:
        parser.error("--tables and --repeat must be positive")
    pinned = pin_one_core()
    big = synthetic_catalog(args.tables)
    results = [
        *measure("demo", demo_catalog(), {"labelled phrases": demo_queries()}, args.repeat),
        *measure("synthetic", big, synthetic_queries(big), args.repeat),
    ]
    if args.json:
        sys.stdout.write(json.dumps([asdict(r) for r in results], indent=2) + "\n")
        return 0
    sys.stdout.write(f"SQLite FTS5 retriever, {pinned}\n")
    sys.stdout.write(
        f"{'catalog':<10} {'searches':<21} {'columns':>7} {'build s':>8} "
        f"{'queries':>7} {'p50 ms':>7} {'p99 ms':>7} {'mean ms':>7}\n"
    )
    for r in results:
        sys.stdout.write(
            f"{r.catalog:<10} {r.searches:<21} {r.columns:>7} {r.build_s:>8.2f} "
            f"{r.queries:>7} {r.p50_ms:>7.3f} {r.p99_ms:>7.3f} {r.mean_ms:>7.3f}\n"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
