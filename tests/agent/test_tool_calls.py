"""Tool-call batches go through ToolNode in the calling thread, in call order."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

from langchain_core.messages import AIMessage, ToolMessage
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode

from agent.tool_calls import run_tool_calls
from tools.lookup import LookupTool, SearchTablesArgs

THREADS: list[int] = []


def _echo(query: str, k: int = 8) -> dict[str, Any]:
    THREADS.append(threading.get_ident())
    return {"query": query, "k": k}


TOOLS = ToolNode([LookupTool(name="search_tables", description="Echo.",
                             args_schema=SearchTablesArgs, search=_echo)])


def _message(*args: dict[str, Any]) -> AIMessage:
    return AIMessage(content="", tool_calls=[
        {"name": "search_tables", "args": a, "id": f"c{i}", "type": "tool_call"}
        for i, a in enumerate(args)])


def _in_graph(node: Any) -> dict[str, Any]:
    builder = StateGraph(MessagesState)
    builder.add_node("node", node)
    builder.add_edge(START, "node")
    builder.add_edge("node", END)
    return builder.compile().invoke({"messages": []})


def test_batch_runs_in_the_calling_thread_in_call_order() -> None:
    THREADS.clear()
    seen: dict[str, Any] = {}

    def node(state: MessagesState) -> dict[str, Any]:
        seen["thread"] = threading.get_ident()
        seen["answers"] = run_tool_calls(TOOLS, _message({"query": "a"}, {"query": "b", "k": 30},
                                                         {"query": "c", "k": 2}))
        return {}

    _in_graph(node)
    answers: list[ToolMessage] = seen["answers"]
    assert [m.tool_call_id for m in answers] == ["c0", "c1", "c2"]
    assert json.loads(str(answers[0].content)) == {"query": "a", "k": 8}
    assert answers[0].artifact == {"query": "a", "k": 8}
    assert answers[1].status == "error"  # k above 25: reported by ToolNode, as before
    assert json.loads(str(answers[2].content)) == {"query": "c", "k": 2}
    assert set(THREADS) == {seen["thread"]}


def test_a_running_event_loop_falls_back_to_the_thread_pool() -> None:
    seen: dict[str, Any] = {}

    async def inside_loop() -> list[ToolMessage]:
        return run_tool_calls(TOOLS, _message({"query": "a"}))

    def node(state: MessagesState) -> dict[str, Any]:
        seen["answers"] = asyncio.run(inside_loop())
        return {}

    _in_graph(node)
    assert json.loads(str(seen["answers"][0].content)) == {"query": "a", "k": 8}


def test_no_calls_no_answers() -> None:
    seen: dict[str, Any] = {}

    def node(state: MessagesState) -> dict[str, Any]:
        seen["answers"] = run_tool_calls(TOOLS, AIMessage(content=""))
        return {}

    _in_graph(node)
    assert seen["answers"] == []


def test_a_thread_reuses_its_loop_and_the_loop_closes_with_the_thread() -> None:
    from agent import tool_calls

    loops: list[asyncio.AbstractEventLoop] = []

    def node(state: MessagesState) -> dict[str, Any]:
        for _ in range(2):
            run_tool_calls(TOOLS, _message({"query": "a"}))
            loops.append(tool_calls._LOCAL.owner.loop)
        return {}

    worker = threading.Thread(target=_in_graph, args=(node,))
    worker.start()
    worker.join()
    assert loops[0] is loops[1]
    assert loops[0].is_closed()  # the thread ended: no loop (or self-pipe) is left open
