"""One edit round: ask for an edit plan, apply it, validate, and re-fill the touched steps.

Only touched steps are re-filled (with the generator's fill prompt and catalog lookups), so
every other step keeps its inputs exactly. Errors the edit introduced go back to the model as
a repair round (bounded by ``settings.max_repairs``); errors that were already there before the
turn are left alone, since the user did not ask about them.
"""

from __future__ import annotations

import json
from functools import partial

from agent.candidates import needs_fill
from agent.chat.apply import ApplyResult
from agent.chat.ops import EditPlan
from agent.context import Context
from agent.nodes.common import ask, issue_dict
from agent.nodes.fill import fill_prompt_vars
from agent.nodes.fill_trigger import fill_trigger_prompt_vars
from agent.nodes.plan import plan_prompt_vars
from agent.output_schemas import FilledInputs, inputs_schema
from agent.structured import Outcome
from schemas.catalog import Catalog
from schemas.flow import Component, Flow, FlowInput, OutlineComponent
from schemas.issues import Issue
from validator import validate

_INPUT_PATH = "/inputs/"


def check(flow: Flow, catalog: Catalog) -> list[Issue]:
    """Validate a flow as its JSON (what the user exports)."""
    return validate(flow.model_dump(mode="json", exclude_none=True), catalog)


def propose(ctx: Context, message: str, flow: Flow, issues: list[Issue]) -> Outcome[EditPlan]:
    """Ask the planner model for the operations that carry out `message` on `flow`.

    Raises:
        ModelCallError, PromptError, CatalogError, RetrievalError: the call cannot be made.
    """
    variables = plan_prompt_vars(message, ctx.get_catalog(), ctx.get_retriever(), ctx.settings)
    variables["message"] = message
    variables["flow"] = json.dumps(
        flow.model_dump(mode="json", exclude_none=True), ensure_ascii=False, indent=1
    )
    variables["issues"] = [issue_dict(i) for i in issues]
    return ask(ctx, "planner", "edit", variables, EditPlan.model_json_schema, EditPlan)


def new_errors(
    before: list[Issue], before_ids: list[str], after: list[Issue], after_ids: list[str]
) -> list[Issue]:
    """Return the errors of `after` that `before` did not have (matched by code and step id)."""

    def key(issue: Issue, ids: list[str]) -> tuple[str, str]:
        order = issue.order
        uid = ids[order - 1] if order is not None and 0 < order <= len(ids) else "-"
        return issue.code, uid

    old = {key(i, before_ids) for i in before if i.is_error}
    return [i for i in after if i.is_error and key(i, after_ids) not in old]


def refill(
    ctx: Context, requirement: str, edit: ApplyResult, issues: list[Issue]
) -> tuple[Flow, list[Issue]]:
    """Re-fill the touched steps (and trigger) that have errors or no inputs yet.

    Inputs the validator did not flag are kept (they may be what the user just asked for);
    the fill only supplies the rest. Returns the flow and the fill calls' output problems.

    Raises:
        ModelCallError, PromptError, CatalogError, RetrievalError: a fill cannot be made.
    """
    flow, catalog = edit.flow, ctx.get_catalog()
    problems: list[Issue] = []
    for order in edit.touched_orders():
        comp = flow.components[order - 1]
        mine = [i for i in issues if i.order == order and i.is_error]
        if not _needs_fill(comp, catalog) or (comp.inputs and not mine):
            continue
        inputs, more = _fill_step(ctx, requirement, flow, order, mine)
        problems.extend(more)
        if inputs is not None:
            components = list(flow.components)
            components[order - 1] = comp.model_copy(update={"inputs": inputs})
            flow = flow.model_copy(update={"components": components})
    if edit.trigger_touched:
        flow, more = _refill_trigger(ctx, requirement, flow, issues)
        problems.extend(more)
    return flow, problems


def _fill_step(
    ctx: Context, requirement: str, flow: Flow, order: int, issues: list[Issue]
) -> tuple[list[FlowInput] | None, list[Issue]]:
    """Ask the filler for one step; return its merged inputs (None: unusable) and problems."""
    comp = flow.components[order - 1]
    variables = fill_prompt_vars(
        requirement,
        flow,
        order,
        ctx.get_catalog(),
        ctx.get_retriever(),
        ctx.settings,
        issues=issues,
        previous=comp.inputs,
    )
    schema = partial(inputs_schema, variables["params"], variables["tables"])
    outcome = ask(
        ctx, "filler", "fill", variables, schema, FilledInputs, key=str(order), order=order
    )
    if outcome.value is None:
        return None, outcome.issues
    return _merge(comp.inputs, issues, [i.to_input() for i in outcome.value.inputs]), outcome.issues


def _needs_fill(comp: Component, catalog: Catalog) -> bool:
    """Tell whether a step has inputs to choose (ELSE, PATH, placeholders have none)."""
    outline = OutlineComponent.model_validate(
        {**comp.model_dump(exclude={"inputs"}), "annotation": comp.annotation or ""}
    )
    return needs_fill(outline, catalog)


def _refill_trigger(
    ctx: Context, requirement: str, flow: Flow, issues: list[Issue]
) -> tuple[Flow, list[Issue]]:
    trigger = flow.trigger
    mine = [i for i in issues if i.is_error and i.path.startswith("/trigger")]
    if trigger is None or (trigger.inputs and not mine):
        return flow, []
    variables = fill_trigger_prompt_vars(
        requirement,
        flow,
        ctx.get_catalog(),
        ctx.get_retriever(),
        ctx.settings,
        issues=mine,
        previous=trigger.inputs,
    )
    outcome = ask(
        ctx,
        "filler",
        "fill_trigger",
        variables,
        partial(inputs_schema, variables["params"], variables["tables"]),
        FilledInputs,
        key="trigger",
    )
    if outcome.value is None:
        return flow, outcome.issues
    merged = _merge(trigger.inputs, mine, [i.to_input() for i in outcome.value.inputs])
    return flow.model_copy(update={"trigger": trigger.model_copy(update={"inputs": merged})}), []


def _merge(
    current: list[FlowInput], issues: list[Issue], filled: list[FlowInput]
) -> list[FlowInput]:
    """Keep unflagged current inputs; take the filled value for everything else."""
    flagged = {_input_index(i.path) for i in issues} - {None}
    keep = [inp for k, inp in enumerate(current) if k not in flagged]
    names = {i.name for i in keep}
    return keep + [i for i in filled if i.name not in names]


def _input_index(path: str) -> int | None:
    """Return k of a JSON Pointer ``…/inputs/<k>/…``, or None."""
    _, sep, rest = path.partition(_INPUT_PATH)
    head = rest.split("/", 1)[0]
    return int(head) if sep and head.isdigit() else None
