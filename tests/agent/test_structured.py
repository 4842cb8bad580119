"""Structured calls: bad output becomes issues, failures become one typed error."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from langchain_core.messages import HumanMessage

from agent.errors import ModelCallError
from agent.models import load_chat_model
from agent.output_schemas import FilledInputs
from agent.scripted import ScriptedChatModel
from agent.settings import load_settings
from agent.structured import (
    Call,
    call_structured,
    describe_error,
    is_transient,
    parse_json_output,
)
from schemas.flow import Outline

SETTINGS = load_settings({"backoff_s": 0.0, "retries": 2}, env={})


def test_fenced_json_parses() -> None:
    value, issues = parse_json_output('```json\n{"inputs": [{"name": "a", "value": 3}]}\n```',
                                      FilledInputs)
    assert issues == []
    assert value is not None and value.inputs[0].value == "3"  # scalars read as text


def test_invalid_json_is_an_issue_with_the_order() -> None:
    value, issues = parse_json_output('{"inputs": [', FilledInputs, order=4)
    assert value is None
    assert [(i.code, i.kind, i.order) for i in issues] == [("invalid_json", "schema", 4)]


def test_wrong_shape_is_a_schema_violation_naming_the_field() -> None:
    value, issues = parse_json_output('{"name": "x", "trigger": null, "components": [{}]}',
                                      Outline)
    assert value is None
    assert issues[0].code == "schema_violation"
    assert "/components/0/category" in issues[0].message


def test_list_values_are_not_silently_stringified() -> None:
    _, issues = parse_json_output('{"inputs": [{"name": "a", "value": ["x"]}]}', FilledInputs)
    assert [i.code for i in issues] == ["schema_violation"]


def scripted(tmp_path: Path, body: str) -> ScriptedChatModel:
    """Write a script and load it."""
    path = tmp_path / "s.yaml"
    path.write_text(body)
    return ScriptedChatModel.from_file(path)


def test_length_stop_is_an_invalid_json_issue(tmp_path: Path) -> None:
    model = scripted(tmp_path, 'fill: [{text: "{\\"inputs\\": [", finish_reason: length}]\n')
    call = Call(node="fill", spec="scripted:s.yaml", key="2", order=2)
    out = call_structured(model, [HumanMessage("x")], dict, FilledInputs, call, SETTINGS)
    assert out.value is None
    assert [i.code for i in out.issues] == ["invalid_json"]
    assert "token limit" in out.issues[0].message


def test_transient_errors_retry_then_raise_naming_node_and_spec(tmp_path: Path) -> None:
    model = scripted(tmp_path, "plan: [{error: timeout}, {error: connection}, {error: server}]\n")
    call = Call(node="plan", spec="scripted:s.yaml")
    with pytest.raises(ModelCallError) as info:
        call_structured(model, [HumanMessage("secret prompt")], dict, Outline, call, SETTINGS)
    assert len(model.calls) == 3
    message = str(info.value)
    assert "'plan'" in message and "'scripted:s.yaml'" in message and "3 attempt" in message
    assert "secret prompt" not in message


def test_fatal_errors_are_not_retried(tmp_path: Path) -> None:
    model = scripted(tmp_path, "plan: [{error: auth}]\n")
    with pytest.raises(ModelCallError, match="auth"):
        call_structured(model, [HumanMessage("x")], dict, Outline,
                        Call(node="plan", spec="scripted:s.yaml"), SETTINGS)
    assert len(model.calls) == 1


def test_http_errors_from_endpoint_clients_are_classified() -> None:
    request = httpx.Request("POST", "http://127.0.0.1:1")
    assert is_transient(httpx.ConnectError("refused", request=request))
    for status, transient in ((429, True), (503, True), (401, False), (404, False)):
        response = httpx.Response(status, request=request)
        error = httpx.HTTPStatusError("x", request=request, response=response)
        assert is_transient(error) is transient
        assert describe_error(error) == f"HTTP {status} from the model server"


def test_unreachable_endpoint_fails_after_retries() -> None:
    model = load_chat_model("hf-endpoint:http://127.0.0.1:9", SETTINGS)
    call = Call(node="fill", spec="hf-endpoint:http://127.0.0.1:9")
    with pytest.raises(ModelCallError, match="connection failed after 3 attempt"):
        call_structured(model, [HumanMessage("x")], dict, FilledInputs, call, SETTINGS)


class _Recorder:
    """A model that records the keyword arguments of its one call."""

    def __init__(self) -> None:
        self.kwargs: dict[str, object] = {}

    def invoke(self, messages: object, **kwargs: object) -> object:
        from langchain_core.messages import AIMessage

        self.kwargs = kwargs
        return AIMessage(content='{"inputs": []}')


@pytest.mark.parametrize(
    ("spec", "grammar", "expected"),
    [
        ("builtin", 'root ::= "x"', {"grammar": 'root ::= "x"'}),
        ("hf:/models/m", None, {"json_schema": {"type": "object"}}),
        ("openai:gpt", 'root ::= "x"', "response_format"),
    ],
)
def test_local_decoders_get_the_grammar_and_others_the_schema(
    spec: str, grammar: str | None, expected: object
) -> None:
    model = _Recorder()
    out = call_structured(model, [HumanMessage("x")], lambda: {"type": "object"},  # type: ignore[arg-type]
                          FilledInputs, Call("fill", spec), SETTINGS, grammar)
    assert out.value is not None
    if isinstance(expected, dict):
        assert model.kwargs == expected
    else:
        assert set(model.kwargs) == {expected}
