"""Error analysis: features derived from reference flows, FlowSim per feature, deltas."""

from __future__ import annotations

from typing import Any

import pytest

from evals.analysis import derived_features, feature_analysis, feature_matrix, max_depth
from evals.dataset import EvalCase
from evals.scoring import CaseRecord
from schemas.flow import Flow


def _flow(trigger: dict[str, Any] | None, *components: dict[str, Any]) -> Flow:
    comps = [{"scope": "global", **c, "order": i} for i, c in enumerate(components, start=1)]
    return Flow.model_validate({"name": "f", "trigger": trigger, "components": comps})


def _act(
    definition: str, block: int | None = None, scope: str = "global", **inputs: str
) -> dict[str, Any]:
    return {
        "category": "action",
        "definition": definition,
        "scope": scope,
        "block": block,
        "inputs": [{"name": k, "value": v} for k, v in inputs.items()],
    }


def _logic(token: str, block: int | None = None, **inputs: str) -> dict[str, Any]:
    return {**_act(token, block, **inputs), "category": "flowlogic"}


RECORD_TRIGGER = {"type": "record_update", "inputs": [{"name": "table", "value": "incident"}]}


def test_paths_of_a_parallel_are_not_a_nesting_level() -> None:
    flat_parallel = _flow(
        RECORD_TRIGGER,
        _logic("PARALLEL"),
        _logic("PATH", 1),
        _act("log", 2),
        _logic("PATH", 1),
        _act("log", 4),
    )
    assert max_depth(flat_parallel.components) == 1
    assert "nesting" not in derived_features(flat_parallel)
    if_in_foreach = _flow(
        RECORD_TRIGGER,
        _act("look_up_records", table="incident"),
        _logic("FOREACH", items="{{step_1.records}}"),
        _logic("IF", 2, condition="{{step_2.item.priority}}=1"),
        _act("log", 3),
    )
    assert max_depth(if_in_foreach.components) == 2
    assert {"foreach", "ifelse", "nesting", "pills"} <= derived_features(if_in_foreach)


@pytest.mark.parametrize(
    ("value", "dot_walk"),
    [
        ("{{trigger.current.assigned_to}}", False),  # a field of the trigger record
        ("{{step_1.record.manager}}", False),
        ("{{trigger.current.caller_id.manager}}", True),  # through a reference field
        ("{{step_2.item.requested_for.email}}", True),
    ],
)
def test_dot_walk_means_walking_through_a_reference(value: str, dot_walk: bool) -> None:
    flow = _flow(RECORD_TRIGGER, _act("send_email", ah_to=value, ah_subject="s"))
    assert ("dot_walk" in derived_features(flow)) is dot_walk


def test_dotted_condition_field_and_multiple_conditions() -> None:
    trigger = {
        "type": "record_create",
        "inputs": [
            {"name": "table", "value": "incident"},
            {"name": "condition", "value": "caller_id.vip=true^priority=1"},
        ],
    }
    found = derived_features(_flow(trigger, _act("log")))
    assert {"dot_walk", "multiple_conditions"} <= found
    single = {"type": "record_create", "inputs": [{"name": "condition", "value": "priority=1"}]}
    assert not {"dot_walk", "multiple_conditions", "pills"} & derived_features(
        _flow(single, _act("log"))
    )


def test_enterprise_features() -> None:
    sla = _flow({"type": "sla_task", "inputs": []}, _act("sla_percentage_timer", percentage="75"))
    assert "sla" in derived_features(sla)
    catalog = _flow(
        {"type": "service_catalog", "inputs": []},
        _act("ask_for_approval", record="{{trigger.request_item}}", table="sc_req_item"),
    )
    assert {"service_catalog", "approval", "pills"} <= derived_features(catalog)
    email = _flow({"type": "email", "inputs": []}, _act("post_message", scope="sn_slack_ah"))
    assert {"email_trigger", "spoke"} <= derived_features(email)
    notes = _flow(RECORD_TRIGGER, _act("update_record", values="work_notes=done"))
    assert derived_features(notes) == {"work_notes"}


def _case(case_id: str, flow: Flow, features: list[str]) -> EvalCase:
    return EvalCase(id=case_id, requirement=case_id, flow=flow, features=features)


def _rec(case_id: str, outline: float, full: float) -> CaseRecord:
    return CaseRecord(case_id=case_id, ok=True, flowsim_outline=outline, flowsim_full=full)


def test_flowsim_per_feature_with_deltas_against_the_first_configuration() -> None:
    loop = _flow(
        RECORD_TRIGGER,
        _act("look_up_records", table="incident"),
        _logic("FOREACH", items="{{step_1.records}}"),
        _act("log", 2),
    )
    plain = _flow(RECORD_TRIGGER, _act("log"))
    cases = [
        _case("a", loop, ["implicit"]),
        _case("b", plain, ["explicit"]),
        _case("c", loop, ["explicit"]),
    ]
    by_config = {
        "base": [_rec("a", 0.5, 0.4), _rec("b", 1.0, 1.0), _rec("c", 0.7, 0.6)],
        "better": [_rec("a", 0.9, 0.8), _rec("b", 1.0, 1.0), _rec("c", 0.9, 0.6)],
    }
    result = feature_analysis(cases, by_config)
    assert result["baseline"] == "base"
    assert result["matrix"]["a"] == ["foreach", "implicit", "pills"]
    foreach = result["by_feature"]["foreach"]
    assert foreach["n"] == 2
    assert foreach["configs"]["base"]["flowsim_outline"] == pytest.approx(0.6)
    assert foreach["configs"]["better"]["flowsim_outline"] == pytest.approx(0.9)
    assert foreach["delta"]["better"]["flowsim_outline"] == pytest.approx(0.3)
    assert foreach["delta"]["better"]["flowsim_full"] == pytest.approx(0.2)
    assert foreach["delta"]["base"]["flowsim_outline"] == 0.0
    assert result["by_feature"]["all"]["n"] == 3
    assert result["by_feature"]["implicit"]["configs"]["better"][
        "flowsim_outline"
    ] == pytest.approx(0.9)
    assert "parallel" not in result["by_feature"]  # no case has it


def test_unknown_tags_are_kept_as_extra_features() -> None:
    cases = [_case("a", _flow(RECORD_TRIGGER, _act("log")), ["explicit", "customer_specific"])]
    assert feature_matrix(cases)["a"] == ["customer_specific", "explicit"]
    result = feature_analysis(cases, {"only": [_rec("a", 0.25, 0.5)]})
    assert result["by_feature"]["customer_specific"]["configs"]["only"]["flowsim_full"] == 0.5
