"""Per-catalog lookups the validator needs, computed once per catalog object.

`Catalog` answers single questions (`column(table, name)` walks the inheritance chain each
time); validating a 50-step flow in under a millisecond needs dictionaries instead. The index is
built lazily and cached per catalog object, so one validator run after another pays nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from schemas.catalog import Action, Catalog, Column, Param
from schemas.flow import FLOW_LOGIC_TOKENS

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
    dynamic_outputs: bool = False
    """True when output names are free (get_catalog_variables: one per catalog variable)."""
    required: tuple[Param, ...] = field(init=False)
    """The mandatory inputs, precomputed for the missing-input check."""

    def __post_init__(self) -> None:
        """Derive `required` from the inputs."""
        object.__setattr__(self, "required", tuple(p for p in self.inputs.values() if p.mandatory))


class CatalogIndex:
    """Dictionary lookups over one catalog: tables, flattened columns, signatures."""

    def __init__(self, catalog: Catalog) -> None:
        """Index `catalog`; columns are flattened per table on first use."""
        self.catalog = catalog
        self.table_names: frozenset[str] = frozenset(t.name for t in catalog.tables)
        self._columns: dict[str, dict[str, Column]] = {}
        self._choices: dict[int, frozenset[str]] = {}
        self.walks: dict[tuple[str, str | None, tuple[str, ...]], Any] = {}
        """Dot-walk results by (start kind, start table, fields); see `datatypes.walk`."""
        self.value_checks: dict[tuple[str, str, str | None], Any] = {}
        """Catalog-only problems of queries/templates by (kind, value, table); see conditions."""
        self._actions = {a.key: _action_signature(a) for a in catalog.actions}
        self.definition_keys: frozenset[tuple[str, str, str]] = frozenset(
            (a.category, a.scope, a.name) for a in catalog.actions
        )
        """(category, scope, name) of every action and subflow, for the fast grounding path."""
        self.flow_tokens: frozenset[str] = frozenset(
            f.token for f in catalog.flow_logic if f.token in FLOW_LOGIC_TOKENS
        )
        """Flow-logic tokens both the format and the catalog know."""
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

    def choice_values(self, column: Column) -> frozenset[str]:
        """Return the stored choice values of a catalog column (cached per column)."""
        found = self._choices.get(id(column))
        if found is None:
            found = column.choice_values()
            self._choices[id(column)] = found  # the index keeps the catalog, so ids stay unique
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
    """Index params by name."""
    return {p.name: p for p in params}


def _action_signature(action: Action) -> Signature:
    """Return the signature of an action or subflow."""
    return Signature(
        action.category,
        action.name,
        _by_name(action.inputs),
        _by_name(action.outputs),
        dynamic_outputs=action.dynamic_outputs,
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
