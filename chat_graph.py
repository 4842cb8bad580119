"""The flowgen chat graph: one run per user input; wiring only (nodes in `agent/chat/nodes`).

    START ─┬─ command ──────────────────────→ END   (/accept, /undo, /diff, …)
           ├─ generate ─────────────────────→ END   (first message: the generator)
           └─ propose ──→ apply ──→ finish ─→ END   (later messages: edit operations)
               ↑ ↺          │
               └────────────┘ the edit left new errors; ↺ the answer was unusable
              (both loops share one round counter, bounded by settings.max_repairs)

State is plain JSON checkpointed per thread; run it with a checkpointer and a ``thread_id``
(``flowgen chat`` uses SQLite). ``langgraph dev`` serves `graph`, which has no checkpointer of
its own: the server supplies persistence.
"""

from __future__ import annotations

from typing import Any

from langgraph.graph import END, START, StateGraph

from agent.chat.nodes import (
    APPLY,
    COMMAND,
    FINISH,
    GENERATE,
    PROPOSE,
    apply_edit,
    command,
    finish,
    generate_first,
    propose_edit,
    route_after_apply,
    route_after_propose,
    route_input,
)
from agent.chat.versions import ChatState
from agent.context import Context


def build_chat_graph(**compile_kwargs: Any) -> Any:
    """Build and compile the chat graph.

    Args:
        **compile_kwargs: passed to `compile`, e.g. ``checkpointer=SqliteSaver(conn)``.
    """
    builder = StateGraph(ChatState, context_schema=Context)
    builder.add_node(COMMAND, command)
    builder.add_node(GENERATE, generate_first)
    builder.add_node(PROPOSE, propose_edit)
    builder.add_node(APPLY, apply_edit)
    builder.add_node(FINISH, finish)
    builder.add_conditional_edges(START, route_input, [COMMAND, GENERATE, PROPOSE])
    builder.add_conditional_edges(PROPOSE, route_after_propose, [PROPOSE, APPLY, FINISH])
    builder.add_conditional_edges(APPLY, route_after_apply, [PROPOSE, FINISH])
    builder.add_edge(COMMAND, END)
    builder.add_edge(GENERATE, END)
    builder.add_edge(FINISH, END)
    return builder.compile(name="flowgen-chat", **compile_kwargs)


graph = build_chat_graph()
