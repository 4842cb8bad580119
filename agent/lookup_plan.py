"""Which catalog lookups each step gets, and how their answers become fill candidates.

Three rounds of tool calls, each batched over every step: tables for the step's annotation
(searched again with the whole requirement when the annotation finds none);
columns of the step's likely tables (its own best tables, pinned tables, and the tables its
visible pills point to); and the stored values of the step's best-ranked choice column, ranked
by the annotation. Every other choice column carries its stored values straight from the
catalog, which is cheaper than a search per column and loses nothing (the lists are short).
The calls go through an `Executor`: LangGraph's ToolNode in the graph, the same tools called
directly elsewhere (SFT export), so both paths see identical candidates.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import ToolCall
from langchain_core.tools import BaseTool

from agent.settings import Settings
from agent.state import StepLookup
from schemas.catalog import Catalog

Executor = Callable[[list[ToolCall]], list[dict[str, Any]]]
"""Run tool calls, returning each call's parsed JSON answer in call order."""


@dataclass(frozen=True)
class LookupStep:
    """One step to look up: its order (0: trigger), query, and tables already known."""

    order: int
    query: str
    """The step's annotation: what the step does, in the user's words."""
    extra_tables: tuple[str, ...] = ()
    """Tables the step must see columns of (pinned, or named by its visible pills)."""
    context: str = ""
    """The whole requirement: widens column searches, since an annotation is short."""

    @property
    def column_query(self) -> str:
        """Return the text columns are searched with (annotation, then the requirement)."""
        if not self.context or self.context == self.query:
            return self.query
        return f"{self.query}. {self.context}"


def tool_call(name: str, args: dict[str, Any], call_id: str) -> ToolCall:
    """Build one tool call as an AIMessage carries it."""
    return ToolCall(name=name, args=args, id=call_id, type="tool_call")


def direct_executor(tools: Sequence[BaseTool]) -> Executor:
    """Return an executor calling the lookup tools directly (no graph needed)."""
    by_name = {t.name: t for t in tools}

    def run(calls: list[ToolCall]) -> list[dict[str, Any]]:
        return [parse_tool_output(by_name[c["name"]].invoke(c["args"])) for c in calls]

    return run


def direct_lookup(
    step: LookupStep, tools: Sequence[BaseTool], catalog: Catalog, settings: Settings
) -> StepLookup:
    """Look up one step by calling the lookup tools directly (the SFT-export path)."""
    return run_lookups([step], direct_executor(tools), catalog, settings)[step.order]


def parse_tool_output(content: object) -> dict[str, Any]:
    """Parse a lookup tool's JSON answer; anything else is an empty answer."""
    try:
        data = json.loads(content) if isinstance(content, str) else content
    except json.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}


def table_round(steps: Sequence[LookupStep], settings: Settings) -> list[ToolCall]:
    """Return the table searches of every step."""
    return [
        tool_call("search_tables", {"query": s.query, "k": settings.k_tables}, f"t{s.order}")
        for s in steps
    ]


def _widen_empty(tables: dict[int, list[dict[str, Any]]], steps: Sequence[LookupStep],
                 execute: Executor, settings: Settings) -> None:
    """Search again with the whole requirement for steps whose annotation found no table.

    An annotation such as "its" finds nothing, and a step with no candidate table leaves the
    filler's table (and Order by) inputs unconstrained; the requirement names the records.
    """
    bare = [LookupStep(s.order, s.context, (), s.context) for s in steps
            if not tables[s.order] and s.context and s.context != s.query]
    if bare:
        tables.update(best_tables(execute(table_round(bare, settings)), bare))


def best_tables(
    answers: Sequence[dict[str, Any]], steps: Sequence[LookupStep]
) -> dict[int, list[dict[str, Any]]]:
    """Return the table hits per step order, best first, as ``{name, label}``."""
    out: dict[int, list[dict[str, Any]]] = {}
    for step, answer in zip(steps, answers, strict=True):
        hits = answer.get("tables", [])
        out[step.order] = [{"name": h["name"], "label": h.get("label", h["name"])}
                           for h in hits if isinstance(h, dict) and "name" in h]
    return out


def column_targets(
    step: LookupStep, tables: list[dict[str, Any]], settings: Settings
) -> list[str]:
    """Return the tables whose columns the step sees: its best hits, then the extra tables."""
    own = [t["name"] for t in tables[: settings.max_lookup_tables]]
    return list(dict.fromkeys([*own, *step.extra_tables]))


def column_round(
    steps: Sequence[LookupStep], targets: dict[int, list[str]], settings: Settings
) -> list[ToolCall]:
    """Return the column searches of every step over its target tables.

    The step's own tables are searched with its annotation (then the requirement); tables that
    only its pills or pins bring in are searched with the requirement alone, so steps sharing
    such a table share one search.
    """
    calls = []
    for s in steps:
        own = set(targets[s.order][: settings.max_lookup_tables]) - set(s.extra_tables)
        for i, table in enumerate(targets[s.order]):
            query = s.column_query if table in own else (s.context or s.query)
            args = {"query": query, "table": table, "k": settings.k_columns}
            calls.append(tool_call("search_columns", args, f"c{s.order}_{i}"))
    return calls


