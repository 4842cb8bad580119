"""Node `plan`: requirement + catalog candidates → outline (trigger and annotated steps)."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any

from langgraph.runtime import Runtime

from agent.candidates import PLAN_MEMO, candidate_steps, candidate_tables, candidate_triggers
from agent.context import Context
from agent.fixes import fix_outline
from agent.grammars import outline_grammar
from agent.nodes.common import RUN_ERRORS, accounting, ask
from agent.output_schemas import outline_schema
from agent.settings import Settings
from agent.state import State
from agent.structured import Outcome
from schemas.catalog import Catalog
from schemas.flow import Outline
from tools.retriever import Retriever


def plan_prompt_vars(
    requirement: str, catalog: Catalog, retriever: Retriever, settings: Settings
) -> dict[str, Any]:
    """Build the `plan` prompt variables (see ARCHITECTURE.md, node prompt contract).

    The candidates depend only on the requirement, the catalog, the retriever and the sizes:
    they are remembered per retriever, so repair rounds and repeated requirements (batches,
    evals) do not search again. The lists returned are shared: read them, never change them.
    """
    key = (requirement, id(catalog), settings.k_steps, settings.k_triggers, settings.k_tables)
    found = PLAN_MEMO.get(retriever, key)
    if found is None:
        found = (
            candidate_steps(requirement, catalog, retriever, settings.k_steps),
            candidate_triggers(requirement, catalog, retriever, settings.k_triggers),
            candidate_tables(requirement, catalog, retriever, settings.k_tables),
        )
        PLAN_MEMO.put(retriever, key, found)
    steps, triggers, tables = found
    return {"requirement": requirement, "steps": steps, "triggers": triggers, "tables": tables}


def outline_grammar_of(variables: dict[str, Any], settings: Settings) -> Callable[[], str]:
    """Return the builder of the outline grammar over the plan variables' candidates.

    With `settings.span_annotations`, annotations are held to spans of the requirement.
    """
    quoted = variables["requirement"] if settings.span_annotations else ""
    return lambda: outline_grammar(
        variables["steps"], variables["triggers"], settings.max_outline_steps, quoted
    )


def plan(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Ask the planner for an outline of the requirement."""
    started = time.perf_counter()
    ctx = runtime.context
    try:
        variables = plan_prompt_vars(
            state.requirement, ctx.get_catalog(), ctx.get_retriever(), ctx.settings
        )
        schema = partial(outline_schema, variables["steps"], variables["triggers"])
        outcome = ask(ctx, "planner", "plan", variables, schema, Outline,
                      grammar=outline_grammar_of(variables, ctx.settings))
    except RUN_ERRORS as exc:
        return {"failure": str(exc), **accounting("plan", started)}
    return {**outline_update(state, outcome), **accounting("plan", started, outcome)}


def outline_update(state: State, outcome: Outcome[Outline]) -> dict[str, Any]:
    """Return the state update for a planner/repairer answer.

    A usable answer (after deterministic fixes) becomes the new outline version; an unusable
    one keeps the previous outline and records why, so validation and repair see both.
    """
    if outcome.value is None:
        return {"outline_issues": outcome.issues, "outline_raw": outcome.text}
    outline, _fixes = fix_outline(outcome.value)
    return {
        "outline": outline,
        "outline_version": state.outline_version + 1,
        "outline_issues": [],
        "outline_raw": "",
        "lookups": {},
    }
