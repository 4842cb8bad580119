"""Node `finalize`: build the `GenerationResult` that says what happened."""

from __future__ import annotations

import time
from typing import Any

from langgraph.runtime import Runtime

from agent.assemble import assemble_flow, flow_json
from agent.context import Context
from agent.nodes.common import since
from agent.state import State
from schemas.flow import Flow
from schemas.issues import has_errors
from schemas.result import GenerationResult, Status


def run_status(state: State, flow: Flow | None) -> Status:
    """Return the status of a finished run."""
    if state.failure is not None:
        return "failed"
    if flow is None or has_errors(state.issues):
        return "invalid_after_repairs"
    if any(c.category == "placeholder" for c in flow.components):
        return "valid_with_placeholders"
    return "valid"


def finalize(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Assemble the final flow and report status, issues, repairs, timings and tokens."""
    started = time.perf_counter()
    flow = None
    if state.outline is not None:
        flow = assemble_flow(state.outline, state.fills, state.outline_version)
    timings = dict(state.timings)
    timings["finalize"] = timings.get("finalize", 0.0) + since(started)
    result = GenerationResult(
        requirement=state.requirement,
        flow=flow_json(flow) if flow is not None else None,
        status=run_status(state, flow),
        reason=state.failure,
        issues=state.issues,
        initial_issues=state.initial_issues or [],
        repairs_used=state.repairs,
        fixes=state.fixes,
        timings=timings,
        tokens=state.tokens,
        models=runtime.context.settings.models(),
    )
    return {"result": result}
