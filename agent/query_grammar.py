"""EBNF of encoded queries and field-value templates over one table (flow-format §4).

Part of `agent.grammars`: a conditions input (``active=true^stateIN1,2``) or a values template
(``state=6^assigned_to={{trigger.current.caller_id}}``) whose table the step names may only
use that table's columns (inherited ones included), and a choice or boolean column only its
stored values (or a pill). Operators are those `validator.query` reads. Terms are
``field<op>value`` joined by ``^``, ``^OR`` and ``^NQ``; a condition may dot-walk one
reference (``caller_id.vip=true``), with a free value.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from agent.ebnf import alts, inner, lit, raw
from schemas.catalog import Catalog, Column
from validator.query import OPERATORS, UNARY_OPERATORS

_FIELD = re.compile(r"^[a-z0-9_]+$")
_BINARY = [op for op in OPERATORS if op not in UNARY_OPERATORS]
_CHOICE_OPS = ("=", "!=", "<", "<=", ">", ">=", "CHANGESTO", "CHANGESFROM")
_LIST_OPS = ("IN", "NOT IN")
_VALUE_CHAR = (r'[^\"\\^{},\0-\x1f] | "\\" ["\\/bfnrt] | "{" [^\"\\^{}\0-\x1f]'
               r' | "}" [^\"\\^{}\0-\x1f]')
"""One character of a term's value: no `^` (it ends the term); braces only around a pill."""
_CONNECTOR = '("^OR" | "^NQ" | "^")'
_ANY_FIELD = '[a-z0-9_]+ ("." [a-z0-9_]+)*'
"""A field of a table the grammar does not know (email conditions), dot-walks allowed."""


def _name(prefix: str, table: str) -> str:
    return f"{prefix}_{re.sub(r'[^A-Za-z0-9]', '_', table)}"


def value_rules(has_pills: bool) -> dict[str, str]:
    """Return the shared rules of free term values (`qval`: text and pills, commas allowed)."""
    pill = ' | "{{" pill "}}"' if has_pills else ""
    unit = f'({_VALUE_CHAR} | ","{pill})'
    return {"qval": f'{unit}+ ("{{" | "}}")? | "{{" | "}}"'}


def _joined(name: str, unit: str, connector: str, rules: dict[str, str], required: bool) -> str:
    """Add `name1` (one or more units) and `name` (also empty); return the one wanted."""
    rules[f"{name}1"] = f"{unit} ({connector} {unit})*"
    rules[name] = f'"" | {name}1'
    return f"{name}1" if required else name


def query_rule(table: str | None, catalog: Catalog, rules: dict[str, str], has_pills: bool,
               required: bool = False, pills: Sequence[dict[str, Any]] = ()) -> str:
    """Add the rules of a conditions value over `table` to `rules`; return the rule name.

    Columns are grouped so the grammar stays small: free-valued columns share one rule, each
    choice or boolean column has its values, and reference columns are grouped by the table
    they walk into. Without a table, any field name (or, with pills, a data pill as in
    flow-logic conditions) is allowed, with the same operators; a pill of `pills` whose walk
    ends on a choice or boolean column is compared only with that column's stored values.
    `required`: not empty.
    """
    rules.update(value_rules(has_pills))
    term = _name("qterm", table or "any_")
    if term not in rules:
        if table is None:
            unary = alts([inner(op) for op in sorted(UNARY_OPERATORS)])
            tail = f"({unary} | {alts([inner(op) for op in _BINARY])} qval)"
            if pills:
                rules["qtail"] = tail
                led = f'"{{{{" {_pill_terms(pills, catalog, rules, has_pills)}'
                rules[term] = f"{led} | {_ANY_FIELD} qtail"
            else:
                field = f'("{{{{" pill "}}}}" | {_ANY_FIELD})' if has_pills else f"({_ANY_FIELD})"
                rules[term] = f"{field} {tail}"
        else:
            rules[term] = alts(_terms(table, catalog, rules, has_pills))
    return _joined(_name("q", table or "any_"), term, _CONNECTOR, rules, required)


def column_rule(tables: Sequence[str], catalog: Catalog, rules: dict[str, str]) -> str | None:
    """Add the rule of a column-name value (a JSON string) over `tables`; return its name.

    An "Order by" left free was where the small model wrote a table name or a looping word
    instead of a column; only the columns of the known tables among `tables` (inherited ones
    included) are admitted. None when no table is known, so the caller falls back to text.
    """
    known = sorted(t for t in set(tables) if catalog.table(t) is not None)
    if not known:
        return None
    name = _name("col", "_".join(known))
    if name not in rules:
        columns = sorted({c.name for t in known for c in catalog.columns(t)})
        rules[name] = alts([lit(c) for c in columns])
    return name


def template_rule(table: str | None, catalog: Catalog, rules: dict[str, str], has_pills: bool,
                  required: bool = False, pills: Sequence[dict[str, Any]] = ()) -> str:
    """Add the rules of a field-value template over `table` to `rules`; return the rule name.

    `pills` is accepted for the same call shape as `query_rule` (`agent.grammars` dispatches
    both alike); template values take any visible pill through `qval`.
    """
    rules.update(value_rules(has_pills))
    pair = _name("tpair", table or "any_")
    if pair not in rules:
        if table is None:
            rules[pair] = f'{_ANY_FIELD} "=" qval?'
        else:
            options = []
            for col in _columns(table, catalog):
                fixed = _fixed_values(col, table, rules, has_pills)
                options.append(f"{inner(col.name + '=')} {fixed if fixed else 'qval?'}")
            rules[pair] = alts(options)
    return _joined(_name("t", table or "any_"), pair, '"^"', rules, required)


