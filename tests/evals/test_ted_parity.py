"""Parity: our FlowSim and TED equal the zss-based reference exactly on 200 random flow pairs."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest
import zss

from evals.flow_tree import UnscorableFlow
from evals.flowsim import edit_distance, flowsim
from evals.ted import Tree, encode, tree_edit_distance
from tests.evals import starflow_reference as oracle
from tests.evals.random_flows import random_pairs

PAIR_COUNT = 200
# Small flows keep the zss oracle to a few seconds; the benchmark covers realistic sizes.
PAIRS = random_pairs(seed=2024, count=PAIR_COUNT, low=0, high=4, quirky=True, inputs=2)


@pytest.fixture(scope="module")
def oracle_results() -> list[tuple[tuple[float, float | None], tuple[float, float | None]]]:
    """Return the oracle's (FlowSim, zss distance) for each pair, outline then full."""
    return [
        (oracle.flowsim_and_distance(p, g, False), oracle.flowsim_and_distance(p, g, True))
        for p, g in PAIRS
    ]


def test_pairs_exercise_the_quirks() -> None:
    text = repr(PAIRS)
    for quirk in ("^EQ", "message=ERROR", "^or^", "Conditions", "'block': 9", "a to z"):
        assert quirk in text, quirk


@pytest.mark.parametrize("variant", [0, 1], ids=["outline", "full"])
def test_flowsim_equals_reference(variant: int, oracle_results: list[Any]) -> None:
    full = bool(variant)
    scores = [flowsim(p, g, full=full) for p, g in PAIRS]
    expected = [result[variant][0] for result in oracle_results]
    diffs = [abs(a - b) for a, b in zip(scores, expected, strict=True)]
    assert max(diffs) < 1e-12
    assert len(set(expected)) > 20  # the pairs are not all trivially equal or zero


@pytest.mark.parametrize("variant", [0, 1], ids=["outline", "full"])
def test_fast_ted_equals_zss_distance(variant: int, oracle_results: list[Any]) -> None:
    full = bool(variant)
    compared = 0
    for (pred, gold), result in zip(PAIRS, oracle_results, strict=True):
        zss_distance = result[variant][1]
        if zss_distance is None:  # both trees empty, or the reference could not score them
            continue
        assert edit_distance(pred, gold, full=full) == zss_distance
        compared += 1
    assert compared > 150


def test_edit_distance_raises_typed_error_on_unscorable_flow() -> None:
    with pytest.raises(UnscorableFlow):
        edit_distance("{oops", {}, full=False)


def _random_tree(rng: random.Random, size: int) -> Tree:
    """Return a random ordered tree with labels from a small alphabet."""
    nodes = [Tree(rng.choice("abcd"))]
    for _ in range(size - 1):
        child = Tree(rng.choice("abcd"))
        rng.choice(nodes).add(child)
        nodes.append(child)
    return nodes[0]


def _to_zss(tree: Tree) -> zss.Node:
    return zss.Node(tree.label, [_to_zss(child) for child in tree.children])


def test_generic_ted_equals_zss_with_weighted_costs() -> None:
    rng = random.Random(7)
    weight = {"a": 0, "b": 1, "c": 2, "d": 3}
    for _ in range(60):
        a, b = _random_tree(rng, rng.randint(1, 12)), _random_tree(rng, rng.randint(1, 12))
        ea, eb = encode(a), encode(b)
        ours = tree_edit_distance(
            ea,
            eb,
            delete=np.array([weight[str(x)] for x in ea.labels]),
            insert=np.array([weight[str(x)] + 1 for x in eb.labels]),
            rename=np.array([[0 if x == y else 2 for y in eb.labels] for x in ea.labels]),
        )
        expected = zss.distance(
            _to_zss(a),
            _to_zss(b),
            get_children=zss.Node.get_children,
            insert_cost=lambda n: weight[n.label] + 1,
            remove_cost=lambda n: weight[n.label],
            update_cost=lambda x, y: 0 if x.label == y.label else 2,
        )
        assert ours == expected


def test_ted_rejects_mismatched_cost_shapes() -> None:
    tree = encode(Tree("a").add(Tree("b")))
    with pytest.raises(ValueError, match="one entry per node"):
        tree_edit_distance(tree, tree, np.zeros(1), np.zeros(2), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="rename"):
        tree_edit_distance(tree, tree, np.zeros(2), np.zeros(2), np.zeros((1, 2)))


def test_benchmark_runs_and_finds_identical_scores(capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks.bench_flowsim import main

    args = ["--pairs", "3", "--min-components", "2", "--max-components", "4"]
    assert main([*args, "--full-reference-pairs", "2"]) == 0
    out = capsys.readouterr().out
    assert "outline" in out and "full" in out and "speed-up" in out
