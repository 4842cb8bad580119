"""FlowSim behaviour: the spec example, every reference quirk (against the oracle), properties."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evals.flow_query import decompose
from evals.flow_tree import MAX_TREE_NODES, FlowTreeTooLarge, flow_tree
from evals.flowsim import edit_distance, flowsim, macro_average, reference_size
from tests.evals import starflow_reference as oracle
from tests.strategies import json_values, valid_flows

SPEC_EXAMPLE: dict[str, Any] = {
    "name": "Reassign incidents of inactive users",
    "trigger": {
        "type": "record_update",
        "annotation": "When a user becomes inactive",
        "inputs": [
            {"name": "table", "value": "sys_user"},
            {"name": "condition", "value": "active=false"},
        ],
    },
    "components": [
        {"category": "action", "definition": "look_up_records", "scope": "global", "order": 1,
         "inputs": [{"name": "table", "value": "incident"},
                    {"name": "conditions",
                     "value": "assigned_to={{trigger.current.sys_id}}^active=true"}]},
        {"category": "flowlogic", "definition": "FOREACH", "scope": "global", "order": 2,
         "inputs": [{"name": "items", "value": "{{step_1.records}}"}]},
        {"category": "action", "definition": "update_record", "scope": "global", "order": 3,
         "block": 2,
         "inputs": [{"name": "table_name", "value": "incident"},
                    {"name": "record", "value": "{{step_2.item}}"},
                    {"name": "values", "value": "assigned_to={{trigger.current.manager}}"}]},
    ],
}  # fmt: skip


def _variant(**changes: Any) -> dict[str, Any]:
    """Return a deep copy of the spec example with `changes` applied to component 3."""
    flow = copy.deepcopy(SPEC_EXAMPLE)
    flow["components"][2].update(changes)
    return flow


def _assert_parity(pred: Any, gold: Any) -> None:
    """Assert both FlowSim variants equal the oracle's exactly."""
    for full in (False, True):
        ours = flowsim(pred, gold, full=full)
        theirs = oracle.flowsim(pred, gold, full)
        assert abs(ours - theirs) < 1e-12, (full, ours, theirs)


def test_identical_spec_example_scores_one() -> None:
    assert flowsim(SPEC_EXAMPLE, copy.deepcopy(SPEC_EXAMPLE)) == 1.0
    assert flowsim(SPEC_EXAMPLE, json.dumps(SPEC_EXAMPLE), full=True) == 1.0


def test_renaming_a_component_costs_two() -> None:
    # Outline: 4 counted nodes per tree (trigger type + 3 components); one rename costs 2.
    pred = _variant(definition="delete_record")
    assert flowsim(pred, SPEC_EXAMPLE) == pytest.approx(1 - 2 / 8, abs=1e-15)
    _assert_parity(pred, SPEC_EXAMPLE)


def test_outline_ignores_inputs_but_full_does_not() -> None:
    pred = _variant(inputs=[])
    assert flowsim(pred, SPEC_EXAMPLE) == 1.0
    assert flowsim(pred, SPEC_EXAMPLE, full=True) < 1.0
    _assert_parity(pred, SPEC_EXAMPLE)


def test_unparseable_and_non_object_score_zero() -> None:
    for bad in ("{not json", "", "[1, 2]", '"text"', "null", 42, ["trigger"]):
        assert flowsim(bad, SPEC_EXAMPLE) == 0.0
        assert flowsim(SPEC_EXAMPLE, bad, full=True) == 0.0


def test_json_fence_is_unwrapped() -> None:
    answer = "Here it is:\n```json\n" + json.dumps(SPEC_EXAMPLE) + "\n```\nDone."
    assert flowsim(answer, SPEC_EXAMPLE, full=True) == 1.0


def test_both_empty_trees_score_one() -> None:
    assert flowsim({}, {}) == 1.0
    assert flowsim({"trigger": None, "components": []}, {"components": []}, full=True) == 1.0


@pytest.mark.parametrize(
    ("query", "collapses"),
    [
        ("active=true^EQ", True),  # trailing ^EQ leaves an empty term
        ("^active=true", True),  # leading separator
        ("message=ERROR", True),  # "OR" inside the word is a separator
        ("state=", False),  # an empty value is still three parts
        ("priority=1^or^state=2", True),  # lower-case "or" is part of a term with no operator
        ("a to z", True),
        ("^EQ", True),
        ("stateIN1,2", False),
        ("state=Closed IN progress", True),  # a second operator in the value
        ("short_descriptionCONTAINSfoo", True),  # not in the list; IN/ON follow capitals
        ("u_a=b^ORu_c=d^NQu_e=f", False),
        ("nameLIKEa=b", True),  # two operators in one term
    ],
)
def test_query_decomposition_quirks_match_reference(query: str, collapses: bool) -> None:
    assert (decompose(query) is None) == collapses
    assert (oracle.parse_encoded_query(query) == (None, None)) == collapses
    pred = _variant(inputs=[{"name": "values", "value": query}])
    _assert_parity(pred, SPEC_EXAMPLE)
    _assert_parity(pred, pred)


