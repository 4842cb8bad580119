"""Retrieval eval: recall@1, recall@5 and MRR per kind on the labelled phrase set.

Each case of `evals/datasets/retrieval.jsonl` is a phrase written the way users describe a
step, with the kind of thing to find and the acceptable answers:

- ``step``: ``definition@scope`` (``look_up_records@global``, ``FOREACH@global``)
- ``table``: ``incident``
- ``column``: ``table.column``, searched within the case's ``table`` (as the generator does
  once it knows the table)
- ``choice``: ``table.column=value``, searched among that column's choices
- ``trigger``: the trigger type (``record_update``)

A case's rank is the 1-based position of the first acceptable hit in the top 10 (MRR counts
a miss as 0). Run: ``python -m evals.retrieval_eval [--backend sqlite] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal, get_args

from catalog import CatalogError, load_catalog
from schemas.catalog import Catalog
from tools.retriever import Backend, RetrievalError, Retriever, make_retriever

CaseKind = Literal["step", "table", "column", "choice", "trigger"]
KINDS: tuple[CaseKind, ...] = get_args(CaseKind)
DATASET = Path(__file__).resolve().parent / "datasets" / "retrieval.jsonl"
DEPTH = 10


class DatasetError(ValueError):
    """The labelled set is malformed or names items the catalog lacks."""


@dataclass(frozen=True, slots=True)
class RetrievalCase:
    """One labelled phrase."""

    id: str
    kind: CaseKind
    query: str
    expected: tuple[str, ...]
    table: str | None = None


@dataclass(frozen=True, slots=True)
class KindScore:
    """Scores of one kind."""

    n: int
    recall_at_1: float
    recall_at_5: float
    mrr: float


def load_cases(path: Path = DATASET) -> list[RetrievalCase]:
    """Read the labelled set (one JSON object per line).

    Raises:
        DatasetError: a line is not a valid case.
    """
    cases: list[RetrievalCase] = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            case = RetrievalCase(raw["id"], raw["kind"], raw["query"], tuple(raw["expected"]),
                                 raw.get("table"))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise DatasetError(f"{path}:{number}: not a retrieval case ({exc})") from None
        if case.kind not in KINDS or not case.expected:
            raise DatasetError(f"{path}:{number}: bad kind or empty expected")
        cases.append(case)
    return cases


def check_cases(cases: Sequence[RetrievalCase], catalog: Catalog) -> None:
    """Raise DatasetError if an expected answer names something the catalog lacks."""
    for case in cases:
        for answer in case.expected:
            if not _exists(case.kind, answer, catalog):
                raise DatasetError(f"case {case.id}: {answer!r} is not in catalog "
                                   f"{catalog.instance!r}")


def _exists(kind: CaseKind, answer: str, catalog: Catalog) -> bool:
    if kind == "step":
        name, _, scope = answer.partition("@")
        return catalog.action(name, scope) is not None or catalog.logic(name) is not None
    if kind == "table":
        return catalog.table(answer) is not None
    if kind == "trigger":
        return catalog.trigger(answer) is not None
    field, _, value = answer.partition("=")
    table, _, column = field.partition(".")
    col = catalog.column(table, column)
    return col is not None and (kind == "column" or value in col.choice_values())


def ranked_answers(retriever: Retriever, case: RetrievalCase) -> list[str]:
    """Return the top-`DEPTH` hits for the case, rendered like its expected answers."""
    q = case.query
    if case.kind == "step":
        return [f"{h.definition}@{h.scope}" for h in retriever.search_steps(q, DEPTH)]
    if case.kind == "table":
        return [h.name for h in retriever.search_tables(q, DEPTH)]
    if case.kind == "column":
        return [f"{h.table}.{h.column}" for h in retriever.search_columns(q, case.table, DEPTH)]
    if case.kind == "trigger":
        return [h.type for h in retriever.search_triggers(q, DEPTH)]
    table, _, rest = case.expected[0].partition(".")
    column = rest.partition("=")[0]
    hits = retriever.search_choices(table, column, q, DEPTH)
    return [f"{h.table}.{h.column}={h.value}" for h in hits]


def rank_of(retriever: Retriever, case: RetrievalCase) -> int | None:
    """Return the 1-based rank of the first acceptable answer, or None if not in the top 10."""
    for rank, answer in enumerate(ranked_answers(retriever, case), 1):
        if answer in case.expected:
            return rank
    return None


def score(ranks: Sequence[int | None]) -> KindScore:
    """Aggregate ranks into recall@1, recall@5 and MRR."""
    n = len(ranks)
    if n == 0:
        return KindScore(0, 0.0, 0.0, 0.0)
    return KindScore(
        n,
        sum(1 for r in ranks if r is not None and r <= 1) / n,
        sum(1 for r in ranks if r is not None and r <= 5) / n,
        sum(1 / r for r in ranks if r is not None) / n,
    )


def evaluate(
    retriever: Retriever, cases: Sequence[RetrievalCase]
) -> tuple[dict[str, KindScore], list[tuple[RetrievalCase, int | None]]]:
    """Score every case; return per-kind scores (plus "all") and each case's rank."""
    ranked = [(case, rank_of(retriever, case)) for case in cases]
    scores: dict[str, KindScore] = {
        k: score([r for c, r in ranked if c.kind == k]) for k in KINDS
    }
    scores["all"] = score([r for _, r in ranked])
    return scores, ranked


