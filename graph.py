"""The flowgen generator graph: wiring only (nodes in `agent/nodes`, routers in `agent/routing`).

    plan → lookup → (fill_trigger ∥ fill_step × n) → validate → finalize
                                   ↑                   │
                                   └── refill ←────────┤  input errors: re-fill those steps
                     lookup ← repair ←─────────────────┤  outline errors: repair the outline
                                        validate ← settle ←┘  budget spent: last-resort fixes
"""

from __future__ import annotations

from typing import Any

from langgraph.graph import END, START, StateGraph

from agent.context import Context
from agent.nodes.fill import fill_step
from agent.nodes.fill_trigger import fill_trigger
from agent.nodes.finalize import finalize
from agent.nodes.lookup import lookup
from agent.nodes.plan import plan
from agent.nodes.refill import refill
from agent.nodes.repair import repair
from agent.nodes.settle import settle
from agent.nodes.validate import validate
from agent.routing import (
    FILL_STEP,
    FILL_TRIGGER,
    FINALIZE,
    LOOKUP,
    VALIDATE,
    route_after_outline,
    route_after_validate,
    route_fill,
    route_refill,
)
from agent.state import InputState, OutputState, State


def build_graph(**compile_kwargs: Any) -> Any:
    """Build and compile the generator graph.

    Args:
        **compile_kwargs: passed to `compile`, e.g. ``checkpointer=InMemorySaver()``.
    """
    builder = StateGraph(
        State, input_schema=InputState, output_schema=OutputState, context_schema=Context
    )
    builder.add_node(plan)
    builder.add_node(lookup)
    # LangGraph's stubs accept only nodes typed by the graph state; these take a Send payload.
    builder.add_node(fill_trigger)  # type: ignore[call-overload]
    builder.add_node(fill_step)  # type: ignore[call-overload]
    builder.add_node(validate)
    builder.add_node(repair)
    builder.add_node(refill)
    builder.add_node(settle)
    builder.add_node(finalize)

    builder.add_edge(START, "plan")
    builder.add_conditional_edges("plan", route_after_outline, [LOOKUP, VALIDATE, FINALIZE])
    builder.add_conditional_edges("repair", route_after_outline, [LOOKUP, VALIDATE, FINALIZE])
    builder.add_conditional_edges(
        "lookup", route_fill, [FILL_TRIGGER, FILL_STEP, VALIDATE, FINALIZE]
    )
    builder.add_edge("fill_trigger", "validate")
    builder.add_edge("fill_step", "validate")
    builder.add_conditional_edges("validate", route_after_validate)
    builder.add_conditional_edges("refill", route_refill, [FILL_TRIGGER, FILL_STEP, VALIDATE])
    builder.add_edge("settle", "validate")
    builder.add_edge("finalize", END)
    return builder.compile(name="flowgen", **compile_kwargs)


graph = build_graph()
