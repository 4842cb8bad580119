"""Backend-neutral search documents built from a catalog, and hits built back from keys.

A document is what one backend row/object holds: four weighted text fields (`name`, `label`,
`description`, `context`) plus the key that identifies the catalog item. Backends store and
rank documents; turning a key back into a typed hit goes through `HitFactory`, so both
backends return identical hit objects for the same item.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from schemas.catalog import Catalog, Column
from tools.retriever import (
    ChoiceHit,
    ChoiceValue,
    ColumnHit,
    SchemaColumn,
    StepHit,
    TableHit,
    TableSchema,
    TriggerHit,
)
from tools.text import identifier_text

Kind = Literal["step", "table", "column", "choice", "trigger"]
KINDS: tuple[Kind, ...] = ("step", "table", "column", "choice", "trigger")

TEXT_FIELDS: tuple[str, ...] = ("name", "label", "description", "context")
"""Searchable fields of every document, in the order their weights are given."""

KEY_FIELDS: dict[Kind, tuple[str, ...]] = {
    "step": ("category", "definition", "scope"),
    "table": ("table",),
    "column": ("owner", "column"),
    "choice": ("owner", "column", "value"),
    "trigger": ("type",),
}
"""Stored, unsearched fields that identify the catalog item of a document."""


@dataclass(frozen=True, slots=True)
class Doc:
    """One searchable catalog item."""

    kind: Kind
    key: tuple[str, ...]
    name: str
    label: str
    description: str
    context: str


def catalog_documents(catalog: Catalog) -> dict[Kind, list[Doc]]:
    """Return the documents of every kind for the catalog."""
    return {
        "step": _step_docs(catalog),
        "table": [
            Doc("table", (t.name,), identifier_text(t.name), t.label, t.description,
                identifier_text(t.parent) if t.parent else "")
            for t in catalog.tables
        ],
        "column": _column_docs(catalog),
        "choice": _choice_docs(catalog),
        "trigger": [
            Doc("trigger", (t.type,), identifier_text(t.type), t.label, t.description, "")
            for t in catalog.triggers
        ],
    }


def _step_docs(catalog: Catalog) -> list[Doc]:
    docs: list[Doc] = []
    for a in catalog.actions:
        context = identifier_text(a.spoke or "")
        docs.append(
            Doc("step", (a.category, a.name, a.scope), identifier_text(a.name), a.label,
                a.description, context)
        )
    for f in catalog.flow_logic:
        docs.append(
            Doc("step", ("flowlogic", f.token, "global"), f.token.lower(), f.label,
                f.description, "")
        )
    return docs


def _column_docs(catalog: Catalog) -> list[Doc]:
    docs: list[Doc] = []
    for table, column in catalog.iter_columns():
        ref = catalog.table(column.reference) if column.reference else None
        # Owner and referenced table words let "the incident's caller" or "a user field" match.
        context = " ".join(
            filter(None, [identifier_text(table.name), table.label, ref.label if ref else ""])
        )
        docs.append(
            Doc("column", (table.name, column.name), identifier_text(column.name), column.label,
                column.description, context)
        )
    return docs


def _choice_docs(catalog: Catalog) -> list[Doc]:
    docs: list[Doc] = []
    for table, column in catalog.iter_columns():
        context = f"{identifier_text(column.name)} {column.label}"
        for choice in column.choices:
            docs.append(
                Doc("choice", (table.name, column.name, choice.value),
                    identifier_text(choice.value), choice.label, "", context)
            )
    return docs


def owner_of(catalog: Catalog, table: str, column: str) -> str | None:
    """Return the table in `table`'s lineage that defines `column`, or None."""
    for t in catalog.lineage(table):
        if any(c.name == column for c in t.columns):
            return t.name
    return None


class HitFactory:
    """Build typed hits from document keys, looking items up in the catalog."""

    def __init__(self, catalog: Catalog) -> None:
        """Index the catalog's own columns by (owner, name) for constant-time lookups."""
        self._catalog = catalog
        self._columns: dict[tuple[str, str], Column] = {
            (t.name, c.name): c for t, c in catalog.iter_columns()
        }

    def step(self, key: tuple[str, ...], score: float) -> StepHit | None:
        """Return the step hit for a (category, definition, scope) key."""
        category, definition, scope = key[0], key[1], key[2]
        if category == "flowlogic":
            logic = self._catalog.logic(definition)
            if logic is None:
                return None
            return StepHit("flowlogic", definition, scope, logic.label, logic.description, score)
        action = self._catalog.action(definition, scope)
        if action is None:
            return None
        return StepHit(action.category, definition, scope, action.label, action.description,
                       score)

    def table(self, key: tuple[str, ...], score: float) -> TableHit | None:
        """Return the table hit for a (name,) key."""
        t = self._catalog.table(key[0])
        return None if t is None else TableHit(t.name, t.label, t.parent, t.description, score)

    def column(self, key: tuple[str, ...], score: float, table: str | None) -> ColumnHit | None:
        """Return the column hit for an (owner, column) key, reported on `table` if given."""
        owner, name = key[0], key[1]
        c = self._columns.get((owner, name))
        if c is None:
            return None
        return ColumnHit(table or owner, name, c.label, c.type, c.reference, owner, score)

    def choice(self, key: tuple[str, ...], score: float, table: str) -> ChoiceHit | None:
        """Return the choice hit for an (owner, column, value) key, reported on `table`."""
        owner, name, value = key[0], key[1], key[2]
        c = self._columns.get((owner, name))
        match = next((ch for ch in c.choices if ch.value == value), None) if c else None
        return None if match is None else ChoiceHit(table, name, value, match.label, score)

    def trigger(self, key: tuple[str, ...], score: float) -> TriggerHit | None:
        """Return the trigger hit for a (type,) key."""
        t = self._catalog.trigger(key[0])
        if t is None:
            return None
        return TriggerHit(t.type, t.label, t.description, t.record_based, score)


def table_schema(catalog: Catalog, name: str) -> TableSchema | None:
    """Return `name`'s schema with inherited columns (nearest definition wins), or None."""
    lineage = catalog.lineage(name)
    if not lineage:
        return None
    seen: set[str] = set()
    columns: list[SchemaColumn] = []
    for t in lineage:
        for c in t.columns:
            if c.name in seen:
                continue
            seen.add(c.name)
            columns.append(
                SchemaColumn(c.name, c.label, c.type, c.reference, c.mandatory, t.name,
                             tuple(ChoiceValue(ch.value, ch.label) for ch in c.choices))
            )
    head = lineage[0]
    return TableSchema(head.name, head.label, head.parent, tuple(t.name for t in lineage),
                       tuple(columns))
