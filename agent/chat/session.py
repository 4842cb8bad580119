"""A conversation handle: send inputs to the chat graph on one thread and read its state."""

from __future__ import annotations

from typing import Any

from langchain_core.runnables import RunnableConfig

from agent.chat.versions import ChatState, current_version, pending_version
from agent.context import Context


class ChatSession:
    """One thread of the chat graph (compiled with a checkpointer) and the run context."""

    def __init__(self, graph: Any, thread_id: str, context: Context) -> None:
        """Bind the graph to a thread; the context supplies settings, catalog and models."""
        self.graph = graph
        self.thread_id = thread_id
        self.context = context

    @property
    def config(self) -> RunnableConfig:
        """Return the run config: the thread plus room for every edit repair round."""
        rounds = self.context.settings.max_repairs + 1
        return {
            "configurable": {"thread_id": self.thread_id},
            "recursion_limit": 2 * rounds + 10,
        }

    def send(self, text: str) -> str:
        """Handle one user input (message or slash command) and return the reply."""
        out = self.graph.invoke(
            {"input": text, "reply": ""}, config=self.config, context=self.context
        )
        return str(out.get("reply") or "")

    def state(self) -> ChatState:
        """Return the thread's saved state (empty for a new thread)."""
        snapshot = self.graph.get_state(self.config)
        return ChatState(**(snapshot.values or {}))

    def status_line(self) -> str:
        """Return where the conversation stands, for a resumed terminal session."""
        state = self.state()
        current = current_version(state)
        pending = pending_version(state)
        if current is None and pending is None:
            return f"thread {self.thread_id}: new conversation"
        where = f"version {current.number}" if current else "no accepted version"
        extra = ", a proposal is pending (/diff, /accept)" if pending else ""
        return f"thread {self.thread_id}: {where}{extra}"
