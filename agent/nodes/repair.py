"""Node `repair`: outline + its issues (with the faulty fragments) → a corrected outline."""

from __future__ import annotations

import time
from functools import partial
from typing import Any

from langgraph.runtime import Runtime

from agent.context import Context
from agent.nodes.common import RUN_ERRORS, accounting, ask, issue_dict
from agent.nodes.plan import outline_grammar_of, outline_update, plan_prompt_vars
from agent.output_schemas import outline_schema
from agent.routing import outline_errors
from agent.settings import Settings
from agent.state import State
from schemas.catalog import Catalog
from schemas.flow import Outline
from schemas.issues import Issue
from tools.retriever import Retriever


def repair_prompt_vars(
    requirement: str,
    outline: Outline | str,
    issues: list[Issue],
    catalog: Catalog,
    retriever: Retriever,
    settings: Settings,
) -> dict[str, Any]:
    """Build the `repair` prompt variables.

    Args:
        requirement: the user's requirement.
        outline: the current outline, or the raw text of an answer that did not parse.
        issues: the errors to fix; each is shown with the component it points at.
        catalog: the instance catalog.
        retriever: the catalog retriever (the candidates are those of `plan`).
        settings: retrieval sizes and how much raw text to quote.
    """
    if isinstance(outline, Outline):
        text = outline.model_dump_json(exclude_none=True)
        by_order = {c.order: c.model_dump_json(exclude_none=True) for c in outline.components}
    else:
        text, by_order = outline[: settings.repair_quote_chars], {}
    shown = [issue_dict(i, by_order.get(i.order, "") if i.order is not None else "")
             for i in issues]
    base = plan_prompt_vars(requirement, catalog, retriever, settings)
    return {**base, "outline": text, "issues": shown}


def repair(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Ask the repairer to fix the outline's errors."""
    started = time.perf_counter()
    ctx = runtime.context
    current: Outline | str = state.outline if state.outline is not None else state.outline_raw
    if state.outline_issues:
        current = state.outline_raw or current
    try:
        variables = repair_prompt_vars(
            state.requirement, current, outline_errors(state.issues), ctx.get_catalog(),
            ctx.get_retriever(), ctx.settings,
        )
        schema = partial(outline_schema, variables["steps"], variables["triggers"])
        outcome = ask(ctx, "repairer", "repair", variables, schema, Outline,
                      grammar=outline_grammar_of(variables, ctx.settings))
    except RUN_ERRORS as exc:
        return {"failure": str(exc), "repairs": state.repairs + 1, **accounting("repair", started)}
    return {
        **outline_update(state, outcome),
        "repairs": state.repairs + 1,
        **accounting("repair", started, outcome),
    }
