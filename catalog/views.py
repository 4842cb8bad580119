"""Plain-data views of catalog entries (for `--json` output, prompts and people).

Each view is a JSON-ready dict built from the typed catalog; a table's view includes the
columns it inherits, each marked with the table that defines it, because that is what a flow
author can actually use on the table. `lookup_*` functions raise `UnknownEntryError` carrying
close-match suggestions, so every caller reports a typo the same way.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from schemas.catalog import Action, Catalog, FlowLogicDef, Param, Table, TriggerDef

MAX_SUGGESTIONS = 5


class UnknownEntryError(LookupError):
    """A name the catalog does not hold; `suggestions` are the closest names it does hold."""

    def __init__(
        self, kind: str, name: str, suggestions: list[str], message: str | None = None
    ) -> None:
        hint = f"; did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(message or f"unknown {kind} {name!r}{hint}")
        self.kind = kind
        self.name = name
        self.suggestions = suggestions


def suggest(name: str, options: Iterable[str]) -> list[str]:
    """Return up to five options closest to `name` (prefix matches first, then fuzzy ones)."""
    options = sorted(set(options))
    lowered = name.lower()
    prefixed = [o for o in options if o.lower().startswith(lowered)] if lowered else []
    fuzzy = difflib.get_close_matches(lowered, options, n=MAX_SUGGESTIONS, cutoff=0.6)
    ordered = list(dict.fromkeys([*fuzzy, *prefixed]))
    return ordered[:MAX_SUGGESTIONS]


def lookup_table(catalog: Catalog, name: str) -> Table:
    """Return the table called `name` or raise `UnknownEntryError` with suggestions."""
    table = catalog.table(name)
    if table is None:
        raise UnknownEntryError("table", name, suggest(name, (t.name for t in catalog.tables)))
    return table


def lookup_action(catalog: Catalog, name: str, scope: str | None = None) -> Action:
    """Return the action `name` in `scope`; without a scope prefer global, else the only match.

    Raises:
        UnknownEntryError: no such action, or the name exists in several scopes and none
            was given (the suggestions then list the scoped names).
    """
    if scope is not None:
        action = catalog.action(name, scope)
    else:
        matches = catalog.actions_named(name)
        action = catalog.action(name) or (matches[0] if len(matches) == 1 else None)
        if action is None and matches:
            scopes = sorted(a.scope for a in matches)
            message = f"action {name!r} exists in several scopes; add --scope {' or '.join(scopes)}"
            raise UnknownEntryError("action", name, scopes, message)
    if action is None:
        pool = (a.name for a in catalog.actions if scope is None or a.scope == scope)
        where = "action" if scope is None else f"action in scope {scope!r}"
        raise UnknownEntryError(where, name, suggest(name, pool))
    return action


def lookup_trigger(catalog: Catalog, type_: str) -> TriggerDef:
    """Return the trigger definition of `type_` or raise `UnknownEntryError`."""
    trigger = catalog.trigger(type_)
    if trigger is None:
        options = (t.type for t in catalog.triggers)
        raise UnknownEntryError("trigger type", type_, suggest(type_, options))
    return trigger


def lookup_logic(catalog: Catalog, token: str) -> FlowLogicDef:
    """Return the flow-logic definition of `token` (any case) or raise `UnknownEntryError`."""
    logic = catalog.logic(token.upper())
    if logic is None:
        options = (f.token for f in catalog.flow_logic)
        raise UnknownEntryError("flow-logic token", token, suggest(token.upper(), options))
    return logic


def table_view(catalog: Catalog, table: Table) -> dict[str, Any]:
    """Describe a table with all its columns; inherited ones carry `inherited_from`."""
    columns: list[dict[str, Any]] = []
    seen: set[str] = set()
    for owner in catalog.lineage(table.name):
        for column in owner.columns:
            if column.name in seen:
                continue
            seen.add(column.name)
            entry = column.model_dump(exclude_defaults=True)
            if owner.name != table.name:
                entry["inherited_from"] = owner.name
            columns.append(entry)
    return {
        "name": table.name,
        "label": table.label,
        "parent": table.parent,
        "lineage": [t.name for t in catalog.lineage(table.name)],
        "children": sorted(t.name for t in catalog.tables if t.parent == table.name),
        "description": table.description,
        "columns": columns,
    }


def table_summary(catalog: Catalog, table: Table) -> dict[str, Any]:
    """Describe a table in one row: name, label, parent and column counts."""
    return {
        "name": table.name,
        "label": table.label,
        "parent": table.parent,
        "own_columns": len(table.columns),
        "columns": len(catalog.columns(table.name)),
    }


def params_view(params: Iterable[Param]) -> list[dict[str, Any]]:
    """Describe params with only their non-default fields (name and type always present)."""
    return [{"name": p.name, "type": p.type, **p.model_dump(exclude_defaults=True)} for p in params]


def action_view(action: Action) -> dict[str, Any]:
    """Describe an action or subflow with its typed inputs and outputs."""
    head = action.model_dump(exclude={"inputs", "outputs"})
    return {**head, "inputs": params_view(action.inputs), "outputs": params_view(action.outputs)}


def trigger_view(trigger: TriggerDef) -> dict[str, Any]:
    """Describe a trigger type with its inputs and the pills it provides."""
    head = trigger.model_dump(exclude={"inputs", "outputs"})
    return {**head, "inputs": params_view(trigger.inputs), "outputs": params_view(trigger.outputs)}


def logic_view(logic: FlowLogicDef) -> dict[str, Any]:
    """Describe a flow-logic block with its inputs and outputs."""
    head = logic.model_dump(exclude={"inputs", "outputs"})
    return {**head, "inputs": params_view(logic.inputs), "outputs": params_view(logic.outputs)}
