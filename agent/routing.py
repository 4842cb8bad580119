"""Routers: pure, small, `Literal`-typed functions deciding the next node from the state.

Repair policy: while errors remain and the budget (`settings.max_repairs`) is not spent, an
error in the outline (structure, unknown step or trigger type, unparseable planner output)
goes back to outline repair; errors only in inputs (a wrong column, a pill out of scope, an
unparseable fill) re-fill just the steps concerned. Outline errors win: re-filling steps of an
outline that is about to change would be wasted work.
"""

from __future__ import annotations

from typing import Final, Literal

from langgraph.runtime import Runtime
from langgraph.types import Send

from agent.context import Context
from agent.last_resort import FIXABLE_CODES
from agent.state import TRIGGER_ORDER, FillInput, FillTask, State
from schemas.issues import SCHEMA_CODES, Issue

PLAN: Final = "plan"
LOOKUP: Final = "lookup"
FILL_STEP: Final = "fill_step"
FILL_TRIGGER: Final = "fill_trigger"
VALIDATE: Final = "validate"
REPAIR: Final = "repair"
REFILL: Final = "refill"
SETTLE: Final = "settle"
FINALIZE: Final = "finalize"


def input_target(issue: Issue) -> int | None:
    """Return the order whose inputs an issue is about (0: trigger), or None for the outline."""
    if issue.path.startswith("/trigger/inputs"):
        return TRIGGER_ORDER
    if issue.order is not None and ("/inputs" in issue.path or issue.code in SCHEMA_CODES):
        return issue.order
    return None


def outline_errors(issues: list[Issue]) -> list[Issue]:
    """Return the errors only an outline repair can fix."""
    return [i for i in issues if i.is_error and input_target(i) is None]


def route_after_outline(state: State) -> Literal["lookup", "validate", "finalize"]:
    """After plan/repair: fill a new outline, or validate an unusable answer, or stop."""
    if state.failure is not None:
        return FINALIZE
    if state.outline is None or state.outline_issues:
        return VALIDATE
    return LOOKUP


def route_fill(state: State) -> list[Send] | Literal["validate", "finalize"]:
    """After lookup: fan out one fill per looked-up step (and the trigger)."""
    if state.failure is not None:
        return FINALIZE
    if not state.lookups or state.draft is None:
        return VALIDATE
    return [
        Send(FILL_TRIGGER if order == TRIGGER_ORDER else FILL_STEP,
             FillInput(FillTask(order, state.outline_version, state.requirement, state.draft,
                                lookup)))
        for order, lookup in sorted(state.lookups.items())
    ]


def route_after_validate(
    state: State, runtime: Runtime[Context]
) -> Literal["repair", "refill", "settle", "finalize"]:
    """After validation: finish, repair the outline, or re-fill the steps with input errors;
    with the budget spent, give the last-resort fixes their one chance first."""
    errors = [i for i in state.issues if i.is_error]
    if state.failure is not None or not errors:
        return FINALIZE
    if state.repairs >= runtime.context.settings.max_repairs:
        fixable = not state.settled and any(i.code in FIXABLE_CODES for i in errors)
        return SETTLE if fixable else FINALIZE
    return REPAIR if outline_errors(errors) else REFILL


def route_refill(state: State) -> list[Send] | Literal["validate"]:
    """After the re-fill round starts: one fill per step named by input errors."""
    if state.draft is None or not state.refill_orders:
        return VALIDATE
    sends = []
    for order in state.refill_orders:
        issues = [i for i in state.issues if i.is_error and input_target(i) == order]
        old = state.fills.get(order)
        task = FillTask(order, state.outline_version, state.requirement, state.draft,
                        state.lookups.get(order), issues, list(old.inputs or []) if old else [])
        sends.append(Send(FILL_TRIGGER if order == TRIGGER_ORDER else FILL_STEP, FillInput(task)))
    return sends