def deduplicated(execute: Executor) -> Executor:
    """Return an executor that runs each distinct (tool, arguments) call once per batch."""

    def run(calls: list[ToolCall]) -> list[dict[str, Any]]:
        keys = [_call_key(c) for c in calls]
        first: dict[tuple[str, Any], ToolCall] = {}
        for key, call in zip(keys, calls, strict=True):
            first.setdefault(key, call)
        answers = dict(zip(first, execute(list(first.values())), strict=True))
        return [answers[key] for key in keys]

    return run


def _call_key(call: ToolCall) -> tuple[str, Any]:
    """Return a key equal for equal calls: their arguments as a set of (name, value) pairs."""
    try:
        return call["name"], frozenset(call["args"].items())
    except TypeError:  # a list argument: compare the JSON instead
        return call["name"], json.dumps(call["args"], sort_keys=True)


def column_dicts(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the column hits of one answer as prompt dicts (choices still empty)."""
    return [
        {"table": h["table"], "name": h["column"], "label": h.get("label", h["column"]),
         "type": h.get("type", "string"), "reference": h.get("reference"), "choices": []}
        for h in answer.get("columns", [])
        if isinstance(h, dict) and "table" in h and "column" in h
    ]


def choice_round(
    steps: Sequence[LookupStep], columns: dict[int, list[dict[str, Any]]],
    catalog: Catalog, settings: Settings,
) -> list[tuple[int, int, ToolCall]]:
    """Return (order, column index, call) for the best-ranked choice columns of every step."""
    out: list[tuple[int, int, ToolCall]] = []
    for step in steps:
        found = 0
        for index, col in enumerate(columns[step.order]):
            if not col["choices"] or found >= settings.max_choice_lookups:
                continue
            found += 1
            args = {"table": col["table"], "column": col["name"], "query": step.query,
                    "k": settings.k_choices}
            out.append((step.order, index, tool_call("search_choices", args,
                                                     f"v{step.order}_{index}")))
    return out


def attach_choices(columns: list[dict[str, Any]], catalog: Catalog, k: int) -> None:
    """Give every choice column its stored values from the catalog (first `k`)."""
    for col in columns:
        column = catalog.column(col["table"], col["name"])
        if column is not None and column.choices:
            col["choices"] = [{"value": c.value, "label": c.label} for c in column.choices[:k]]


TableHits = dict[int, list[dict[str, Any]]]
ExtraTables = Callable[[TableHits], dict[int, list[str]]]
"""Given the table hits per step, name more tables per step (e.g. those its pills point to)."""


def run_lookups(
    steps: Sequence[LookupStep],
    execute: Executor,
    catalog: Catalog,
    settings: Settings,
    extra: ExtraTables | None = None,
) -> dict[int, StepLookup]:
    """Look up tables, columns and choice values for every step, in three batched rounds."""
    if not steps:
        return {}
    execute = deduplicated(execute)
    tables = best_tables(execute(table_round(steps, settings)), steps)
    _widen_empty(tables, steps, execute, settings)
    if extra is not None:
        more = extra(tables)
        steps = [LookupStep(s.order, s.query, tuple(dict.fromkeys(
            [*s.extra_tables, *more.get(s.order, [])])), s.context) for s in steps]
    targets = {s.order: column_targets(s, tables[s.order], settings) for s in steps}
    calls = column_round(steps, targets, settings)
    columns: dict[int, list[dict[str, Any]]] = {s.order: [] for s in steps}
    for call, answer in zip(calls, execute(calls), strict=True):
        order = int(call["id"][1:].split("_")[0])  # type: ignore[index]
        columns[order].extend(column_dicts(answer))
    for found in columns.values():
        attach_choices(found, catalog, settings.k_choices)
    choice_calls = choice_round(steps, columns, catalog, settings)
    answers = execute([c for _, _, c in choice_calls]) if choice_calls else []
    for (order, index, _), answer in zip(choice_calls, answers, strict=True):
        columns[order][index]["choices"] = _choices(answer, columns[order][index], catalog,
                                                    settings)
    return {
        s.order: StepLookup(
            tables=_with_extra(tables[s.order], s, catalog), columns=columns[s.order]
        )
        for s in steps
    }


def _choices(answer: dict[str, Any], col: dict[str, Any], catalog: Catalog,
             settings: Settings) -> list[dict[str, str]]:
    hits = [{"value": h["value"], "label": h.get("label", h["value"])}
            for h in answer.get("choices", []) if isinstance(h, dict) and "value" in h]
    column = catalog.column(col["table"], col["name"])
    rest = [{"value": c.value, "label": c.label} for c in (column.choices if column else ())]
    # Values matching the step first; the rest follow so the model can still pick another.
    merged = {c["value"]: c for c in [*hits, *rest]}
    return list(merged.values())[: max(settings.k_choices, len(hits))]


def _with_extra(
    tables: list[dict[str, Any]], step: LookupStep, catalog: Catalog
) -> list[dict[str, Any]]:
    names = {t["name"] for t in tables}
    extra = []
    for name in step.extra_tables:
        table = catalog.table(name)
        if table is not None and name not in names:
            extra.append({"name": name, "label": table.label})
    return [*tables, *extra]
