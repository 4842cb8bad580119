"""Node `refill`: start a repair round that re-fills only the steps with input errors."""

from __future__ import annotations

import time
from typing import Any

from langgraph.runtime import Runtime

from agent.context import Context
from agent.draft import draft_flow
from agent.nodes.common import RUN_ERRORS, accounting
from agent.routing import input_target
from agent.state import State


def refill(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Count the round, pick the steps to re-fill, and refresh the draft they will see."""
    started = time.perf_counter()
    orders = sorted({o for i in state.issues if i.is_error
                     if (o := input_target(i)) is not None})
    update: dict[str, Any] = {"repairs": state.repairs + 1, "refill_orders": orders}
    if state.outline is not None:
        try:
            catalog = runtime.context.get_catalog()
        except RUN_ERRORS as exc:
            return {**update, "failure": str(exc), **accounting("refill", started)}
        update["draft"] = draft_flow(state.outline, state.fills, state.outline_version,
                                     state.lookups, catalog)
    return {**update, **accounting("refill", started)}
