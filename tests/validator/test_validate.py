"""Behaviour of `validate` beyond the fixtures: ordering, hints, pipeline stops, inputs."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from catalog import demo_catalog
from schemas.flow import Flow
from validator import validate

CLEAN = Path(__file__).resolve().parents[1] / "fixtures" / "flows" / "clean"


def _spec() -> dict[str, Any]:
    return json.loads((CLEAN / "spec_example.json").read_text(encoding="utf-8"))


def _codes(value: object) -> list[str]:
    return [i.code for i in validate(value, demo_catalog())]


def test_accepts_text_bytes_dicts_and_models() -> None:
    doc = _spec()
    text = json.dumps(doc)
    for value in (doc, text, text.encode(), bytearray(text.encode()), Flow.model_validate(doc)):
        assert _codes(value) == []


def test_issues_are_sorted_by_path_numerically_then_code() -> None:
    doc = _spec()
    for comp in doc["components"]:
        comp["definition"] = comp["definition"] + "_x"
    doc["components"][2]["inputs"][0]["value"] = "nope"
    doc["trigger"]["type"] = "bogus"
    paths = [i.path for i in validate(doc, demo_catalog())]
    assert paths == [
        "/components/0/definition",
        "/components/1/definition",
        "/components/2/definition",
        "/trigger/type",
    ]
    many = {
        "name": "x",
        "trigger": None,
        "components": [{"category": "bad", "order": i} for i in range(1, 13)],
    }
    found = [i.path for i in validate(many, demo_catalog())]
    assert found.index("/components/2/category") < found.index("/components/10/category")


def test_schema_violation_stops_before_structure_and_grounding() -> None:
    doc = _spec()
    doc["trigger"]["type"] = "bogus"
    doc["components"][0]["order"] = "1"
    assert _codes(doc) == ["schema_violation"]


def test_bad_skeleton_still_grounds_names() -> None:
    doc = _spec()
    doc["components"][0]["definition"] = "look_up_recordz"
    doc["components"][1]["order"] = 7
    assert sorted(_codes(doc)) == ["bad_order", "unknown_action"]


def test_label_instead_of_stored_value_names_the_stored_value() -> None:
    doc = _spec()
    doc["components"][2]["inputs"][2]["value"] = "state=resolved"
    (found,) = validate(doc, demo_catalog())
    assert found.code == "unknown_choice_value"
    assert "'6'" in found.hint and "state=6" in found.hint
    assert found.path == "/components/2/inputs/2/value" and found.order == 3


def test_missing_inputs_are_named_with_their_types() -> None:
    doc = _spec()
    doc["components"][2]["inputs"] = [{"name": "record", "value": "{{step_2.item}}"}]
    (found,) = validate(doc, demo_catalog())
    assert found.code == "missing_required_input"
    assert "table_name" in found.message and "values" in found.message


def test_outline_needs_no_inputs_but_a_full_flow_does() -> None:
    doc = _spec()
    outline = copy.deepcopy(doc)
    for comp in outline["components"]:
        comp["inputs"] = []
    outline["trigger"]["inputs"] = []
    assert _codes(outline) == []
    doc["components"][0]["inputs"] = []
    doc["components"][2]["inputs"] = []
    assert _codes(doc) == ["missing_required_input"]


def test_dountil_condition_may_read_its_own_body() -> None:
    flow = json.loads((CLEAN / "dountil_exitloop.json").read_text(encoding="utf-8"))
    assert _codes(flow) == []
    flow["components"][0]["definition"] = "IF"
    flow["components"][3]["definition"] = "ENDFLOW"  # EXITLOOP is only valid in a loop
    assert _codes(flow) == ["pill_forward_reference"]


def test_pill_into_trigger_input_is_out_of_scope() -> None:
    doc = _spec()
    doc["trigger"]["inputs"][1]["value"] = "manager={{trigger.current.manager}}"
    assert _codes(doc) == ["pill_out_of_scope"]


def test_flow_variable_read_before_it_is_set() -> None:
    doc = _spec()
    doc["components"][2]["inputs"][2]["value"] = "assigned_to={{flow.owner}}"
    doc["components"].append(
        {
            "category": "flowlogic",
            "definition": "SETFLOWVARIABLES",
            "order": 4,
            "inputs": [{"name": "owner", "value": "x"}],
        }
    )
    assert _codes(doc) == ["pill_forward_reference"]


def test_subflow_pills_in_a_flow_and_trigger_pills_in_a_subflow() -> None:
    doc = _spec()
    doc["components"][2]["inputs"][1]["value"] = "{{subflow.user}}"
    assert _codes(doc) == ["pill_out_of_scope"]
    sub = json.loads((CLEAN / "subflow_with_outputs.json").read_text(encoding="utf-8"))
    sub["components"][0]["inputs"][1]["value"] = "location={{trigger.current.location}}"
    assert _codes(sub) == ["pill_out_of_scope"]
    sub = json.loads((CLEAN / "subflow_with_outputs.json").read_text(encoding="utf-8"))
    sub["components"][5]["inputs"][0]["name"] = "laptop"
    assert _codes(sub) == ["unknown_input"]


def test_same_bad_pill_twice_in_one_value_is_one_issue() -> None:
    doc = _spec()
    doc["components"][2]["inputs"][2]["value"] = "assigned_to={{step_9.x}}^opened_by={{step_9.x}}"
    assert _codes(doc) == ["pill_unknown_step"]


def test_dot_walk_through_inheritance_and_into_unknown_reference_tables() -> None:
    doc = _spec()
    # incident inherits assigned_to from task; sys_user.department → cmn_department.
    doc["components"][2]["inputs"][2]["value"] = (
        "work_notes={{step_2.item.assigned_to.department.name}}^assigned_to={{trigger.current.manager}}"
    )
    assert _codes(doc) == []


def test_type_mismatch_for_a_list_into_a_scalar_field() -> None:
    doc = _spec()
    doc["components"][2]["inputs"][0]["value"] = "{{step_1.records}}"
    assert _codes(doc) == ["type_mismatch"]


def test_keys_that_look_numeric_sort_without_error() -> None:
    huge = "9" * 5000
    issues = validate(
        {"¹": None, huge: None, "2": None, "name": "x", "trigger": None}, demo_catalog()
    )
    assert [i.path for i in issues] == ["/2", f"/{huge}", "/¹"]


def test_choice_outputs_check_condition_values() -> None:
    flow = json.loads((CLEAN / "service_catalog_trigger.json").read_text(encoding="utf-8"))
    assert _codes(flow) == []
    flow["components"][1]["inputs"][0]["value"] = "{{step_1.approval_state}}=Approved"
    (found,) = validate(flow, demo_catalog())
    assert found.code == "unknown_choice_value" and "'approved'" in found.hint


@pytest.mark.parametrize(
    ("value", "codes"),
    [
        ("the caller's incident", ["type_mismatch"]),  # a name cannot identify the record
        ("record {{step_2.item}}", ["type_mismatch"]),  # text around the pill
        ("0123456789abcdef0123456789abcdef", []),  # a sys_id
        ("{{step_2.item}}", []),
    ],
)
def test_a_record_input_takes_a_record_pill_or_a_sys_id(value: str, codes: list[str]) -> None:
    doc = _spec()
    doc["components"][2]["inputs"][1]["value"] = value
    assert _codes(doc) == codes


def test_a_fixed_reference_input_still_takes_a_display_name() -> None:
    flow = {"name": "n", "trigger": None, "components": [
        {"category": "action", "definition": "send_notification", "scope": "global", "order": 1,
         "annotation": "notify", "inputs": [{"name": "notification", "value": "Welcome User"}]}]}
    assert "type_mismatch" not in _codes(flow)
