"""Node `fill_trigger`: the trigger's type + candidates → its inputs (table, condition, …)."""

from __future__ import annotations

import time
from functools import partial
from typing import Any

from langgraph.runtime import Runtime

from agent.candidates import trigger_params
from agent.context import Context, lookup_tools
from agent.lookup_plan import LookupStep, direct_lookup
from agent.nodes.common import RUN_ERRORS, accounting, ask, issue_dict
from agent.nodes.fill import inputs_grammar_of
from agent.output_schemas import FilledInputs, inputs_schema
from agent.settings import Settings
from agent.state import TRIGGER_ORDER, FillInput, StepFill, StepLookup
from schemas.catalog import Catalog
from schemas.flow import Flow, FlowInput
from schemas.issues import Issue
from tools.pinning import pinned_tables
from tools.retriever import Retriever


def fill_trigger_prompt_vars(
    requirement: str,
    flow: Flow,
    catalog: Catalog,
    retriever: Retriever,
    settings: Settings,
    *,
    lookup: StepLookup | None = None,
    issues: list[Issue] | None = None,
    previous: list[FlowInput] | None = None,
) -> dict[str, Any]:
    """Build the `fill_trigger` prompt variables for the trigger of `flow`.

    Raises:
        ValueError: the flow has no trigger (a subflow).
    """
    trigger = flow.trigger
    if trigger is None:
        raise ValueError("flow has no trigger to fill")
    if lookup is None:
        query = trigger.annotation or requirement
        step = LookupStep(TRIGGER_ORDER, query, tuple(pinned_tables(requirement, catalog)),
                          requirement)
        lookup = direct_lookup(step, lookup_tools(retriever), catalog, settings)
    return {
        "requirement": requirement,
        "step": {"type": trigger.type, "annotation": trigger.annotation or ""},
        "params": trigger_params(trigger.type, catalog),
        "tables": lookup.tables,
        "columns": lookup.columns,
        "pills": [],
        "issues": [issue_dict(i) for i in issues or []],
        "previous": [i.model_dump() for i in previous or []],
    }


def fill_trigger(inp: FillInput, *, runtime: Runtime[Context]) -> dict[str, Any]:
    """Ask the filler for the trigger's inputs."""
    started = time.perf_counter()
    ctx, task = runtime.context, inp.task
    try:
        variables = fill_trigger_prompt_vars(
            task.requirement, task.draft, ctx.get_catalog(), ctx.get_retriever(), ctx.settings,
            lookup=task.lookup, issues=task.issues, previous=task.previous,
        )
        schema = partial(inputs_schema, variables["params"], variables["tables"])
        outcome = ask(ctx, "filler", "fill_trigger", variables, schema, FilledInputs,
                      key="trigger", order=None, model_lookups=True,
                      grammar=inputs_grammar_of(variables, ctx.get_catalog()))
    except RUN_ERRORS as exc:
        return {"failure": str(exc), **accounting("fill_trigger", started)}
    inputs = [i.to_input() for i in outcome.value.inputs] if outcome.value else None
    # The path marks output problems as the trigger's, so routing re-fills the trigger.
    issues = [i.model_copy(update={"path": "/trigger/inputs"}) for i in outcome.issues]
    fill = StepFill(TRIGGER_ORDER, task.version, inputs, issues)
    return {"fills": {TRIGGER_ORDER: fill}, **accounting("fill_trigger", started, outcome)}
