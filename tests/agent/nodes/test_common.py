"""`ask`: the answer's JSON schema is built only for models that are sent one."""

from __future__ import annotations

from typing import Any

import pytest

from agent.api import make_context
from agent.nodes.common import ask
from agent.output_schemas import FilledInputs
from agent.scripted import ScriptedChatModel
from agent.settings import load_settings
from catalog import demo_catalog
from tests.agent.scripted_runs import demo_retriever

VARIABLES: dict[str, Any] = {
    "requirement": "r", "params": [], "tables": [], "columns": [], "pills": [], "issues": [],
    "previous": [], "step": {"order": 1, "category": "action", "definition": "log",
                             "scope": "global", "annotation": "log it"}}


@pytest.mark.parametrize(("spec", "built"), [("scripted:s", 0), ("openai:m", 1)])
def test_the_schema_is_built_only_for_a_model_that_reads_it(spec: str, built: int) -> None:
    # Any spec can be served by a prebuilt model; the spec's kind decides what is sent. Only
    # a scripted spec names the node to the model: another answers as the script's "plan".
    answer: list[dict[str, Any]] = [{"inputs": []}]
    model = ScriptedChatModel(script={"fill": {"*": answer}, "plan": answer})
    ctx = make_context(load_settings({"model": spec}, env={}), demo_catalog(), demo_retriever(),
                       {spec: model})
    calls: list[int] = []

    def schema() -> dict[str, Any]:
        calls.append(1)
        return {"type": "object"}

    outcome = ask(ctx, "filler", "fill", VARIABLES, schema, FilledInputs, key="1", order=1)
    assert outcome.value is not None and outcome.value.inputs == []
    assert len(calls) == built
