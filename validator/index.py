"""Per-catalog lookups the validator needs, computed once per catalog object.

`Catalog` answers single questions (`column(table, name)` walks the inheritance chain each
time); validating a 50-step flow in under a millisecond needs dictionaries instead. The index is
built lazily and cached per catalog object, so one validator run after another pays nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from schemas.catalog import Action, Catalog, Column, Param

SignatureKind = Literal["trigger", "action", "subflow", "flowlogic"]

_CACHE_SIZE = 8


@dataclass(frozen=True)
class Signature:
    """The inputs and outputs of whatever a trigger or component names in the catalog."""

    kind: SignatureKind
    name: str
    inputs: dict[str, Param]
    outputs: dict[str, Param]
    variadic: bool = False
    """True when input names are free (SETFLOWVARIABLES: one input per variable)."""


class CatalogIndex:
    """Dictionary lookups over one catalog: tables, flattened columns, signatures."""

    def __init__(self, catalog: Catalog) -> None:
        """Index `catalog`; columns are flattened per table on first use."""
        self.catalog = catalog
        self.table_names: frozenset[str] = frozenset(t.name for t in catalog.tables)
        self._columns: dict[str, dict[str, Column]] = {}
        self._actions = {a.key: _action_signature(a) for a in catalog.actions}
        self._triggers = {
            t.type: Signature("trigger", t.type, _by_name(t.inputs), _by_name(t.outputs))
            for t in catalog.triggers
        }
        self._logic = {
            f.token: Signature(
                "flowlogic", f.token, _by_name(f.inputs), _by_name(f.outputs), f.variadic_inputs
            )
            for f in catalog.flow_logic
        }

    def columns(self, table: str) -> dict[str, Column]:
        """Return the table's columns by name, inherited ones included (empty if unknown)."""
        found = self._columns.get(table)
        if found is None:
            found = {c.name: c for c in self.catalog.columns(table)}
            self._columns[table] = found
        return found

    def action(self, scope: str, name: str) -> Signature | None:
        """Return the signature of the action or subflow (scope, name), or None."""
        return self._actions.get((scope, name))

    def action_keys(self) -> list[tuple[str, str]]:
        """Return every (scope, name) of the catalog's actions and subflows."""
        return list(self._actions)

    def trigger(self, type_: str) -> Signature | None:
        """Return the signature of a trigger type, or None."""
        return self._triggers.get(type_)

    def trigger_types(self) -> list[str]:
        """Return every trigger type of the catalog."""
        return list(self._triggers)

    def logic(self, token: str) -> Signature | None:
        """Return the signature of a flow-logic token, or None."""
        return self._logic.get(token)

    def logic_tokens(self) -> list[str]:
        """Return every flow-logic token of the catalog."""
        return list(self._logic)


def _by_name(params: tuple[Param, ...]) -> dict[str, Param]:
    return {p.name: p for p in params}


def _action_signature(action: Action) -> Signature:
    return Signature(
        action.category, action.name, _by_name(action.inputs), _by_name(action.outputs)
    )


_cache: dict[int, tuple[Catalog, CatalogIndex]] = {}


def index_for(catalog: Catalog) -> CatalogIndex:
    """Return the (cached) index of `catalog`."""
    # Keyed by identity and holding the catalog itself, so an id can never be reused while
    # its entry is alive; a few entries suffice (one process validates against one catalog).
    hit = _cache.get(id(catalog))
    if hit is not None and hit[0] is catalog:
        return hit[1]
    if len(_cache) >= _CACHE_SIZE:
        _cache.pop(next(iter(_cache)))
    built = CatalogIndex(catalog)
    _cache[id(catalog)] = (catalog, built)
    return built
