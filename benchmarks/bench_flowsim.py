"""Benchmark FlowSim: our numba TED against the zss reference on the same random flow pairs.

Run `python -m benchmarks.bench_flowsim [--pairs N] [--full-reference-pairs K] [--seed S]`.
For each variant (outline, full) it times ours on N realistic pairs (10–50 components, nested
flow logic, 0–4 inputs each with encoded queries) and the zss reference on the same pairs,
checks that the scores are identical, and prints mean times per pair and the speed-up over the
pairs both ran. zss needs about a minute per full-variant pair of this size (its DP copies edit
scripts cell by cell), so by default it runs the full variant on the first K=10 pairs only;
`--full-reference-pairs 200` runs all of them (hours). Exit 1 if any score differs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

from evals.flow_tree import flow_tree
from evals.flowsim import flowsim
from tests.evals import starflow_reference as oracle
from tests.evals.random_flows import random_pairs

Pair = tuple[dict, dict]


@dataclass(frozen=True)
class VariantResult:
    """Timings of one FlowSim variant over all pairs."""

    name: str
    ours_s: list[float]
    reference_s: list[float]
    mismatches: int
    mean_nodes: float

    @property
    def speedup(self) -> float:
        """Return total reference time over ours on the pairs both ran."""
        return sum(self.reference_s) / sum(self.ours_s[: len(self.reference_s)])


def _timed(fn: object, *args: object) -> tuple[float, float]:
    """Return (result, seconds) of one call."""
    start = time.perf_counter()
    result = fn(*args)  # type: ignore[operator]
    return result, time.perf_counter() - start


def run_variant(pairs: Sequence[Pair], full: bool, reference_pairs: int) -> VariantResult:
    """Time ours on every pair and the reference on the first `reference_pairs`; compare."""
    ours_s: list[float] = []
    reference_s: list[float] = []
    mismatches = 0
    for index, (pred, gold) in enumerate(pairs):
        ours, t_ours = _timed(lambda p, g: flowsim(p, g, full=full), pred, gold)
        ours_s.append(t_ours)
        if index < reference_pairs:
            ref, t_ref = _timed(oracle.flowsim, pred, gold, full)
            reference_s.append(t_ref)
            mismatches += abs(ours - ref) >= 1e-12
    nodes = [len(flow_tree(f, full=full).iter_preorder()) for pair in pairs for f in pair]
    name = "full" if full else "outline"
    return VariantResult(name, ours_s, reference_s, mismatches, statistics.mean(nodes))


def _row(result: VariantResult) -> str:
    ours_ms = statistics.mean(result.ours_s) * 1000
    compared = f"{len(result.reference_s)}/{len(result.ours_s)}"
    ref_ms, speedup = "-", "-"
    if result.reference_s:
        ref_ms = f"{statistics.mean(result.reference_s) * 1000:.1f}"
        speedup = f"{result.speedup:.0f}x"
    return (
        f"{result.name:<8} {result.mean_nodes:>10.0f} {ours_ms:>10.3f} {ref_ms:>12} "
        f"{compared:>9} {speedup:>10} {result.mismatches:>11}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print one row per variant; return 1 if any score differs."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_flowsim")
    parser.add_argument("--pairs", type=int, default=200, help="number of flow pairs")
    parser.add_argument(
        "--full-reference-pairs",
        type=int,
        default=10,
        help="pairs on which zss runs the full variant (it takes ~1 min per pair)",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed of the flows")
    parser.add_argument("--min-components", type=int, default=10)
    parser.add_argument("--max-components", type=int, default=50)
    args = parser.parse_args(argv)
    if args.pairs < 1 or not 1 <= args.min_components <= args.max_components:
        parser.error("need --pairs >= 1 and 1 <= --min-components <= --max-components")
    pairs = random_pairs(args.seed, args.pairs, args.min_components, args.max_components, False)
    _, first_call = _timed(lambda: flowsim(pairs[0][0], pairs[0][1], full=True))
    print(
        f"{len(pairs)} pairs, {args.min_components}-{args.max_components} components, "
        f"seed {args.seed}; first call (numba compile or cache load): {first_call:.2f} s"
    )
    print(f"{'variant':<8} {'mean nodes':>10} {'ours ms':>10} {'zss ms/pair':>12} "
          f"{'zss pairs':>9} {'speed-up':>10} {'mismatches':>11}")  # fmt: skip
    results = [
        run_variant(pairs, False, len(pairs)),
        run_variant(pairs, True, args.full_reference_pairs),
    ]
    for result in results:
        print(_row(result))
    return 1 if any(r.mismatches for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
