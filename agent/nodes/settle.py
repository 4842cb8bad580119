"""Node `settle`: the last-resort fixes (`agent.last_resort`) once the repair budget is spent."""

from __future__ import annotations

import time
from typing import Any

from langgraph.runtime import Runtime

from agent.assemble import assemble_flow
from agent.context import Context
from agent.last_resort import settle as settle_flow
from agent.nodes.common import accounting
from agent.state import TRIGGER_ORDER, State, StepFill
from schemas.flow import Flow, Outline


def settle(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Apply the last-resort fixes; a changed flow becomes a new outline version, re-validated.

    The node runs at most once per run (`settled`), so validation after it finishes the run.
    """
    del runtime  # the fixes need neither models nor the catalog
    started = time.perf_counter()
    update: dict[str, Any] = {"settled": True, **accounting("settle", started)}
    if state.outline is None:
        return update
    flow = assemble_flow(state.outline, state.fills, state.outline_version)
    fixed, done = settle_flow(flow, state.issues)
    if not done:
        return update
    version = state.outline_version + 1
    return {**update, **_as_version(fixed, version), "fixes": done}


def _as_version(flow: Flow, version: int) -> dict[str, Any]:
    """Return the state update that makes `flow` the outline and fills of `version`."""
    outline = Outline.model_validate(
        {"name": flow.name,
         "trigger": flow.trigger.model_dump(exclude={"inputs"}) if flow.trigger else None,
         "components": [c.model_dump(exclude={"inputs"}) for c in flow.components]}
    )
    fills = {c.order: StepFill(c.order, version, list(c.inputs)) for c in flow.components}
    if flow.trigger is not None:
        fills[TRIGGER_ORDER] = StepFill(TRIGGER_ORDER, version, list(flow.trigger.inputs))
    return {"outline": outline, "outline_version": version, "fills": fills}
