"""The lookup plan: which catalog calls each step gets, and how answers become candidates."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import ToolCall

from agent.lookup_plan import LookupStep, deduplicated, direct_executor, run_lookups
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
    found = run_lookups(steps()[:1], record, demo_catalog(), SETTINGS)
    assert len(record.batches) == 3
    assert [c["name"] for c in record.batches[0]] == ["search_tables"]
    assert {c["name"] for c in record.batches[1]} == {"search_columns"}
    assert [c["name"] for c in record.batches[2]] == ["search_choices"]
    assert set(found) == {1}


def test_each_round_is_batched_over_steps_and_shared_searches_run_once() -> None:
    record = Recorder()
    found = run_lookups(steps(), record, demo_catalog(), SETTINGS)
    assert [c["name"] for c in record.batches[0]] == ["search_tables", "search_tables"]
    column_calls = record.batches[-2]
    assert {c["name"] for c in column_calls} == {"search_columns"}
    user_searches = [c for c in column_calls if c["args"]["table"] == "sys_user"]
    assert len(user_searches) == 1  # both steps' pill table, searched once
    assert all(c["name"] == "search_choices" for c in record.batches[-1])
    assert len(record.batches[-1]) <= 2  # at most one choice search per step
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


def test_an_annotation_that_finds_no_table_is_searched_again_with_the_requirement() -> None:
    record = Recorder()
    requirement = "Every Monday, count the open P1 incidents and email the count."
    found = run_lookups([LookupStep(1, "its", (), requirement)], record, demo_catalog(),
                        SETTINGS)
    assert [c["args"]["query"] for c in record.batches[1]] == [requirement]
    assert "incident" in [t["name"] for t in found[1].tables]


def test_only_steps_that_found_no_table_are_searched_again() -> None:
    record = Recorder()
    run_lookups(steps(), record, demo_catalog(), SETTINGS)
    again = [c["args"]["query"] for b in record.batches[1:] for c in b
             if c["name"] == "search_tables"]
    assert again == [REQUIREMENT]  # "reassign to their manager" names no table


def test_equal_calls_run_once_whatever_their_argument_order_or_types() -> None:
    seen: list[ToolCall] = []

    def execute(calls: list[ToolCall]) -> list[dict[str, Any]]:
        seen.extend(calls)
        return [{"id": c["id"]} for c in calls]

    calls = [ToolCall(name="search_steps", args={"query": "a", "kinds": ["action"]}, id="1"),
             ToolCall(name="search_steps", args={"kinds": ["action"], "query": "a"}, id="2"),
             ToolCall(name="search_tables", args={"query": "a", "k": 5}, id="3"),
             ToolCall(name="search_tables", args={"k": 5, "query": "a"}, id="4"),
             ToolCall(name="search_tables", args={"query": "a", "k": 6}, id="5")]
    answers = deduplicated(execute)(calls)
    assert [c["id"] for c in seen] == ["1", "3", "5"]
    assert answers == [{"id": "1"}, {"id": "1"}, {"id": "3"}, {"id": "3"}, {"id": "5"}]
