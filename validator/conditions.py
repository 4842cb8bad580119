"""Check encoded queries and field-value templates against the table they are about (§4).

Conditions of actions and triggers name columns of their table (dot-walks allowed); conditions
of flow logic (IF, ELSEIF, DOUNTIL) have no table and compare data pills instead. Templates set
the record's own columns (no dot-walk). Choice columns take stored values, not labels.

A query whose fields are all column names, and every template, is checked against the catalog
alone, so its problems are cached per catalog index (values up to 4 KB); a query comparing pills
depends on where it is used and is checked each time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache

from schemas.catalog import Column
from schemas.issues import Issue
from validator.datatypes import DataType, WalkError, column_hint, walk
from validator.index import CatalogIndex
from validator.issues import choices_text, shown
from validator.pills import Pill, parse_pill
from validator.query import Query, QueryError, parse_query, parse_template
from validator.scope import Scope
from validator.site import Problem, Site

CHOICE_OPERATORS = frozenset({"=", "!=", "IN", "NOT IN", "CHANGESTO", "CHANGESFROM"})
"""Operators whose value is compared with stored choice values."""

_CACHED_LENGTH = 4096
_MAX_CACHED = 20_000
_MAX_MESSAGE = 300

ColumnOf = Callable[[str], "Column | Problem | None"]
"""Return the column a term's field ends on, a problem, or None when it cannot be known."""


def check_conditions(
    value: str, table: str | None, site: Site, scope: Scope, over_pills: bool
) -> list[Issue]:
    """Check an encoded query; `over_pills` for flow-logic conditions (no table)."""
    parsed = _parse_query(value)
    if isinstance(parsed, QueryError):
        return site.place([_malformed("condition", parsed, "field<op>value terms, ^, ^OR, ^NQ")])
    index = scope.ctx.index
    if over_pills or any(t.field.startswith("{{") for t in parsed.terms):
        return site.place(_query_problems(parsed, index, _by_pill(site, scope, over_pills, table)))
    return site.place(
        _cached(
            index,
            ("q", value, table),
            lambda: _query_problems(parsed, index, _by_name(table, index)),
        )
    )


def check_template(value: str, table: str | None, site: Site, scope: Scope) -> list[Issue]:
    """Check a `field=value^field=value` template over `table`."""
    pairs = _parse_template(value)
    if isinstance(pairs, QueryError):
        return site.place([_malformed("template", pairs, "field=value pairs joined by ^, no ^EQ")])
    if table is None:
        return []
    index = scope.ctx.index
    return site.place(
        _cached(index, ("t", value, table), lambda: _template_problems(pairs, table, index))
    )


def _query_problems(parsed: Query, index: CatalogIndex, column_of: ColumnOf) -> list[Problem]:
    """Return the problems of a parsed query's fields and choice values."""
    found: list[Problem] = []
    for term in parsed.terms:
        located = column_of(term.field)
        if isinstance(located, Problem):
            found.append(located)
        elif located is not None and located.choices and term.operator in CHOICE_OPERATORS:
            values = term.value.split(",") if "IN" in term.operator else [term.value]
            found += _choice_problems(values, located, f"{term.field}{term.operator}", index)
    for field, _ in parsed.order_by:
        located = column_of(field)
        if isinstance(located, Problem):
            found.append(located)
    return found


def _template_problems(
    pairs: tuple[tuple[str, str], ...], table: str, index: CatalogIndex
) -> list[Problem]:
    """Return the problems of a template's fields and choice values over `table`."""
    found: list[Problem] = []
    columns = index.columns(table)
    for field, text in pairs:
        column = columns.get(field)
        if "." in field:
            found.append(
                Problem(
                    "unknown_column",
                    f"template field {shown(field)} dot-walks; templates set {table}'s own columns",
                    "Set only columns of the record itself; update the referenced record with "
                    "its own update_record step.",
                )
            )
        elif column is None:
            found.append(
                Problem(
                    "unknown_column",
                    f"table {table!r} has no column {shown(field)}",
                    column_hint(index, table, field),
                )
            )
        elif column.choices:
            found += _choice_problems([text], column, f"{field}=", index)
    return found


def _by_name(table: str | None, index: CatalogIndex) -> ColumnOf:
    """Locate fields as (dot-walked) column names of `table`."""

    def column_of(field: str) -> Column | Problem | None:
        if table is None or field.startswith("{{"):
            return None
        walked = walk(DataType("reference", table), tuple(field.split(".")), index)
        if isinstance(walked, WalkError):
            return Problem("unknown_column", f"{shown(field)}: {walked.message}", walked.hint)
        return walked.column

    return column_of


def _by_pill(site: Site, scope: Scope, over_pills: bool, table: str | None) -> ColumnOf:
    """Locate fields that are pills (their errors are reported by the pill checks)."""
    by_name = _by_name(table, scope.ctx.index)

    def column_of(field: str) -> Column | Problem | None:
        if not field.startswith("{{"):
            return _bare_field(field) if over_pills else by_name(field)
        pill = parse_pill(field)
        resolved = scope.resolve(pill, site.user) if isinstance(pill, Pill) else None
        return resolved.column if isinstance(resolved, DataType) else None

    return column_of


def _choice_problems(
    values: list[str], column: Column, term: str, index: CatalogIndex
) -> Iterator[Problem]:
    """Yield a problem per value that is not a stored choice value of `column`."""
    stored = index.choice_values(column)
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
        yield Problem(
            "unknown_choice_value",
            f"{shown(term + value)}: {shown(value)} is not a stored choice value of {column.name}",
            hint,
        )


def _bare_field(field: str) -> Problem:
    """Return the problem of a flow-logic condition term that names a field, not a pill."""
    return Problem(
        "malformed_query",
        f"flow-logic condition term starts with the field name {shown(field)}, not a data pill",
        f"Compare a data pill, e.g. {{{{trigger.current.{field}}}}}=value or "
        f"{{{{step_1.record.{field}}}}}=value.",
    )


def _malformed(what: str, exc: QueryError, shape: str) -> Problem:
    """Return a malformed_query problem carrying the parser's (bounded) explanation."""
    message = f"{what} cannot be read: {exc}"
    if len(message) > _MAX_MESSAGE:
        message = message[:_MAX_MESSAGE] + "…"
    return Problem("malformed_query", message, f"Write {shape}.")


def _cached(
    index: CatalogIndex, key: tuple[str, str, str | None], compute: Callable[[], list[Problem]]
) -> list[Problem]:
    """Return the catalog-only problems of a value, computed once per catalog index."""
    if len(key[1]) > _CACHED_LENGTH:
        return compute()
    found = index.value_checks.get(key)
    if found is None:
        if len(index.value_checks) >= _MAX_CACHED:
            index.value_checks.clear()
        found = compute()
        index.value_checks[key] = found
    return found


def _parse_query(value: str) -> Query | QueryError:
    """Parse a query, caching ordinary-sized values (errors are returned, not raised)."""
    return _parse_cached(value) if len(value) <= _CACHED_LENGTH else _parse_uncached(value)


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
    return _template_cached(value) if len(value) <= _CACHED_LENGTH else _template_uncached(value)


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
