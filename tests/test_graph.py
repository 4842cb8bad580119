"""The generator graph end to end on scripted models: repair routing, statuses, topology."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion

import agent.models as agent_models
import graph as graph_module
from agent.api import generate
from agent.settings import load_settings
from catalog import demo_catalog
from graph import graph
from schemas.issues import Issue, has_errors
from schemas.result import GenerationResult
from tests.agent.scripted_runs import REQUIREMENT, SCRIPTS, demo_retriever, run_script

LOAD_S = 0.5
"""How long the test's model factory takes to build a model."""
REQUIREMENT_WORD = "inactive"
"""A word of the test requirement: failure reasons must not quote the prompt."""


def codes(issues: list[Issue]) -> set[str]:
    """Return the codes of a list of issues."""
    return {i.code for i in issues}


def flow_of(result: GenerationResult) -> dict[str, Any]:
    """Return the result's flow, failing the test when there is none."""
    assert result.flow is not None, result.reason
    return result.flow


def test_clean_run_is_valid_first_time() -> None:
    result, model = run_script("clean.yaml")
    assert result.status == "valid"
    assert result.issues == [] and result.initial_issues == []
    assert result.repairs_used == 0
    assert [c["definition"] for c in flow_of(result)["components"]] == [
        "look_up_records", "FOREACH", "update_record"]
    assert flow_of(result)["trigger"]["inputs"][0] == {"name": "table", "value": "sys_user"}
    assert {c.node for c in model.calls} == {"plan", "fill", "fill_trigger"}
    assert {"plan", "lookup", "fill", "fill_trigger", "validate"} <= set(result.timings)


def test_model_loading_is_timed_apart_from_the_node_that_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The built-in model takes seconds to load on first use; that is not the planner's time.
    real = agent_models.load_chat_model

    def slow_load(spec: str, settings: Any) -> Any:
        time.sleep(LOAD_S)
        return real(spec, settings)

    monkeypatch.setattr(agent_models, "load_chat_model", slow_load)
    spec = f"scripted:{SCRIPTS / 'clean.yaml'}"
    result = generate(REQUIREMENT, settings=load_settings({"model": spec}, env={}),
                      catalog=demo_catalog(), retriever=demo_retriever())
    assert result.status == "valid"
    assert result.timings["model_load"] >= LOAD_S  # built once: every role shares the spec
    assert result.timings["plan"] < LOAD_S


def test_fill_prompt_shows_lookups_and_pills() -> None:
    _, model = run_script("clean.yaml")
    prompt = model.calls_for("fill", "3")[0].prompt
    assert "{{step_2.item}}" in prompt  # the FOREACH item is in scope for its body
    assert "{{step_1.records}} (records of incident)" in prompt  # predicted table of step 1
    assert "table_name (table_name, mandatory)" in prompt
    assert "sys_user.manager" in prompt  # the trigger record's columns, via its pill


def test_outline_errors_go_to_outline_repair() -> None:
    result, model = run_script("repair_structure.yaml", requirement="when an incident is "
                               "created, if it is P1 log it, otherwise log the rest")
    assert {"else_without_if", "parallel_too_few_paths"} <= codes(result.initial_issues)
    assert result.status == "valid"
    assert result.repairs_used == 1
    repair_prompt = model.calls_for("repair")[0].prompt
    assert "else_without_if" in repair_prompt and "parallel_too_few_paths" in repair_prompt
    assert '"definition":"PARALLEL"' in repair_prompt  # the faulty fragment is quoted
    assert [c["definition"] for c in flow_of(result)["components"]] == ["IF", "log", "ELSE", "log"]


def test_input_error_refills_only_that_step() -> None:
    result, model = run_script("refill_column.yaml")
    assert codes(result.initial_issues) == {"unknown_column"}
    assert result.status == "valid" and result.repairs_used == 1
    assert len(model.calls_for("fill", "1")) == 2
    assert len(model.calls_for("fill", "2")) == 1
    assert len(model.calls_for("fill", "3")) == 1
    assert len(model.calls_for("fill_trigger")) == 1
    assert model.calls_for("repair") == []
    refill_prompt = model.calls_for("fill", "1")[1].prompt
    assert "unknown_column" in refill_prompt and "assigned_too" in refill_prompt


def test_a_foreach_with_no_list_in_scope_goes_to_outline_repair() -> None:
    result, model = run_script("foreach_without_list.yaml")
    lifted = [i for i in result.initial_issues if i.code == "foreach_items_not_list"]
    assert [i.path for i in lifted] == ["/components/0"]  # the step, not its input
    assert result.status == "valid" and result.repairs_used == 1
    assert len(model.calls_for("repair")) == 1
    assert "foreach_items_not_list" in model.calls_for("repair")[0].prompt
    assert [c["definition"] for c in flow_of(result)["components"]] == [
        "look_up_records", "FOREACH", "update_record"]


def test_never_fixed_stops_at_the_budget() -> None:
    result, model = run_script("never_fixes.yaml", max_repairs=2)
    assert result.status == "invalid_after_repairs"
    assert result.repairs_used == 2
    assert len(model.calls_for("fill", "1")) == 3  # first fill + one per repair round
    assert codes(result.issues) == {"unknown_column"}
    assert result.flow is not None


