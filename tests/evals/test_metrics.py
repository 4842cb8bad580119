"""TreeBLEU, trigger match, component Jaccard, score_pair and aggregate."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evals.flow_tree import flow_tree
from evals.metrics import (
    METRICS,
    PairScores,
    aggregate,
    component_jaccard,
    score_pair,
    tree_bleu,
    trigger_match,
)
from tests.evals import starflow_reference as oracle
from tests.evals.random_flows import random_pairs
from tests.evals.test_flowsim import SPEC_EXAMPLE
from tests.strategies import json_values, mutated_flows, valid_flows

PAIRS = random_pairs(seed=99, count=300, low=0, high=10, quirky=True)


def _bleu(pred: Any, gold: Any, full: bool) -> float:
    return tree_bleu(flow_tree(pred, full=full), flow_tree(gold, full=full))


def test_companion_metrics_equal_reference_on_random_pairs() -> None:
    for pred, gold in PAIRS:
        scores = score_pair(pred, gold)
        assert scores.tree_bleu == oracle.tree_bleu(pred, gold, True)
        assert scores.tree_bleu_outline == oracle.tree_bleu(pred, gold, False)
        assert scores.trigger_match == oracle.trigger_match(pred, gold)
        assert scores.component_jaccard == oracle.component_jaccard(pred, gold)


def test_tree_bleu_counts_gold_edges_found_in_pred() -> None:
    pred = copy.deepcopy(SPEC_EXAMPLE)
    pred["components"][2]["definition"] = "delete_record"
    # Outline edges of the gold: trigger→record_update, components→C1, components→FOREACH,
    # FOREACH→update_record; the renamed child loses the last one.
    assert _bleu(pred, SPEC_EXAMPLE, False) == 3 / 4
    assert _bleu(SPEC_EXAMPLE, SPEC_EXAMPLE, True) == 1.0
    assert _bleu(SPEC_EXAMPLE, {"components": []}, True) == 0.0  # gold without edges


def test_trigger_match_compares_type_and_sorted_inputs() -> None:
    gold = copy.deepcopy(SPEC_EXAMPLE)
    pred = copy.deepcopy(SPEC_EXAMPLE)
    pred["trigger"]["inputs"].reverse()
    pred["trigger"]["annotation"] = "something else"
    assert trigger_match(pred, gold) == 1.0
    pred["trigger"]["inputs"][0]["value"] = "active=true"
    assert trigger_match(pred, gold) == 0.0
    assert trigger_match({"trigger": None}, {}) is None


def test_component_jaccard_uses_raw_keys() -> None:
    pred = copy.deepcopy(SPEC_EXAMPLE)
    del pred["components"][0]["scope"]  # key becomes action___look_up_records___None
    assert component_jaccard(pred, SPEC_EXAMPLE) == pytest.approx(2 / 4)
    assert component_jaccard({"components": "x"}, SPEC_EXAMPLE) == 0.0
    assert component_jaccard({}, {"components": []}) is None


def test_score_pair_of_unparseable_prediction() -> None:
    scores = score_pair("I could not build that flow.", SPEC_EXAMPLE)
    assert (scores.flowsim_outline, scores.flowsim_full, scores.tree_bleu) == (0.0, 0.0, 0.0)
    assert scores.trigger_match == 0.0
    assert scores.component_jaccard == 0.0
    assert scores.problem is not None and scores.problem.startswith("pred: not valid JSON")


def test_score_pair_names_the_side_that_cannot_be_scored_once() -> None:
    gold = {"components": [{"category": "action", "order": i} for i in range(1, 2500)]}
    scores = score_pair(SPEC_EXAMPLE, gold)
    assert scores.problem == "gold: flow has more than 2000 components"
    assert (scores.flowsim_outline, scores.flowsim_full, scores.tree_bleu) == (0.0, 0.0, 0.0)


def test_score_pair_of_identical_flows_is_perfect() -> None:
    scores = score_pair(json.dumps(SPEC_EXAMPLE), SPEC_EXAMPLE)
    assert scores == PairScores(1.0, 1.0, 1.0, 1.0, 1.0, 1.0, None)


def test_aggregate_means_skip_missing_values() -> None:
    a = PairScores(1.0, 0.5, 1.0, 0.0, None, 1.0)
    b = PairScores(0.0, 0.5, 0.0, 1.0, None, None)
    c = PairScores(0.5, 0.5, 0.5, 0.5, 1.0, 0.0)
    means = aggregate([a, b, c])
    assert list(means) == list(METRICS)
    assert means["flowsim_outline"] == 0.5
    assert means["trigger_match"] == 1.0
    assert means["component_jaccard"] == 0.5
    assert aggregate([]) == dict.fromkeys(METRICS, 0.0)


_PROPS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_PROPS
@given(st.one_of(json_values, mutated_flows()), st.one_of(json_values, valid_flows(8)))
def test_score_pair_never_raises(pred: Any, gold: Any) -> None:
    scores = score_pair(pred, gold)
    for name in METRICS:
        value = getattr(scores, name)
        assert value is None or isinstance(value, float)


@_PROPS
@given(valid_flows(max_components=8))
def test_score_pair_identity(flow: dict[str, Any]) -> None:
    scores = score_pair(flow, copy.deepcopy(flow))
    assert (scores.flowsim_outline, scores.flowsim_full, scores.tree_bleu) == (1.0, 1.0, 1.0)
    assert scores.trigger_match == 1.0
