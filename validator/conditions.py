"""Check encoded queries and field-value templates against the table they are about (§4).

Conditions of actions and triggers name columns of their table (dot-walks allowed); conditions
of flow logic (IF, ELSEIF, DOUNTIL) have no table and compare data pills instead. Templates set
the record's own columns (no dot-walk). Choice columns take stored values, not labels.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from schemas.catalog import Column
from schemas.issues import Issue
from validator.datatypes import DataType, WalkError, column_hint, walk
from validator.issues import choices_text, issue, pointer, shown
from validator.pills import Pill, parse_pill
from validator.query import Query, QueryError, parse_query, parse_template
from validator.scope import Scope
from validator.tree import Node

CHOICE_OPERATORS = frozenset({"=", "!=", "IN", "NOT IN", "CHANGESTO", "CHANGESFROM"})
"""Operators whose value is compared with stored choice values."""

_MAX_MESSAGE = 300


class Site:
    """Where a value sits: its location, its component order and the node using it."""

    __slots__ = ("order", "parts", "user")

    def __init__(self, parts: tuple[str | int, ...], order: int | None, user: Node | None) -> None:
        """Locate a value by the keys/indexes of its JSON Pointer (built only when needed)."""
        self.parts = parts
        self.order = order
        self.user = user

    @property
    def path(self) -> str:
        """Return the JSON Pointer of the value."""
        return pointer(*self.parts)


def check_conditions(
    value: str, table: str | None, site: Site, scope: Scope, over_pills: bool
) -> list[Issue]:
    """Check an encoded query; `over_pills` for flow-logic conditions (no table)."""
    parsed = _parse_query(value)
    if isinstance(parsed, QueryError):
        return [_malformed(site, "condition", parsed, "field<op>value terms joined by ^, ^OR, ^NQ")]
    found: list[Issue] = []
    for term in parsed.terms:
        if term.field.startswith("{{"):
            column = _pill_column(term.field, site, scope)
        elif over_pills:
            found.append(_bare_field(site, term.field))
            continue
        else:
            located = _column(term.field, table, site, scope)
            if isinstance(located, Issue):
                found.append(located)
                continue
            column = located
        if column is not None and column.choices and term.operator in CHOICE_OPERATORS:
            values = term.value.split(",") if "IN" in term.operator else [term.value]
            found += _choice_issues(values, column, f"{term.field}{term.operator}", site, scope)
    for field, _ in parsed.order_by:
        located = _column(field, table, site, scope)
        if isinstance(located, Issue):
            found.append(located)
    return found


def check_template(value: str, table: str | None, site: Site, scope: Scope) -> list[Issue]:
    """Check a `field=value^field=value` template over `table`."""
    pairs = _parse_template(value)
    if isinstance(pairs, QueryError):
        return [_malformed(site, "template", pairs, "field=value pairs joined by ^, no ^EQ")]
    if table is None:
        return []
    found: list[Issue] = []
    columns = scope.ctx.index.columns(table)
    for field, text in pairs:
        if "." in field:
            found.append(
                issue(
                    "unknown_column",
                    site.path,
                    f"template field {shown(field)} dot-walks; templates set {table}'s own columns",
                    "Set only columns of the record itself; update the referenced record with "
                    "its own update_record step.",
                    site.order,
                )
            )
            continue
        column = columns.get(field)
        if column is None:
            found.append(_unknown_column(site, table, field, scope))
        elif column.choices:
            found += _choice_issues([text], column, f"{field}=", site, scope)
    return found


def _column(field: str, table: str | None, site: Site, scope: Scope) -> Column | Issue | None:
    """Return the column a (dot-walked) field ends on, None if unknowable, or the issue."""
    if table is None:
        return None
    index = scope.ctx.index
    walked = walk(DataType("reference", table), tuple(field.split(".")), index)
    if isinstance(walked, WalkError):
        return issue(
            "unknown_column", site.path, f"{field}: {walked.message}", walked.hint, site.order
        )
    return walked.column


def _pill_column(text: str, site: Site, scope: Scope) -> Column | None:
    """Return the column a pill on the left of a term ends on (pill errors are reported apart)."""
    pill = parse_pill(text)
    if not isinstance(pill, Pill):
        return None
    resolved = scope.resolve(pill, site.user)
    return resolved.column if isinstance(resolved, DataType) else None


def _choice_issues(
    values: list[str], column: Column, term: str, site: Site, scope: Scope
) -> Iterator[Issue]:
    """Yield an issue per value that is not a stored choice value of `column`."""
    stored = scope.ctx.index.choice_values(column)
    for value in values:
        if value in stored or not value or value == "NULL" or "{{" in value:
            continue
        if value.startswith("javascript:"):
            continue
        by_label = [c.value for c in column.choices if c.label.casefold() == value.casefold()]
        if by_label:
            fix = f"{term}{by_label[0]}"
            hint = f"{value!r} is the label of stored value {by_label[0]!r}; write {fix}."
        else:
            pairs = ((c.value, c.label) for c in column.choices)
            hint = f"Stored values of {column.name}: {choices_text(pairs)}."
        yield issue(
            "unknown_choice_value",
            site.path,
            f"{shown(term + value)}: {shown(value)} is not a stored choice value of {column.name}",
            hint,
            site.order,
        )


def _unknown_column(site: Site, table: str, field: str, scope: Scope) -> Issue:
    """Return the issue for a template field that is not a column of `table`."""
    return issue(
        "unknown_column",
        site.path,
        f"table {table!r} has no column {shown(field)}",
        column_hint(scope.ctx.index, table, field),
        site.order,
    )


def _bare_field(site: Site, field: str) -> Issue:
    """Return the issue for a flow-logic condition term that names a field, not a pill."""
    return issue(
        "malformed_query",
        site.path,
        f"flow-logic condition term starts with the field name {shown(field)}, not a data pill",
        f"Compare a data pill, e.g. {{{{trigger.current.{field}}}}}=value or "
        f"{{{{step_1.record.{field}}}}}=value.",
        site.order,
    )


def _malformed(site: Site, what: str, exc: QueryError, shape: str) -> Issue:
    """Return a malformed_query issue carrying the parser's (bounded) explanation."""
    message = f"{what} cannot be read: {exc}"
    if len(message) > _MAX_MESSAGE:
        message = message[:_MAX_MESSAGE] + "…"
    return issue("malformed_query", site.path, message, f"Write {shape}.", site.order)


def _parse_query(value: str) -> Query | QueryError:
    """Parse a query, caching ordinary-sized values (errors are returned, not raised)."""
    return _parse_cached(value) if len(value) <= 4096 else _parse_uncached(value)


def _parse_uncached(value: str) -> Query | QueryError:
    """Parse a query, returning the QueryError instead of raising it."""
    try:
        return parse_query(value)
    except QueryError as exc:
        return exc


@lru_cache(maxsize=4096)
def _parse_cached(value: str) -> Query | QueryError:
    """Parse a query once per distinct value."""
    return _parse_uncached(value)


def _parse_template(value: str) -> tuple[tuple[str, str], ...] | QueryError:
    """Parse a template, caching ordinary-sized values (errors are returned, not raised)."""
    return _template_cached(value) if len(value) <= 4096 else _template_uncached(value)


def _template_uncached(value: str) -> tuple[tuple[str, str], ...] | QueryError:
    """Parse a template, returning the QueryError instead of raising it."""
    try:
        return tuple(parse_template(value))
    except QueryError as exc:
        return exc


@lru_cache(maxsize=4096)
def _template_cached(value: str) -> tuple[tuple[str, str], ...] | QueryError:
    """Parse a template once per distinct value."""
    return _template_uncached(value)
