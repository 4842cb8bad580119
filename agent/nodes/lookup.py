"""Node `lookup`: per annotated step, the graph emits catalog lookups and runs them in ToolNode."""

from __future__ import annotations

import time
from typing import Any

from langchain_core.messages import AIMessage, ToolCall, ToolMessage
from langgraph.prebuilt import ToolNode
from langgraph.runtime import Runtime

from agent.candidates import needs_fill, trigger_params
from agent.context import Context
from agent.draft import draft_flow, pill_dicts, pill_tables, predicted_table
from agent.lookup_plan import Executor, LookupStep, TableHits, parse_tool_output, run_lookups
from agent.nodes.common import RUN_ERRORS, accounting
from agent.state import TRIGGER_ORDER, State, StepLookup
from agent.tool_calls import run_tool_calls
from schemas.catalog import Catalog
from schemas.flow import Flow, Outline
from tools.pinning import pinned_tables


def tool_node_executor(tool_node: ToolNode) -> Executor:
    """Return an executor that sends tool calls as one AIMessage through a `ToolNode`.

    An answer is read from the message's artifact (the lookup tools' data, shared with their
    memo: read, never changed) and parsed from its JSON text only when it has none.
    """

    def run(calls: list[ToolCall]) -> list[dict[str, Any]]:
        answers = run_tool_calls(tool_node, AIMessage(content="", tool_calls=calls))
        by_id = {m.tool_call_id: m for m in answers}
        return [_answer_of(by_id.get(str(c["id"]))) for c in calls]

    return run


def _answer_of(message: ToolMessage | None) -> dict[str, Any]:
    if message is None:
        return {}
    if isinstance(message.artifact, dict):
        return message.artifact
    return parse_tool_output(message.content)


def lookup_steps(outline: Outline, requirement: str, pinned: list[str],
                 catalog: Catalog) -> list[LookupStep]:
    """Return the trigger and the steps that need inputs, each with its retrieval query."""
    steps: list[LookupStep] = []
    if outline.trigger is not None and trigger_params(outline.trigger.type, catalog):
        query = outline.trigger.annotation or requirement
        steps.append(LookupStep(TRIGGER_ORDER, query, tuple(pinned), requirement))
    steps.extend(
        LookupStep(c.order, c.annotation or requirement, tuple(pinned), requirement)
        for c in outline.components
        if needs_fill(c, catalog)
    )
    return steps


def lookup(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Look up candidate tables, columns and choice values for every step of the outline."""
    started = time.perf_counter()
    ctx = runtime.context
    outline = state.outline
    if outline is None:
        return accounting("lookup", started)
    try:
        catalog = ctx.get_catalog()
        pinned = pinned_tables(state.requirement, catalog)
        steps = lookup_steps(outline, state.requirement, pinned, catalog)
        drafts: list[tuple[dict[int, str | None], Flow]] = []

        def extra(tables: TableHits) -> dict[int, list[str]]:
            guesses = _guesses(tables, pinned)
            draft = draft_flow(outline, state.fills, state.outline_version, guesses, catalog)
            drafts.append(({o: g.table for o, g in guesses.items()}, draft))
            return {o: pill_tables(pill_dicts(draft, o, catalog)) for o in tables if o}

        found = run_lookups(steps, tool_node_executor(ctx.get_tool_node()), catalog,
                            ctx.settings, extra)
    except RUN_ERRORS as exc:
        return {"failure": str(exc), **accounting("lookup", started)}
    lookups = {
        o: StepLookup(lk.tables, lk.columns, predicted_table(lk.tables, pinned, o == TRIGGER_ORDER))
        for o, lk in found.items()
    }
    # The draft only depends on each step's likely table. The extra tables run_lookups adds
    # come after the hits, so they rarely change one: then the draft built for the column
    # round (and the pills already resolved on it) serves the fills too.
    same = bool(drafts) and drafts[-1][0] == {o: lk.table for o, lk in lookups.items()}
    draft = drafts[-1][1] if same else draft_flow(
        outline, state.fills, state.outline_version, lookups, catalog)
    return {"lookups": lookups, "draft": draft, **accounting("lookup", started)}


def _guesses(tables: TableHits, pinned: list[str]) -> dict[int, StepLookup]:
    return {
        o: StepLookup([], [], predicted_table(hits, pinned, o == TRIGGER_ORDER))
        for o, hits in tables.items()
    }
