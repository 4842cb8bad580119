"""Node `fill_step` (one per step, fanned out with `Send`): step + candidates + pills → inputs."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any

from langgraph.runtime import Runtime

from agent.candidates import step_params
from agent.context import Context, lookup_tools
from agent.draft import pill_dicts, pill_tables
from agent.grammars import inputs_grammar
from agent.lookup_plan import LookupStep, direct_lookup
from agent.nodes.common import RUN_ERRORS, accounting, ask, issue_dict
from agent.output_schemas import FilledInputs, inputs_schema
from agent.settings import Settings
from agent.state import FillInput, StepFill, StepLookup
from schemas.catalog import Catalog
from schemas.flow import Flow, FlowInput
from schemas.issues import Issue
from tools.pinning import pinned_tables
from tools.retriever import Retriever


def fill_prompt_vars(
    requirement: str,
    flow: Flow,
    order: int,
    catalog: Catalog,
    retriever: Retriever,
    settings: Settings,
    *,
    lookup: StepLookup | None = None,
    issues: list[Issue] | None = None,
    previous: list[FlowInput] | None = None,
) -> dict[str, Any]:
    """Build the `fill` prompt variables for step `order` of `flow`.

    Args:
        requirement: the user's requirement.
        flow: the flow as far as known; earlier steps' inputs decide what their pills hold.
        order: the step to fill.
        catalog: the instance catalog.
        retriever: searched when `lookup` is None (the SFT export path).
        settings: retrieval sizes.
        lookup: the graph's lookup results for the step, if already made.
        issues: issues of a previous fill of this step (re-fill).
        previous: the inputs of that previous fill.

    Raises:
        ValueError: the flow has no step with this order.
    """
    comp = next((c for c in flow.components if c.order == order), None)
    if comp is None:
        raise ValueError(f"flow has no step with order {order}")
    pills = pill_dicts(flow, order, catalog)
    if lookup is None:
        extra = (*pinned_tables(requirement, catalog), *pill_tables(pills))
        step = LookupStep(order, comp.annotation or requirement, tuple(dict.fromkeys(extra)),
                          requirement)
        lookup = direct_lookup(step, lookup_tools(retriever), catalog, settings)
    return {
        "requirement": requirement,
        "step": {"order": comp.order, "category": comp.category, "definition": comp.definition,
                 "scope": comp.scope, "annotation": comp.annotation or ""},
        "params": step_params(comp, catalog),
        "tables": lookup.tables,
        "columns": lookup.columns,
        "pills": pills,
        "issues": [issue_dict(i) for i in issues or []],
        "previous": [i.model_dump() for i in previous or []],
    }


def inputs_grammar_of(variables: dict[str, Any], catalog: Catalog) -> Callable[[], str]:
    """Return the builder of the inputs grammar over fill (or fill_trigger) variables."""
    return lambda: inputs_grammar(
        variables["params"], variables["tables"], variables["pills"], catalog
    )


def fill_step(inp: FillInput, *, runtime: Runtime[Context]) -> dict[str, Any]:
    """Ask the filler for the inputs of one step."""
    started = time.perf_counter()
    ctx, task = runtime.context, inp.task
    try:
        variables = fill_prompt_vars(
            task.requirement, task.draft, task.order, ctx.get_catalog(), ctx.get_retriever(),
            ctx.settings, lookup=task.lookup, issues=task.issues, previous=task.previous,
        )
        schema = partial(inputs_schema, variables["params"], variables["tables"])
        outcome = ask(ctx, "filler", "fill", variables, schema, FilledInputs,
                      key=str(task.order), order=task.order, model_lookups=True,
                      grammar=inputs_grammar_of(variables, ctx.get_catalog()))
    except RUN_ERRORS as exc:
        return {"failure": str(exc), **accounting("fill", started)}
    inputs = [i.to_input() for i in outcome.value.inputs] if outcome.value else None
    fill = StepFill(task.order, task.version, inputs, outcome.issues)
    return {"fills": {task.order: fill}, **accounting("fill", started, outcome)}
