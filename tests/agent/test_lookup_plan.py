"""The lookup plan: which catalog calls each step gets, and how answers become candidates."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import ToolCall

from agent.lookup_plan import LookupStep, direct_executor, run_lookups
from agent.settings import load_settings
from catalog import demo_catalog
from tests.agent.scripted_runs import REQUIREMENT, demo_retriever
from tools.lookup import make_lookup_tools

SETTINGS = load_settings(env={})


class Recorder:
    """An executor that records every batch of calls and answers with the real tools."""

    def __init__(self) -> None:
        self.batches: list[list[ToolCall]] = []
        self.inner = direct_executor(make_lookup_tools(demo_retriever()))

    def __call__(self, calls: list[ToolCall]) -> list[dict[str, Any]]:
        self.batches.append(calls)
        return self.inner(calls)


def steps() -> list[LookupStep]:
    """Two steps whose pills both point at sys_user."""
    return [
        LookupStep(1, "their open incidents", ("sys_user",), REQUIREMENT),
        LookupStep(2, "reassign to their manager", ("sys_user",), REQUIREMENT),
    ]


def test_three_batched_rounds_with_shared_searches_run_once() -> None:
    record = Recorder()
    found = run_lookups(steps(), record, demo_catalog(), SETTINGS)
    assert [c["name"] for c in record.batches[0]] == ["search_tables", "search_tables"]
    column_calls = record.batches[1]
    assert {c["name"] for c in column_calls} == {"search_columns"}
    user_searches = [c for c in column_calls if c["args"]["table"] == "sys_user"]
    assert len(user_searches) == 1  # both steps' pill table, searched once
    assert all(c["name"] == "search_choices" for c in record.batches[2])
    assert len(record.batches[2]) <= 2  # at most one choice search per step
    assert set(found) == {1, 2}
    assert "sys_user" in {t["name"] for t in found[1].tables}


def test_choice_columns_carry_stored_values() -> None:
    found = run_lookups([LookupStep(1, "their open incidents", (), REQUIREMENT)], Recorder(),
                        demo_catalog(), SETTINGS)
    states = [c for c in found[1].columns if (c["table"], c["name"]) == ("incident", "state")]
    assert states, found[1].columns
    assert {"value": "6", "label": "Resolved"} in states[0]["choices"]


def test_no_steps_no_calls() -> None:
    record = Recorder()
    assert run_lookups([], record, demo_catalog(), SETTINGS) == {}
    assert record.batches == []
