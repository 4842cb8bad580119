"""Node `validate`: assemble the draft and validate it; issues are data in the state."""

from __future__ import annotations

import time
from typing import Any

from langgraph.runtime import Runtime

from agent.assemble import assemble_flow, fill_issues, flow_json
from agent.context import Context
from agent.nodes.common import RUN_ERRORS, accounting
from agent.state import State
from agent.unfillable import lift_unfillable
from validator import validate as validate_flow


def validate(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Validate the current flow; the first complete draft's issues are kept as initial ones."""
    started = time.perf_counter()
    if state.failure is not None:
        return accounting("validate", started)
    if state.outline is None:
        issues = list(state.outline_issues)
    else:
        try:
            catalog = runtime.context.get_catalog()
        except RUN_ERRORS as exc:
            return {"failure": str(exc), **accounting("validate", started)}
        flow = assemble_flow(state.outline, state.fills, state.outline_version)
        found = validate_flow(flow_json(flow), catalog)
        issues = [
            *state.outline_issues,
            *fill_issues(state.fills, state.outline_version),
            *lift_unfillable(found, flow, catalog),
        ]
    update: dict[str, Any] = {"issues": issues, **accounting("validate", started)}
    if state.initial_issues is None:
        update["initial_issues"] = issues
    return update