def _columns(table: str, catalog: Catalog) -> list[Column]:
    return [c for c in catalog.columns(table) if _FIELD.match(c.name)]


def _terms(table: str, catalog: Catalog, rules: dict[str, str], has_pills: bool) -> list[str]:
    unary = alts([inner(op) for op in sorted(UNARY_OPERATORS)])
    binary = alts([inner(op) for op in _BINARY])
    columns = _columns(table, catalog)
    free: list[str] = []
    walks: dict[str, list[str]] = {}
    terms: list[str] = []
    for col in columns:
        fixed = _fixed_values(col, table, rules, has_pills)
        if fixed:
            field = inner(col.name)
            terms.append(f"{field} {alts([inner(op) for op in _CHOICE_OPS])} {fixed}")
            terms.append(f'{field} {alts([inner(op) for op in _LIST_OPS])} {fixed} ("," {fixed})*')
        else:
            free.append(inner(col.name))
        if col.type == "reference" and col.reference and catalog.table(col.reference):
            walks.setdefault(col.reference, []).append(inner(col.name + "."))
    fields = _name("qfield", table)
    rules[fields] = " | ".join(inner(c.name) for c in columns)
    terms.append(f"{fields} {unary}")
    if free:
        terms.append(f"{alts(free)} {binary} qval")
    for target, prefixes in walks.items():
        walk = _name("qwalk", target)
        if walk not in rules:
            rules[walk] = " | ".join(inner(c.name) for c in _columns(target, catalog))
        terms.append(f"{alts(prefixes)} {walk} ({unary} | {binary} qval)")
    return terms


def _fixed_values(col: Column, table: str, rules: dict[str, str], has_pills: bool) -> str:
    """Return the rule of a choice/boolean column's values ('' when its values are free)."""
    if col.choices:
        values = [c.value for c in col.choices]
    elif col.type == "boolean":
        values = ["true", "false"]
    else:
        return ""
    name = _name(f"cv_{col.name}", table)
    if name not in rules:
        pill = ['"{{" pill "}}"'] if has_pills else []
        rules[name] = " | ".join([*(inner(v) for v in values), *pill])
    return name


def _pill_terms(pills: Sequence[dict[str, Any]], catalog: Catalog, rules: dict[str, str],
                has_pills: bool) -> str:
    """Return the rule of a pill-led term after its ``{{`` (``trigger.current.state}}=2``).

    A record pill may walk its table's columns (`_walk_terms`); any other pill, or a walk that
    stops on a record, takes any operator and a free value (`qtail`).
    """
    options = []
    for p in pills:
        name = raw(str(p["pill"]).removeprefix("{{").removesuffix("}}"))
        table = str(p.get("table") or "")
        walk = (_walk_terms(table, catalog, rules, has_pills)
                if p.get("type") == "reference" and catalog.table(table) else None)
        end = f'{name} "}}}}" qtail'
        options.append(f'{end} | {name} "." {walk}' if walk else end)
    return alts(options)


def _walk_terms(table: str, catalog: Catalog, rules: dict[str, str], has_pills: bool) -> str:
    """Return the rule of a term's walk into `table`, from a column name to its value.

    The pill's own columns are typed: a choice or boolean column takes its stored values. A
    walk on through a reference continues over the pill grammar's column rules with a free
    value: typing every reachable table tripled the grammar and its compile time, and
    conditions rarely walk that far.
    """
    name = _name("pwalk", table)
    if name in rules:
        return name
    options = []
    free: list[str] = []
    variables: list[str] = []
    walks: dict[str, list[str]] = {}
    for col in _columns(table, catalog):
        field = raw(col.name)
        fixed = _fixed_values(col, table, rules, has_pills)
        onward = _name("cols", str(col.reference or ""))
        if fixed:
            options.append(f'{field} "}}}}" ({_shared_ops(rules)} {fixed} | '
                           f'qlistop {fixed} ("," {fixed})* | qunary)')
        elif col.type == "reference" and onward in rules:
            walks.setdefault(onward, []).append(field)
        else:
            (variables if col.type == "variables" else free).append(field)
    if free:
        options.append(f'{alts(free)} "}}}}" qtail')
    if variables:
        options.append(f'{alts(variables)} ("." [A-Za-z0-9_]+)? "}}}}" qtail')
    for onward, fields in walks.items():
        options.append(f'{alts(fields)} ("." {onward})? "}}}}" qtail')
    rules[name] = alts(options)
    return name


def _shared_ops(rules: dict[str, str]) -> str:
    """Add the operator rules every choice column of a walk shares; return the choice one."""
    if "qchoiceop" not in rules:
        rules["qchoiceop"] = " | ".join(inner(op) for op in _CHOICE_OPS)
        rules["qlistop"] = " | ".join(inner(op) for op in _LIST_OPS)
        rules["qunary"] = " | ".join(inner(op) for op in sorted(UNARY_OPERATORS))
    return "qchoiceop"
