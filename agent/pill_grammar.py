"""EBNF of the pills a step may use (part of `agent.grammars`).

Rule `pill` is the text between ``{{`` and ``}}`` of any pill visible at the step; a record
pill may dot-walk through its table's columns, and through reference columns into their
tables, as deep as the catalog goes. `ref_pill` and `list_pill` are the record and
list-of-records pills alone, for inputs that take exactly one such pill.
"""

from __future__ import annotations

import re
from typing import Any

from agent.ebnf import raw
from schemas.catalog import Catalog, Column

_WALK_TYPES = frozenset({"reference"})
"""Pill types that may be dot-walked into their table's columns (a `records` list may not)."""
_COLUMN_NAME = re.compile(r"^[A-Za-z0-9_]+$")


def pill_rules(pills: list[dict[str, Any]], catalog: Catalog) -> dict[str, str]:
    """Return the pill rules (the text between ``{{`` and ``}}``) and their column rules.

    `pill` is any visible pill; `ref_pill` a record (reference) pill and `list_pill` a list
    of records, for inputs that take exactly one of those.
    """
    rules: dict[str, str] = {}
    typed: dict[str, list[str]] = {"pill": [], "ref_pill": [], "list_pill": []}
    for p in pills:
        name = raw(str(p["pill"]).removeprefix("{{").removesuffix("}}"))
        table = p.get("table")
        if p.get("type") in _WALK_TYPES and table and catalog.table(str(table)):
            typed["pill"].append(_walked(name, _columns(str(table), catalog, rules)))
        else:
            typed["pill"].append(name)
        if p.get("type") == "reference" and table and catalog.table(str(table)):
            walk = _columns(str(table), catalog, rules, records=True)
            typed["ref_pill"].append(_walked(name, walk))
        elif p.get("type") == "reference":
            typed["ref_pill"].append(name)
        elif p.get("type") == "records":
            typed["list_pill"].append(name)
    rules.update({rule: " | ".join(options) for rule, options in typed.items() if options})
    return rules


def _walked(name: str, walk: str | None) -> str:
    """Return a pill (or column) with an optional dot-walk, if it has one."""
    return f'{name} ("." {walk})?' if walk else name


def _columns(table: str, catalog: Catalog, rules: dict[str, str], records: bool = False
             ) -> str | None:
    """Return the rule of a dot-walk into `table` (None when nothing can follow the dot).

    Reference columns walk on into their table, as deep as the model likes: the rule of a
    table is written once and refers to the rules of the tables it reaches. With `records`,
    the walk must end on a reference column (a record, for record inputs).
    """
    name = f"{'refcols' if records else 'cols'}_{re.sub(r'[^A-Za-z0-9]', '_', table)}"
    if name in rules:
        return name
    columns = [c for c in catalog.columns(table)
               if _COLUMN_NAME.match(c.name) and (_is_ref(c, catalog) or not records)]
    if not columns:
        return None
    rules[name] = '""'  # placeholder: a table may reach itself (sys_user.manager)
    options = []
    for col in columns:
        if _is_ref(col, catalog):
            options.append(_walked(raw(col.name), _columns(str(col.reference), catalog, rules,
                                                           records)))
        elif col.type == "variables":
            options.append(f'{raw(col.name)} ("." [A-Za-z0-9_]+)?')
        else:
            options.append(raw(col.name))
    rules[name] = " | ".join(options)
    return name


def _is_ref(col: Column, catalog: Catalog) -> bool:
    return col.type == "reference" and bool(col.reference) and (
        catalog.table(str(col.reference)) is not None)
