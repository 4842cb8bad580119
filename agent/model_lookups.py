"""Bounded lookups a tool-calling model makes itself before it answers a fill.

On top of the lookups the graph emits for every step, a filler that can call tools (``openai:``
and ``scripted:`` specs) may ask for more: it gets the lookup tools bound, and each round its
tool calls (at most `settings.model_lookup_calls`) run through the same `ToolNode`; after
`settings.model_lookup_rounds` rounds, or a round without calls, the conversation so far goes to
the structured answer. Local models cannot call tools (ChatHuggingFace drops them), so they skip.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, BaseMessage
from langgraph.prebuilt import ToolNode

from agent.models import spec_kind
from agent.settings import Settings
from agent.structured import Call, invoke_with_retries
from agent.tool_calls import run_tool_calls

TOOL_CALLING_KINDS = frozenset({"openai", "scripted"})
"""Spec kinds whose models honour `bind_tools`."""


def can_look_up(spec: str, settings: Settings) -> bool:
    """Tell whether the model of `spec` gets to make its own lookups under these settings."""
    return settings.model_lookup_rounds > 0 and spec_kind(spec) in TOOL_CALLING_KINDS


def gather_lookups(
    model: Any,
    messages: list[BaseMessage],
    tool_node: ToolNode,
    call: Call,
    settings: Settings,
) -> list[BaseMessage]:
    """Let the model call lookup tools for a bounded number of rounds; return the conversation.

    Raises:
        ModelCallError: the model could not be called (after retries).
    """
    bound = model.bind_tools(list(tool_node.tools_by_name.values()))
    kwargs = {"script_node": f"{call.node}_lookup", "script_key": call.key}
    if spec_kind(call.spec) != "scripted":
        kwargs = {}
    history = list(messages)
    for _ in range(settings.model_lookup_rounds):
        reply = invoke_with_retries(bound, history, kwargs, call, settings)
        if not isinstance(reply, AIMessage) or not reply.tool_calls:
            break
        # Calls beyond the budget are dropped from the message too, so every call in the
        # history has its answer (chat APIs reject unanswered tool calls).
        calls = reply.tool_calls[: settings.model_lookup_calls]
        reply = reply.model_copy(update={"tool_calls": calls})
        history += [reply, *run_tool_calls(tool_node, reply)]
    return history
