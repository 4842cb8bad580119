"""The draft flow a fill sees: filled steps as filled, unfilled ones with their likely table.

Steps are filled in parallel, so a step cannot wait for the table an earlier step will choose.
Until a step is filled, its table input is taken to be the table its lookup ranked first (or
the pinned one), which is enough to tell which columns the pills of later steps carry.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from typing import Any

from agent.assemble import assemble_flow
from agent.state import TRIGGER_ORDER, StepFill, StepLookup
from schemas.catalog import Catalog
from schemas.flow import Component, Flow, FlowInput, Outline
from validator.scope import visible_pills_by_order

POINTER_TYPES = frozenset({"reference", "records"})


def predicted_table(tables: list[dict[str, Any]], pinned: list[str], trigger: bool) -> str | None:
    """Return the likely table of a step: its best hit (the trigger prefers a pinned table)."""
    names = [t["name"] for t in tables]
    ranked = [*pinned, *names] if trigger else [*names, *pinned]
    return ranked[0] if ranked else None


def draft_flow(
    outline: Outline,
    fills: dict[int, StepFill],
    version: int,
    lookups: dict[int, StepLookup],
    catalog: Catalog,
) -> Flow:
    """Return the assembled flow with the likely table set on every step that lacks one."""
    flow = assemble_flow(outline, fills, version)
    if flow.trigger is not None and not flow.trigger.inputs:
        trig = catalog.trigger(flow.trigger.type)
        table = lookups.get(TRIGGER_ORDER, StepLookup([], [])).table
        if trig is not None and table and any(p.name == "table" for p in trig.inputs):
            flow.trigger.inputs = [FlowInput(name="table", value=table)]
    for comp in flow.components:
        lookup = lookups.get(comp.order)
        if not comp.inputs and lookup is not None and lookup.table:
            comp.inputs = _table_inputs(comp, lookup.table, catalog)
    return flow


def _table_inputs(comp: Component, table: str, catalog: Catalog) -> list[FlowInput]:
    action = catalog.action(comp.definition, comp.scope) if comp.category != "flowlogic" else None
    if action is None:
        return []
    names = [p.name for p in action.inputs if p.type == "table_name"]
    return [FlowInput(name=names[0], value=table)] if names else []


_PILLS: OrderedDict[int, tuple[weakref.ref[Flow], int, dict[int, list[dict[str, Any]]]]] = (
    OrderedDict())
_PILLS_SIZE = 64
_PILLS_LOCK = threading.Lock()


def pill_dicts(flow: Flow, order: int, catalog: Catalog) -> list[dict[str, Any]]:
    """Return the pills step `order` may use, as prompt dicts ``{pill, type, table, label}``.

    The pills of every step of a flow are resolved together and remembered while the flow
    object lives (the last few flows): the fills of one round share one draft, and resolving
    its scope once instead of once per step was a tenth of a flow's overhead. Drafts are
    never changed after they are built; a changed flow is a new object.
    """
    with _PILLS_LOCK:
        known = _PILLS.get(id(flow))
    if known is None or known[0]() is not flow or known[1] != id(catalog):
        by_order = {
            o: [{"pill": p.pill, "type": p.type, "table": p.table, "label": p.label}
                for p in pills]
            for o, pills in visible_pills_by_order(flow, catalog).items()
        }
        known = (weakref.ref(flow), id(catalog), by_order)
        with _PILLS_LOCK:
            _PILLS[id(flow)] = known
            while len(_PILLS) > _PILLS_SIZE:
                _PILLS.popitem(last=False)
    return [dict(p) for p in known[2].get(order, [])]


def pill_tables(pills: list[dict[str, Any]]) -> list[str]:
    """Return the tables that reference/records pills point to, in order."""
    return list(dict.fromkeys(
        str(p["table"]) for p in pills if p["type"] in POINTER_TYPES and p["table"]
    ))
