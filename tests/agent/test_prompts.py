"""Prompt rendering: strict variables, system/user split, and the real prompt-variable builders."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from langchain_core.messages import HumanMessage, SystemMessage

from agent.errors import PromptError
from agent.nodes.fill import fill_prompt_vars
from agent.nodes.fill_trigger import fill_trigger_prompt_vars
from agent.nodes.plan import plan_prompt_vars
from agent.nodes.repair import repair_prompt_vars
from agent.prompts import render_messages, split_messages, template_path
from agent.settings import load_settings
from catalog import demo_catalog
from schemas.flow import Flow, Outline
from schemas.issues import Issue
from tests.agent.scripted_runs import REQUIREMENT, demo_retriever

SETTINGS = load_settings(env={})
FLOW = Flow.model_validate({
    "name": "n",
    "trigger": {"type": "record_update", "annotation": "when a user becomes inactive",
                "inputs": [{"name": "table", "value": "sys_user"}]},
    "components": [
        {"category": "action", "definition": "look_up_records", "order": 1,
         "annotation": "their open incidents", "inputs": [{"name": "table", "value": "incident"}]},
        {"category": "flowlogic", "definition": "FOREACH", "order": 2, "annotation": "each"},
        {"category": "action", "definition": "update_record", "order": 3, "block": 2,
         "annotation": "reassign to their manager"},
    ],
})


def test_markers_split_system_and_user() -> None:
    messages = split_messages("<|system|>\nrules\n<|user|>\nquestion")
    assert isinstance(messages[0], SystemMessage) and messages[0].content == "rules"
    assert isinstance(messages[1], HumanMessage) and messages[1].content == "question"
    assert [type(m) for m in split_messages("just text")] == [HumanMessage]


def _split_by_lines(text: str) -> list[tuple[str, str]]:
    """The line-by-line split the slicing one replaced: the reference it must equal."""
    parts: dict[str, list[str]] = {"system": [], "user": []}
    current = "user"
    for line in text.splitlines():
        marker = {"<|system|>": "system", "<|user|>": "user"}.get(line.strip())
        if marker is not None:
            current = marker
            continue
        parts[current].append(line)
    system = "\n".join(parts["system"]).strip()
    user = ("user", "\n".join(parts["user"]).strip())
    return [("system", system), user] if system else [user]


_PIECES = st.sampled_from(["<|system|>", "<|user|>", "\n", "\r\n", " ", "\t", "\u2028",
                           "\x1f", "\x0c", "\xa0", "rules", "a", "<|user|>x", "|>"])


@given(st.lists(_PIECES, max_size=30).map("".join))
def test_split_equals_the_line_by_line_split(text: str) -> None:
    got = [(m.type, m.content) for m in split_messages(text)]
    expected = [("system" if role == "system" else "human", body)
                for role, body in _split_by_lines(text)]
    assert got == expected


def test_missing_variable_fails_loudly() -> None:
    with pytest.raises(PromptError, match="needs a variable"):
        render_messages("plan", "chat", requirement="x")


def test_a_missing_field_fails_loudly() -> None:
    variables = fill_prompt_vars(REQUIREMENT, FLOW, 3, demo_catalog(), demo_retriever(),
                                 SETTINGS)
    del variables["columns"][0]["label"]
    with pytest.raises(PromptError, match="needs a field: 'label'"):
        render_messages("fill", "chat", **variables)


def test_a_field_of_a_non_mapping_fails_loudly() -> None:
    variables = fill_prompt_vars(REQUIREMENT, FLOW, 3, demo_catalog(), demo_retriever(),
                                 SETTINGS)
    variables["step"] = "step three"
    with pytest.raises(PromptError, match="cannot use its variables"):
        render_messages("fill", "chat", **variables)


def test_unknown_node_is_a_prompt_error() -> None:
    with pytest.raises(PromptError, match="no prompt template"):
        render_messages("summarise", "chat")


def test_missing_compact_template_falls_back_to_chat() -> None:
    assert template_path("no_such_node", "compact").parent.name == "chat"


def test_plan_vars_render_in_both_styles() -> None:
    variables = plan_prompt_vars(REQUIREMENT, demo_catalog(), demo_retriever(), SETTINGS)
    definitions = {s["definition"] for s in variables["steps"]}
    assert {"look_up_records", "update_record", "FOREACH"} <= definitions
    assert variables["triggers"][0]["type"].startswith("record_")
    assert "sys_user" in variables["tables"]
    chat = render_messages("plan", "chat", **variables)
    assert isinstance(chat[0], SystemMessage) and REQUIREMENT in str(chat[-1].content)
    assert "PLACEHOLDER" in str(chat[0].content)
    assert render_messages("plan", "compact", **variables)


def test_fill_vars_show_pills_in_scope_and_render() -> None:
    variables = fill_prompt_vars(REQUIREMENT, FLOW, 3, demo_catalog(), demo_retriever(),
                                 SETTINGS)
    pills = {p["pill"]: p for p in variables["pills"]}
    assert pills["{{step_1.records}}"]["table"] == "incident"
    assert "{{step_2.item}}" in pills
    assert [p["name"] for p in variables["params"]] == ["table_name", "record", "values"]
    assert any(c["table"] == "incident" for c in variables["columns"])
    for style in ("chat", "compact"):
        assert render_messages("fill", style, **variables)


def test_candidate_columns_show_their_stored_values_in_order() -> None:
    column = {"table": "incident", "name": "state", "label": "State", "type": "integer",
              "reference": None, "choices": [{"value": "1", "label": "New"},
                                             {"value": "2", "label": "In Progress"}]}
    plain = {**column, "name": "short_description", "label": "Short description",
             "type": "string", "choices": []}
    variables = {"requirement": "r", "params": [], "tables": [], "columns": [column, plain],
                 "pills": [], "issues": [], "previous": [],
                 "step": {"order": 1, "category": "action", "definition": "update_record",
                          "scope": "global", "annotation": "a"}}
    text = str(render_messages("fill", "chat", **variables)[-1].content)
    assert "- incident.state: State, integer; stored values 1=New, 2=In Progress\n" in text
    assert "- incident.short_description: Short description, string\n" in text


def test_fill_vars_of_an_unknown_order_are_an_error() -> None:
    with pytest.raises(ValueError, match="order 9"):
        fill_prompt_vars(REQUIREMENT, FLOW, 9, demo_catalog(), demo_retriever(), SETTINGS)


def test_refill_prompt_shows_the_issues_and_previous_inputs() -> None:
    issue = Issue(code="unknown_column", severity="error", kind="grounding", order=1,
                  path="/components/0/inputs/1/value", message="no column 'assigned_too'",
                  hint="use assigned_to")
    variables = fill_prompt_vars(REQUIREMENT, FLOW, 1, demo_catalog(), demo_retriever(),
                                 SETTINGS, issues=[issue], previous=FLOW.components[0].inputs)
    text = str(render_messages("fill", "chat", **variables)[-1].content)
    assert "no column 'assigned_too'" in text and '"value": "incident"' in text


def test_trigger_and_repair_vars_render() -> None:
    trig = fill_trigger_prompt_vars(REQUIREMENT, FLOW, demo_catalog(), demo_retriever(),
                                    SETTINGS)
    assert trig["step"]["type"] == "record_update" and trig["pills"] == []
    assert any(p["name"] == "table" for p in trig["params"])
    for style in ("chat", "compact"):
        assert render_messages("fill_trigger", style, **trig)
    outline = Outline.model_validate({
        "name": FLOW.name, "trigger": {"type": "record_update", "annotation": "when"},
        "components": [c.model_dump(exclude={"inputs"}) for c in FLOW.components]})
    issue = Issue(code="else_without_if", severity="error", kind="structure", order=2,
                  path="/components/1", message="ELSE without IF", hint="add an IF")
    rep = repair_prompt_vars(REQUIREMENT, outline, [issue], demo_catalog(), demo_retriever(),
                             SETTINGS)
    assert '"definition":"FOREACH"' in rep["issues"][0]["fragment"]
    assert "ELSE without IF" in str(render_messages("repair", "chat", **rep)[-1].content)
    assert render_messages("repair", "compact", **rep)