def format_scores(scores: dict[str, KindScore]) -> str:
    """Render the per-kind table."""
    lines = [f"{'kind':<8} {'n':>4} {'R@1':>6} {'R@5':>6} {'MRR':>6}"]
    for kind, s in scores.items():
        lines.append(f"{kind:<8} {s.n:>4} {s.recall_at_1:>6.3f} {s.recall_at_5:>6.3f} "
                     f"{s.mrr:>6.3f}")
    return "\n".join(lines)


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m evals.retrieval_eval",
                                     description="Recall@1/@5 and MRR per kind.")
    parser.add_argument("--backend", choices=get_args(Backend), default="sqlite")
    parser.add_argument("--catalog", default=None, help="catalog path (default: demo)")
    parser.add_argument("--dataset", type=Path, default=DATASET)
    parser.add_argument("--no-synonyms", action="store_true",
                        help="SQLite only: disable query synonyms (for before/after numbers)")
    parser.add_argument("--misses", action="store_true", help="list cases missing from top 5")
    parser.add_argument("--json", action="store_true", help="print JSON")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the eval and print the table (or JSON); exit 2 on unusable input."""
    args = _parse(argv)
    try:
        catalog = load_catalog(args.catalog)
        cases = load_cases(args.dataset)
        check_cases(cases, catalog)
        options = {"synonyms": False} if args.no_synonyms and args.backend == "sqlite" else {}
        retriever = make_retriever(catalog, args.backend, **options)
        scores, ranked = _evaluate_closing(retriever, cases)
    except (CatalogError, DatasetError, OSError, RetrievalError) as exc:
        sys.stderr.write(f"retrieval_eval: error: {exc}\n")
        return 2
    if args.json:
        out = json.dumps({k: asdict(v) for k, v in scores.items()}, indent=2)
    else:
        out = format_scores(scores)
    if args.misses:
        out += "".join(
            f"\nmiss {case.id} rank={rank} {case.query!r} -> {list(case.expected)}"
            for case, rank in ranked
            if rank is None or rank > 5
        )
    sys.stdout.write(out + "\n")
    return 0


def _evaluate_closing(
    retriever: Retriever, cases: Sequence[RetrievalCase]
) -> tuple[dict[str, KindScore], list[tuple[RetrievalCase, int | None]]]:
    try:
        return evaluate(retriever, cases)
    finally:
        retriever.close()


if __name__ == "__main__":
    raise SystemExit(main())
