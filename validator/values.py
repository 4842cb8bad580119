"""Check one input value against the catalog param it fills (types, tables, choices, queries).

Pill syntax and pill scope are checked before this (`validator.inputs`); a value whose pills
are broken gets no further checks here, so one mistake yields one issue. A value that is exactly
one pill is checked by the pill's type; a literal by the param's type; a value that mixes text
and pills only where the pills cannot hide a problem (queries and templates).
"""

from __future__ import annotations

import difflib
import re

from schemas.catalog import Param
from schemas.issues import Issue
from validator.conditions import check_conditions, check_template
from validator.context import param_table
from validator.datatypes import LIST_KINDS, DataType, column_hint
from validator.issues import choices_text, issue, names_text, shown
from validator.pills import Pill, PillScan
from validator.scope import Scope
from validator.site import Site

_INTEGER = re.compile(r"-?[0-9]+")
_SYS_ID = re.compile(r"[0-9a-f]{32}")
_LITERAL_KINDS = frozenset({"boolean", "integer", "choice", "table_name", "column_name"})
"""Param types whose literal values can be checked; other literals are free text."""
_COMPATIBLE_WITH_ALL: frozenset[str] = frozenset()

# Pill kinds a param type can never take: catching these catches a list passed for one record,
# a record passed for a number, and so on, without guessing about free-form strings.
_INCOMPATIBLE: dict[str, frozenset[str]] = {
    "reference": frozenset({"records", "array", "integer", "boolean", "datetime", "duration"}),
    "integer": frozenset({"records", "array", "reference", "boolean", "datetime"}),
    "boolean": frozenset({"records", "array", "reference", "datetime", "integer"}),
    "choice": frozenset({"records", "array"}),
    "table_name": frozenset({"records", "array", "reference", "integer", "boolean"}),
    "column_name": frozenset({"records", "array", "reference"}),
    "datetime": frozenset({"records", "array", "reference", "boolean"}),
    "records": frozenset({"reference", "integer", "boolean", "datetime"}),
    "array": frozenset({"integer", "boolean", "datetime"}),
}


def check_value(
    param: Param,
    value: str,
    scan: PillScan,
    site: Site,
    scope: Scope,
    siblings: dict[str, str],
    token: str | None,
) -> list[Issue]:
    """Return the issues of one non-empty input value whose pills (`scan`) are checked."""
    if scan.problems:
        return []
    if token == "FOREACH" and param.name == "items":
        return _foreach_items(value, scan.pills[0] if scan.whole else None, site, scope)
    if scan.whole:
        resolved = scope.resolve(scan.pills[0], site.user)
        return _pill_type(param, value, resolved, site) if isinstance(resolved, DataType) else []
    kind = param.type
    if kind == "conditions":
        table = param_table(param, siblings, scope.ctx.index)
        return check_conditions(value, table, site, scope, over_pills=token is not None)
    if kind == "template_value":
        return check_template(value, param_table(param, siblings, scope.ctx.index), site, scope)
    if param.holds_record and not _SYS_ID.fullmatch(value):
        return [_mismatch(site, f"{param.name} is a record, got {shown(value)}",
                          "Give one record pill, e.g. {{trigger.current}} or {{step_1.record}}, "
                          "or a 32-character sys_id.")]
    if scan.pills or kind not in _LITERAL_KINDS:
        return []
    return _literal(param, value, param_table(param, siblings, scope.ctx.index), site, scope)


def _literal(param: Param, value: str, table: str | None, site: Site, scope: Scope) -> list[Issue]:
    """Check a value without pills against its param type."""
    kind = param.type
    if kind == "boolean" and value not in ("true", "false"):
        return [
            _mismatch(
                site, f"{param.name} is a boolean, got {shown(value)}", "Write true or false."
            )
        ]
    if kind == "integer" and not _INTEGER.fullmatch(value):
        return [
            _mismatch(
                site,
                f"{param.name} is an integer, got {shown(value)}",
                "Write digits only, e.g. 5.",
            )
        ]
    if kind == "choice" and param.choices and value not in {c.value for c in param.choices}:
        return [_bad_choice(param, value, site)]
    if kind == "table_name" and value not in scope.ctx.index.table_names:
        return [_unknown_table(param, value, site, scope)]
    if kind == "column_name" and table is not None and value not in scope.ctx.index.columns(table):
        return [
            issue(
                "unknown_column",
                site.path,
                f"{param.name}: table {table!r} has no column {shown(value)}",
                column_hint(scope.ctx.index, table, value),
                site.order,
            )
        ]
    return []


def _foreach_items(value: str, pill: Pill | None, site: Site, scope: Scope) -> list[Issue]:
    """Check that FOREACH iterates over one pill to a list output."""
    hint = (
        "Give exactly one pill to a list output, e.g. {{step_1.records}} of a look_up_records "
        "step, or a list field such as {{trigger.current.watch_list}}."
    )
    if pill is None:
        message = f"FOREACH items {shown(value)} is not a single data pill"
        return [issue("foreach_items_not_list", site.path, message, hint, site.order)]
    resolved = scope.resolve(pill, site.user)
    if not isinstance(resolved, DataType) or resolved.kind in LIST_KINDS:
        return []
    if resolved.kind in ("unknown", "object"):
        return []
    message = f"FOREACH items {pill.text} is a {resolved.kind}, not a list"
    return [issue("foreach_items_not_list", site.path, message, hint, site.order)]


def _pill_type(param: Param, value: str, resolved: DataType, site: Site) -> list[Issue]:
    """Check that a whole-pill value has a type the param can take."""
    if resolved.kind not in _INCOMPATIBLE.get(param.type, _COMPATIBLE_WITH_ALL):
        return []
    what = f"a {resolved.kind}" + (f" of {resolved.table}" if resolved.table else "")
    if resolved.kind == "records":
        what = f"a list of {resolved.table or ''} records".replace("  ", " ")
    if resolved.kind in LIST_KINDS:
        hint = f"Iterate over {value} with FOREACH; use {{{{step_<foreach order>.item}}}} inside."
    elif param.type in LIST_KINDS:
        hint = "Give a pill to a list output, e.g. {{step_1.records}}."
    else:
        hint = f"Give a pill whose type is {param.type}, or a literal {param.type} value."
    return [_mismatch(site, f"{param.name} expects a {param.type}, but {value} is {what}", hint)]


def _bad_choice(param: Param, value: str, site: Site) -> Issue:
    """Return the issue for a choice input given a value outside its choices."""
    by_label = [c.value for c in param.choices if c.label.casefold() == value.casefold()]
    pairs = ((c.value, c.label) for c in param.choices)
    hint = (
        f"{value!r} is the label of stored value {by_label[0]!r}; write {by_label[0]}."
        if by_label
        else f"Use one of: {choices_text(pairs)}."
    )
    message = f"{param.name} must be one of its choices, got {shown(value)}"
    return _mismatch(site, message, hint)


def _unknown_table(param: Param, value: str, site: Site, scope: Scope) -> Issue:
    """Return the issue for a table name the instance does not have, with close names."""
    names = sorted(scope.ctx.index.table_names)
    close = difflib.get_close_matches(value, names, n=5, cutoff=0.6)
    hint = (
        f"Did you mean {', '.join(close)}?"
        if close
        else f"Use a table of the instance: {names_text(names)}."
    )
    message = f"{param.name}: table {shown(value)} does not exist in this instance"
    return issue("unknown_table", site.path, message, hint, site.order)


def _mismatch(site: Site, message: str, hint: str) -> Issue:
    """Return a type_mismatch issue at the value."""
    return issue("type_mismatch", site.path, message, hint, site.order)
