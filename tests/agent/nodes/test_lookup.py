"""The lookup node: its draft is the one its lookups describe, however it was obtained."""

from __future__ import annotations

from typing import Any

from langgraph.graph import END, START, StateGraph

from agent.api import make_context
from agent.draft import draft_flow
from agent.nodes.lookup import lookup
from agent.settings import load_settings
from agent.state import State
from benchmarks.bench_graph import REQUIREMENT, script
from catalog import demo_catalog
from schemas.flow import Outline
from tests.agent.scripted_runs import demo_retriever


def run_lookup(outline: Outline, requirement: str) -> dict[str, Any]:
    builder = StateGraph(State, context_schema=type(make_context()))
    builder.add_node(lookup)
    builder.add_edge(START, "lookup")
    builder.add_edge("lookup", END)
    ctx = make_context(load_settings(env={}), demo_catalog(), demo_retriever())
    out: dict[str, Any] = builder.compile().invoke(
        {"requirement": requirement, "outline": outline, "outline_version": 1}, context=ctx)
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
