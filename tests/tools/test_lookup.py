"""Lookup tools run through LangGraph's ToolNode, as the generator calls them."""

from __future__ import annotations

import json
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode

from schemas.catalog import Catalog
from tools.lookup import AnswerMemo, clear_memos, make_lookup_tools
from tools.retriever import RetrievalError, Retriever

TOOL_NAMES = ["search_steps", "search_tables", "search_columns", "get_table_schema",
              "search_choices", "search_triggers"]


def _run_tools(retriever: Retriever, calls: list[tuple[str, dict[str, Any]]],
               callbacks: list[BaseCallbackHandler] | None = None) -> list[ToolMessage]:
    # ToolNode needs a graph runtime in langgraph 1.x (langgraph#6397), so wrap it in one.
    builder = StateGraph(MessagesState)
    builder.add_node("tools", ToolNode(make_lookup_tools(retriever)))
    builder.add_edge(START, "tools")
    builder.add_edge("tools", END)
    message = AIMessage(content="", tool_calls=[
        {"name": name, "args": args, "id": f"call_{i}"} for i, (name, args) in enumerate(calls)])
    config: RunnableConfig = {"callbacks": callbacks} if callbacks else {}
    out = builder.compile().invoke({"messages": [message]}, config)
    return [m for m in out["messages"] if isinstance(m, ToolMessage)]


def test_tools_have_model_facing_names_schemas_and_docs(retriever: Retriever) -> None:
    tools = make_lookup_tools(retriever)
    assert [t.name for t in tools] == TOOL_NAMES
    for tool in tools:
        assert tool.description and not tool.description.startswith(" ")
        assert tool.args, f"{tool.name}: no arguments"
        for name, prop in tool.args.items():
            assert prop.get("description"), f"{tool.name}.{name}: undocumented argument"


def test_tool_calls_return_compact_json(retriever: Retriever) -> None:
    messages = _run_tools(retriever, [
        ("search_tables", {"query": "change request", "k": 3}),
        ("search_columns", {"query": "assignment group", "table": "incident"}),
        ("search_choices", {"table": "incident", "column": "state", "query": "resolved"}),
        ("search_steps", {"query": "for each item", "kinds": ["flowlogic"]}),
        ("search_triggers", {"query": "every day"}),
        ("get_table_schema", {"table": "incident"}),
    ])
    payloads = [json.loads(str(m.content)) for m in messages]
    assert all(m.status == "success" for m in messages)
    assert payloads[0]["tables"][0]["name"] == "change_request"
    assert len(payloads[0]["tables"]) <= 3
    column = payloads[1]["columns"][0]
    assert (column["column"], column["owner"]) == ("assignment_group", "task")
    assert payloads[2]["choices"][0]["value"] == "6"
    assert {s["category"] for s in payloads[3]["steps"]} == {"flowlogic"}
    assert payloads[4]["triggers"][0]["type"] == "daily"
    assert "assignment_group" in {c["name"] for c in payloads[5]["columns"]}
    assert ": " not in str(messages[0].content)  # compact separators
    assert "reference" not in payloads[0]["tables"][0]  # empty fields dropped


def test_unknown_names_come_back_as_errors_the_model_can_read(retriever: Retriever) -> None:
    messages = _run_tools(retriever, [
        ("get_table_schema", {"table": "u_nope"}),
        ("search_columns", {"query": "state", "table": "u_nope"}),
        ("search_choices", {"table": "incident", "column": "u_nope", "query": "x"}),
    ])
    errors = [json.loads(str(m.content))["error"] for m in messages]
    assert "unknown table 'u_nope'" in errors[0]
    assert "unknown table" in errors[1]
    assert "unknown column incident.u_nope" in errors[2]


def test_invalid_arguments_are_reported_to_the_model(retriever: Retriever) -> None:
    (message,) = _run_tools(retriever, [("search_tables", {"query": "x", "k": 500})])
    assert message.status == "error"
    assert "less than or equal to 25" in str(message.content)


class _Broken:
    """A retriever whose backend is down."""

    def __getattr__(self, name: str) -> Any:
        def fail(*args: Any, **kwargs: Any) -> Any:
            raise RetrievalError("server unreachable")
        return fail


