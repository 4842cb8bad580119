"""The lookup node: its answers, and a draft that is the one its lookups describe."""

from __future__ import annotations

import json
from typing import Any

from langchain_core.messages import ToolCall
from langchain_core.tools import StructuredTool
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode

from agent.api import make_context
from agent.context import Context
from agent.draft import draft_flow
from agent.nodes.lookup import lookup, tool_node_executor
from agent.settings import load_settings
from agent.state import State
from benchmarks.bench_graph import REQUIREMENT, script
from catalog import demo_catalog
from schemas.flow import Outline
from tests.agent.scripted_runs import demo_retriever
from tools.lookup import LookupTool, SearchTablesArgs


def run_lookup(outline: Outline, requirement: str) -> dict[str, Any]:
    builder = StateGraph(State, context_schema=Context)
    builder.add_node(lookup)
    builder.add_edge(START, "lookup")
    builder.add_edge("lookup", END)
    ctx = make_context(load_settings(env={}), demo_catalog(), demo_retriever())
    start = State(requirement=requirement, outline=outline, outline_version=1)
    out: dict[str, Any] = builder.compile().invoke(start, context=ctx)
    return out


def test_the_draft_is_built_from_the_final_lookups() -> None:
    outline = Outline.model_validate(script()["plan"][0])
    out = run_lookup(outline, REQUIREMENT)
    assert set(out["lookups"]) == {0, *range(1, 11)} - {6}  # the ELSE has no inputs
    rebuilt = draft_flow(outline, {}, 1, out["lookups"], demo_catalog())
    assert out["draft"] == rebuilt


def test_a_step_with_no_table_hit_takes_its_table_from_the_extra_tables() -> None:
    outline = Outline.model_validate({
        "name": "n", "trigger": {"type": "record_update", "annotation": "when it changes"},
        "components": [{"category": "action", "definition": "update_record", "order": 1,
                        "annotation": "zzqx"}]})
    out = run_lookup(outline, "zzqx")
    rebuilt = draft_flow(outline, {}, 1, out["lookups"], demo_catalog())
    assert out["draft"] == rebuilt


def test_answers_come_as_data_or_are_parsed_from_text() -> None:
    # The lookup tools hand their answers over as data; any other tool's JSON text is parsed.
    data = LookupTool(name="search_tables", description="Data.", args_schema=SearchTablesArgs,
                      search=lambda query, k=8: {"tables": [{"name": query}]})
    text = StructuredTool.from_function(lambda query: json.dumps({"columns": [query]}),
                                        name="search_columns", description="Text.")
    calls = [ToolCall(name="search_tables", args={"query": "a"}, id="1"),
             ToolCall(name="search_columns", args={"query": "b"}, id="2"),
             ToolCall(name="search_tables", args={"query": "c", "k": 99}, id="3")]
    seen: dict[str, Any] = {}

    def node(state: MessagesState) -> dict[str, Any]:
        seen["answers"] = tool_node_executor(ToolNode([data, text]))(calls)
        return {}

    builder = StateGraph(MessagesState)
    builder.add_node("node", node)
    builder.add_edge(START, "node")
    builder.add_edge("node", END)
    builder.compile().invoke({"messages": []})
    # The third call breaks the argument schema: ToolNode's error text is no answer.
    assert seen["answers"] == [{"tables": [{"name": "a"}]}, {"columns": ["b"]}, {}]
