"""Input errors that no re-fill can fix, handed to outline repair instead.

The repair loop re-fills a step whose inputs are wrong (`agent.routing.input_target`). A
FOREACH whose step sees no list of records (no ``records`` pill in scope; an ``array`` such as
``trigger.changed_fields`` is no stand-in for the records a loop is meant to visit) cannot be
fixed that way: every re-fill has nothing to iterate, so the budget runs out on the same error.
The outline is what is wrong (a missing look-up before the loop, or the look-up in a branch
the loop cannot see), so the issue is moved onto the FOREACH step itself, where the router
counts it as an outline error and the repairer sees it with the step.
"""

from __future__ import annotations

from agent.draft import pill_dicts
from schemas.catalog import Catalog
from schemas.flow import Flow
from schemas.issues import Issue

UNFILLABLE_HINT = (
    "No list of records is in scope at this FOREACH, so no input can fix it: add a step "
    "before it that returns records (e.g. look_up_records) at the same level, or remove the "
    "loop."
)


def lift_unfillable(issues: list[Issue], flow: Flow, catalog: Catalog) -> list[Issue]:
    """Return `issues` with each FOREACH-items error that no pill in scope can fix moved from
    the step's input to the step (same code and message, a hint saying what to change)."""
    index = {c.order: i for i, c in enumerate(flow.components)}
    out = []
    for issue in issues:
        if (issue.code == "foreach_items_not_list" and issue.order in index
                and not _lists_in_scope(flow, issue.order, catalog)):
            issue = issue.model_copy(
                update={"path": f"/components/{index[issue.order]}", "hint": UNFILLABLE_HINT})
        out.append(issue)
    return out


def _lists_in_scope(flow: Flow, order: int, catalog: Catalog) -> bool:
    return any(p.get("type") == "records" for p in pill_dicts(flow, order, catalog))