def test_backend_failures_become_error_payloads() -> None:
    broken: Retriever = _Broken()
    (message,) = _run_tools(broken, [("search_steps", {"query": "send email"})])
    assert json.loads(str(message.content)) == {
        "error": "catalog search failed: server unreachable"}


def test_two_tool_sets_keep_their_own_retriever(catalog: Catalog, retriever: Retriever) -> None:
    first = make_lookup_tools(retriever)
    second = make_lookup_tools(_Broken())
    assert "tables" in json.loads(first[1].invoke({"query": "incident"}))
    assert "error" in json.loads(second[1].invoke({"query": "incident"}))


class _Counting:
    """A retriever that counts table searches and fails the first `failures` of them."""

    def __init__(self, inner: Retriever, failures: int = 0) -> None:
        self.inner, self.failures, self.calls = inner, failures, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def search_tables(self, query: str, k: int = 10) -> Any:
        self.calls += 1
        if self.calls <= self.failures:
            raise RetrievalError("server unreachable")
        return self.inner.search_tables(query, k)


def test_repeated_calls_are_answered_from_the_memo(retriever: Retriever) -> None:
    counting = _Counting(retriever)
    tools = make_lookup_tools(counting)
    first = tools[1].invoke({"query": "incident", "k": 3})
    assert tools[1].invoke({"query": "incident", "k": 3}) == first
    assert counting.calls == 1
    tools[1].invoke({"query": "incident", "k": 4})  # other arguments, another search
    assert counting.calls == 2
    clear_memos(tools)
    assert tools[1].invoke({"query": "incident", "k": 3}) == first
    assert counting.calls == 3


def test_failures_are_not_remembered(retriever: Retriever) -> None:
    tools = make_lookup_tools(_Counting(retriever, failures=1))
    assert "error" in json.loads(tools[1].invoke({"query": "incident"}))
    assert "tables" in json.loads(tools[1].invoke({"query": "incident"}))


def test_memo_keeps_the_most_recently_used_answers() -> None:
    memo: AnswerMemo[str] = AnswerMemo(2)
    memo.put(("a",), "1")
    memo.put(("b",), "2")
    assert memo.get(("a",)) == "1"  # now the most recent
    memo.put(("c",), "3")
    assert (memo.get(("a",)), memo.get(("b",)), memo.get(("c",))) == ("1", None, "3")


class _ToolStarts(BaseCallbackHandler):
    """Counts the tool runs a tracer would see."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def on_tool_start(self, serialized: dict[str, Any], input_str: str, **kwargs: Any) -> None:
        self.names.append(serialized["name"])


def test_observed_calls_take_langchains_path_with_the_same_answers(
    retriever: Retriever,
) -> None:
    calls: list[tuple[str, dict[str, Any]]] = [
             ("search_tables", {"query": "change request", "k": 3}),
             ("search_choices", {"table": "incident", "column": "state", "query": "resolved"}),
             ("search_tables", {"query": "x", "k": 500})]
    seen = _ToolStarts()
    observed = _run_tools(retriever, calls, callbacks=[seen])
    quiet = _run_tools(retriever, calls)
    assert seen.names == ["search_tables", "search_choices", "search_tables"]
    assert [(m.content, m.artifact, m.status, m.name, m.tool_call_id) for m in observed] == [
        (m.content, m.artifact, m.status, m.name, m.tool_call_id) for m in quiet]


def test_a_tool_calls_answer_also_comes_as_data(retriever: Retriever) -> None:
    calls: list[tuple[str, dict[str, Any]]] = [
        ("search_tables", {"query": "incident", "k": 2}),
        ("search_columns", {"query": "x", "table": "nope"}),
        ("get_table_schema", {"table": "incident"})]
    observers: list[list[BaseCallbackHandler] | None] = [None, [_ToolStarts()]]
    for callbacks in observers:  # the quiet path and LangChain's own
        answers = _run_tools(retriever, calls, callbacks=callbacks)
        for message in answers:
            assert message.artifact == json.loads(str(message.content))
        assert answers[1].artifact["error"].startswith("unknown table")