def test_last_resort_fixes_run_once_the_budget_is_spent() -> None:
    result, model = run_script("lone_path.yaml", max_repairs=1)
    assert {"parallel_too_few_paths", "empty_block", "try_without_catch"} <= codes(
        result.initial_issues)
    assert len(model.calls_for("repair")) == 1  # the repairer had its chance first
    assert result.status == "valid" and result.issues == []
    assert len(result.fixes) == 2
    steps = flow_of(result)["components"]
    assert [(c["definition"], c.get("block")) for c in steps] == [
        ("look_up_records", None), ("FOREACH", None), ("update_record", 2)]
    assert steps[1]["inputs"] == [{"name": "items", "value": "{{step_1.records}}"}]
    assert {"name": "record", "value": "{{step_2.item}}"} in steps[2]["inputs"]


def test_a_flow_the_repairer_fixes_gets_no_last_resort_fix() -> None:
    result, _ = run_script("repair_structure.yaml", requirement="when an incident is "
                           "created, if it is P1 log it, otherwise log the rest")
    assert result.status == "valid" and result.fixes == []
    assert "settle" not in result.timings


def test_no_repair_budget_reports_the_first_draft() -> None:
    result, model = run_script("never_fixes.yaml", max_repairs=0)
    assert result.status == "invalid_after_repairs" and result.repairs_used == 0
    assert result.issues == result.initial_issues
    assert len(model.calls_for("fill", "1")) == 1


def test_invalid_json_is_an_issue_the_repair_sees() -> None:
    result, model = run_script("invalid_json.yaml")
    assert codes(result.initial_issues) == {"invalid_json"}
    assert result.status == "valid" and result.repairs_used == 1
    assert "invalid_json" in model.calls_for("repair")[0].prompt
    assert '"record_update",,' in model.calls_for("repair")[0].prompt  # raw answer quoted


def test_truncated_json_is_an_issue_and_tokens_are_counted() -> None:
    result, _ = run_script("truncated_json.yaml")
    assert codes(result.initial_issues) == {"invalid_json"}
    assert "cut off" in result.initial_issues[0].message
    assert result.status == "valid"
    assert result.tokens["plan"].input_tokens == 900
    assert result.tokens["repair"].output_tokens == 120


def test_wrong_schema_refills_that_step() -> None:
    result, model = run_script("wrong_schema.yaml")
    assert "schema_violation" in codes(result.initial_issues)
    assert {i.order for i in result.initial_issues if i.code == "schema_violation"} == {2}
    assert result.status == "valid"
    assert len(model.calls_for("fill", "2")) == 2
    assert len(model.calls_for("fill", "1")) == 1


def test_model_error_fails_with_node_and_spec() -> None:
    result, _ = run_script("model_error.yaml")
    assert result.status == "failed"
    assert result.flow is None
    assert result.reason is not None
    assert "'plan'" in result.reason and "model_error.yaml" in result.reason
    assert REQUIREMENT_WORD not in result.reason  # no prompt content in the reason


def test_transient_errors_are_retried_then_give_up() -> None:
    flaky, model = run_script("flaky.yaml", retries=2)
    assert flaky.status == "valid"
    assert len(model.calls_for("plan")) == 3
    limited, model = run_script("rate_limited.yaml", retries=1)
    assert limited.status == "failed"
    assert "429" in (limited.reason or "") and "2 attempt" in (limited.reason or "")
    assert len(model.calls_for("plan")) == 2


def test_results_are_consistent() -> None:
    for name in ("clean.yaml", "never_fixes.yaml"):
        result, _ = run_script(name)
        assert (result.status == "invalid_after_repairs") == has_errors(result.issues)


def test_graph_topology_snapshot(snapshot: SnapshotAssertion) -> None:
    assert graph.get_graph().draw_mermaid() == snapshot


def test_placeholders_are_valid_but_flagged() -> None:
    result, model = run_script("placeholder.yaml", requirement="when an incident is created, "
                               "print a shipping label and log it")
    assert result.status == "valid_with_placeholders"
    assert codes(result.issues) == {"placeholder_step"}
    assert not has_errors(result.issues)
    assert result.repairs_used == 0 and model.calls_for("repair") == []
    assert model.calls_for("fill", "1") == []  # a placeholder has no inputs to fill


def test_langgraph_json_serves_the_compiled_graph() -> None:
    config = json.loads((Path(__file__).resolve().parent.parent / "langgraph.json").read_text())
    module, _, attribute = config["graphs"]["flowgen"].partition(":")
    assert module == "./graph.py"
    assert getattr(graph_module, attribute) is graph
    assert graph.name == "flowgen"


def test_tool_calling_filler_makes_bounded_lookups_of_its_own() -> None:
    result, model = run_script("model_lookups.yaml", model_lookup_rounds=2, model_lookup_calls=1)
    assert result.status == "valid"
    assert len(model.calls_for("fill_lookup", "1")) == 2  # it keeps asking: the rounds stop it
    assert len(model.calls_for("fill_lookup", "2")) == 1  # answered without calls: one round
    final = model.calls_for("fill", "1")[0].messages
    tool_answers = [m for m in final if m.type == "tool"]
    assert len(tool_answers) == 2  # one call honoured per round, the second call dropped
    assert "assigned_to" in str(tool_answers[0].content)


def test_model_lookups_are_off_by_default() -> None:
    _, model = run_script("model_lookups.yaml")
    assert model.calls_for("fill_lookup") == []
