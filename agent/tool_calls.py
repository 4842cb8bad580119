"""Run a batch of tool calls through LangGraph's `ToolNode` without a thread per batch.

`ToolNode.invoke` hands every batch to a fresh thread pool (even at ``max_concurrency=1``):
one thread start plus a thread switch per call, which on a busy machine cost more than the
sub-millisecond catalog searches themselves. The lookup tools have native coroutines
(`tools.lookup.LookupTool._arun` runs the search inline), so `ToolNode.ainvoke` on a private
event loop runs the whole batch in the calling thread, in call order, through the same
ToolNode code path: argument validation, error messages, `ToolMessage`s.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.runnables.config import patch_config
from langgraph.config import get_config
from langgraph.prebuilt import ToolNode

T = TypeVar("T")


def run_tool_calls(tool_node: ToolNode, message: AIMessage) -> list[ToolMessage]:
    """Run the tool calls of `message` through `tool_node`; return its answers.

    Must be called from inside a graph node (ToolNode reads the run's runtime from the config).
    """
    if not message.tool_calls:
        return []
    config = get_config()
    payload = {"messages": [message]}
    if _loop_running():
        # A node called on an event loop thread cannot start another loop: take the
        # thread-pool path, one worker (the searches are too short to overlap usefully).
        out = tool_node.invoke(payload, patch_config(config, max_concurrency=1))
    else:
        out = _run_inline(tool_node.ainvoke(payload, config))
    return [m for m in out["messages"] if isinstance(m, ToolMessage)]


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class _ThreadLoop:
    """A private event loop, closed when its owner (one thread's local storage) lets go."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()

    def __del__(self) -> None:
        self.loop.close()


_LOCAL = threading.local()


def _run_inline(coro: Coroutine[Any, Any, T]) -> T:
    # One loop per thread, kept for the thread's life: a lookup node runs four batches, and
    # opening and closing a loop (and its self-pipe) per batch cost more than a batch of
    # remembered answers. The loop is never set as the thread's current loop, so nothing
    # else sees it (`asyncio.run` would also install signal handlers, for nothing).
    owner: _ThreadLoop | None = getattr(_LOCAL, "owner", None)
    if owner is None or owner.loop.is_closed():
        owner = _LOCAL.owner = _ThreadLoop()
    return owner.loop.run_until_complete(coro)