def test_operators_after_capitals_equals_or_commas_are_not_operators() -> None:
    assert decompose("state=ON_HOLD") == ([("state", "=", "ON_HOLD")], [])
    assert decompose("stateNOT IN1,2") == ([("state", "NOT IN", "1,2")], [])
    assert decompose("stateIN1,IN") == ([("state", "IN", "1,IN")], [])


def test_any_component_may_have_children_and_orphans_are_dropped() -> None:
    flow = copy.deepcopy(SPEC_EXAMPLE)
    flow["components"].append(
        {"category": "action", "definition": "log", "scope": "global", "order": 4, "block": 1}
    )
    flow["components"].append(
        {"category": "action", "definition": "log", "scope": "global", "order": 5, "block": 99}
    )
    tree = flow_tree(flow, full=False)
    components = tree.children[1]
    assert [c.label for c in components.children] == [
        "action___look_up_records___global",
        "flowlogic___FOREACH___global",
    ]
    assert components.children[0].children[0].label == "action___log___global"
    assert reference_size(tree) == 5  # trigger type + 4 reachable components
    _assert_parity(flow, SPEC_EXAMPLE)


def test_flowlogic_is_upper_cased_and_scope_defaults_to_global() -> None:
    pred = _variant()
    pred["components"][1] = {"category": "flowlogic", "definition": "forEach", "order": 2}
    assert flowsim(pred, SPEC_EXAMPLE) == 1.0
    _assert_parity(pred, SPEC_EXAMPLE)


def test_non_string_trigger_type_scores_zero_like_the_reference() -> None:
    pred = copy.deepcopy(SPEC_EXAMPLE)
    pred["trigger"]["type"] = 5
    assert flowsim(pred, pred) == 0.0
    _assert_parity(pred, SPEC_EXAMPLE)


def test_structural_prefix_labels_can_push_the_score_below_zero() -> None:
    # Kept for parity: "inputs: x" costs 1 to edit but is not counted in the tree size.
    pred = {"trigger": {"type": "inputs: x"}}
    gold = {"trigger": {"type": "daily"}}
    assert flowsim(pred, gold) == -1.0
    _assert_parity(pred, gold)


def test_oversized_flow_scores_zero_instead_of_exhausting_memory() -> None:
    huge: dict[str, Any] = {"components": [{"category": "action", "definition": "log", "order": 1}]}
    huge["components"][0]["inputs"] = [
        {"name": f"n{i}", "value": "v"} for i in range(MAX_TREE_NODES)
    ]
    with pytest.raises(FlowTreeTooLarge):
        flow_tree(huge, full=True)
    assert flowsim(huge, huge, full=True) == 0.0
    assert flowsim(huge, huge) == 1.0  # the outline tree is small


def test_deeply_nested_flows_are_refused_before_the_quadratic_work() -> None:
    def chain(depth: int) -> dict[str, Any]:
        comps = [
            {"category": "flowlogic", "definition": "IF", "order": i, "block": i - 1 or None,
             "inputs": [{"name": "x", "value": "y"}]}
            for i in range(1, depth + 1)
        ]  # fmt: skip
        return {"trigger": {"type": "daily"}, "components": comps}

    with pytest.raises(FlowTreeTooLarge):
        edit_distance(chain(400), chain(399), full=True)
    assert flowsim(chain(400), chain(399), full=True) == 0.0
    assert flowsim(chain(30), chain(29), full=True) > 0.9


def test_macro_average() -> None:
    assert macro_average([]) == 0.0
    assert macro_average([1.0, 0.5, 0.0]) == 0.5


_PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_PROPS
@given(st.one_of(json_values, valid_flows(max_components=8)), st.booleans())
def test_never_raises_on_arbitrary_json(value: Any, full: bool) -> None:
    assert isinstance(flowsim(value, SPEC_EXAMPLE, full=full), float)
    assert isinstance(flowsim(json.dumps(value), value, full=full), float)


@_PROPS
@given(valid_flows(max_components=10), st.booleans())
def test_identity_scores_one(flow: dict[str, Any], full: bool) -> None:
    assert flowsim(flow, copy.deepcopy(flow), full=full) == 1.0


@_PROPS
@given(valid_flows(max_components=8), valid_flows(max_components=8), st.booleans())
def test_symmetric_and_bounded(a: dict[str, Any], b: dict[str, Any], full: bool) -> None:
    forward = flowsim(a, b, full=full)
    assert forward == flowsim(b, a, full=full)
    assert 0.0 <= forward <= 1.0
