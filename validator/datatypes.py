"""What a data pill holds, and dot-walking from it through reference fields.

A pill resolves to a `DataType`: the catalog param type of the output it names (`reference`,
`records`, `string`, …) with the table for record-valued outputs, or, after a dot-walk, the
column it ends on (so a condition on `{{trigger.current.state}}` can check choice values).
Names the catalog cannot list (catalog variables: `request_item.variables.<name>`, the outputs
of get_catalog_variables) are accepted and read as strings (`FREE_VALUE`).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from schemas.catalog import Column, Param
from validator.index import CatalogIndex

LIST_KINDS = frozenset({"records", "array"})
"""Kinds a FOREACH may iterate over."""

_OPAQUE_KINDS = frozenset({"unknown", "object"})
"""Kinds whose fields cannot be known: any dot-walk is accepted."""

_COLUMN_KINDS: dict[str, str] = {
    "reference": "reference",
    "glide_list": "array",
    "boolean": "boolean",
    "integer": "integer",
    "glide_date_time": "datetime",
    "glide_date": "datetime",
    "due_date": "datetime",
    "glide_duration": "duration",
    "html": "html",
    "variables": "variables",
}


class DataType(NamedTuple):
    """The type of the data a pill holds (a tuple: built often, so kept cheap)."""

    kind: str
    """A catalog param type (`reference`, `records`, `string`, …) or 'unknown'."""
    table: str | None = None
    """Table of the record(s) for reference/records/array kinds, when known."""
    column: Column | None = None
    """The column the pill ends on after a dot-walk, if any."""


UNKNOWN = DataType("unknown")

FREE_VALUE = DataType("string")
"""A value named by the user's data (a catalog variable): any name is accepted, read as text."""

_FREE_NAME_KINDS = frozenset({"variables"})
"""Kinds (from column types) after which any one name may follow, typed `FREE_VALUE`."""


@dataclass(frozen=True, slots=True)
class WalkError:
    """A dot-walk step that names no column, or walks through a non-reference."""

    message: str
    hint: str


def from_param(param: Param, table: str | None) -> DataType:
    """Return the type of an output param whose table is `table` (when it has one).

    A choice output (e.g. ask_for_approval's approval_state) carries its choices as a column,
    so a condition on it gets its values checked like a choice field's.
    """
    column = _choice_column(param) if param.choices else None
    return DataType(param.type, param.reference or table, column)


@lru_cache(maxsize=1024)
def _choice_column(param: Param) -> Column:
    """Return a column standing for an enumerated output (cached: params are immutable)."""
    return Column(
        name=param.name, label=param.label or param.name, type="choice", choices=param.choices
    )


def from_column(column: Column) -> DataType:
    """Return the type of the data a column holds."""
    kind = _COLUMN_KINDS.get(column.type)
    if kind is None:
        kind = "choice" if column.choices else "string"
    return DataType(kind, column.reference, column)


def walk(start: DataType, fields: tuple[str, ...], index: CatalogIndex) -> DataType | WalkError:
    """Follow `fields` from `start` through reference columns; report the first bad step.

    Memoised per catalog index: the answer depends only on the start's kind and table.
    """
    key = (start.kind, start.table, fields)
    found = index.walks.get(key)
    if found is None:
        found = _walk(start, fields, index)
        index.walks[key] = found
    return found


def _walk(start: DataType, fields: tuple[str, ...], index: CatalogIndex) -> DataType | WalkError:
    """Walk `fields` from `start` without the cache."""
    current = start
    for position, name in enumerate(fields):
        if current.kind in _OPAQUE_KINDS:
            return UNKNOWN
        if current.kind in _FREE_NAME_KINDS:
            current = FREE_VALUE
            continue
        if current.kind != "reference":
            return _not_walkable(current, fields[:position], name)
        if current.table is None or current.table not in index.table_names:
            return UNKNOWN
        column = index.columns(current.table).get(name)
        if column is None:
            return WalkError(
                f"table {current.table!r} has no column {name!r}",
                column_hint(index, current.table, name),
            )
        current = from_column(column)
    return current


def column_hint(index: CatalogIndex, table: str, name: str) -> str:
    """Suggest close column names of `table` (inherited columns included)."""
    names = list(index.columns(table))
    close = difflib.get_close_matches(name, names, n=5, cutoff=0.6)
    if close:
        return f"Did you mean {', '.join(close)}? (columns of {table})"
    return f"Use a column of {table}, e.g. {', '.join(sorted(names)[:12])}."


def _not_walkable(current: DataType, before: tuple[str, ...], name: str) -> WalkError:
    """Explain why the data before `name` cannot be dot-walked."""
    what = f"field {before[-1]!r}" if before else "the output"
    if current.kind in LIST_KINDS:
        return WalkError(
            f"{what} is a list ({current.kind}), so '.{name}' cannot be read from it",
            "Iterate over the list with FOREACH and dot-walk from {{step_<foreach>.item}}.",
        )
    return WalkError(
        f"{what} is a {current.kind}, not a reference, so it has no field {name!r}",
        "Dot-walk only through reference fields (e.g. caller_id.manager).",
    )
