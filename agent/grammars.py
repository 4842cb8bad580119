"""EBNF grammars for local constrained decoders: what JSON Schema cannot say about an answer.

The JSON Schemas of `agent.output_schemas` go to every model. Local models (``builtin``,
``hf:``) decode under xgrammar and can take a full grammar instead, which also fixes what a
schema cannot express and a small model gets wrong most often:

- outlines: step *i* carries ``"order": i`` and a ``block`` that names an earlier step (or
  null), so orders are always 1..n and no step sits in itself or in a later step;
- inputs: each catalog input at most once, in catalog order (the order the corpus uses), every
  mandatory one present; a pill (``{{…}}``) inside a value names a pill visible at that step,
  dot-walked only through real columns (`agent.pill_grammar`); record and list inputs take
  one pill of their kind;
- conditions and values templates use only the columns and stored choice values of the table
  the step names (`agent.query_grammar`), and a column-name input (an "Order by") names one of
  its columns.

The output is compact JSON (no whitespace), the form the built-in model was trained on.
"""

from __future__ import annotations

import json
from typing import Any

from agent.ebnf import lit, raw
from agent.pill_grammar import pill_rules
from agent.query_grammar import column_rule, query_rule, template_rule
from agent.span_grammar import span_rules
from schemas.catalog import Catalog, is_record_input
from schemas.flow import PLACEHOLDER_DEFINITION

_PLAIN = r'[^\"\\{}\0-\x1f]'
_ESCAPE = r'"\\" ["\\/bfnrt]'
_IDENT = r'"\"" [^\"\\{}^=\0-\x1f]+ "\""'
"""A plain identifier value (a sys_id, a notification name): no pill, query or template."""
_SYS_ID = r'"\"" [0-9a-f]{32} "\""'
"""A sys_id: the only literal of a record input whose table another input names."""


def _rules(rules: dict[str, str]) -> str:
    return "\n".join(f"{name} ::= {body}" for name, body in rules.items()) + "\n"


def _string_rules(with_pills: bool) -> dict[str, str]:
    """JSON strings: `text` may hold pills (rule `pill`), `str` never does; `text1`/`str1`
    are the non-empty ones (a mandatory input given as "" counts as missing).

    Braces come in pairs only around a pill: a lone `{` or `}` is text (JSON inside a value
    is too), but `{{`/`}}` outside a pill cannot be written.
    """
    char = f"{_PLAIN} | {_ESCAPE}"
    lone = f'"{{" ({char}) | "}}" ({char})'
    pill = ' | "{{" pill "}}"' if with_pills else ""
    end = '("{" | "}")?'
    rules = {"str_unit": f"{char} | {lone}", "text_unit": f"{char} | {lone}{pill}"}
    for name, unit in (("str", "str_unit"), ("text", "text_unit")):
        rules[name] = f'"\\"" {unit}* {end} "\\""'
        rules[f"{name}1"] = f'"\\"" ({unit}+ {end} | ("{{" | "}}")) "\\""'
    return rules


def outline_grammar(
    steps: list[dict[str, Any]], triggers: list[dict[str, Any]], max_steps: int,
    requirement: str = "",
) -> str:
    """Return the grammar of an outline over the candidate steps and triggers.

    Args:
        steps: candidate steps ``{category, definition, scope}`` (the plan variables).
        triggers: candidate triggers ``{type}``.
        max_steps: the most components an outline may have.
        requirement: the text annotations quote; when given, every annotation is a non-empty
            word-aligned substring of it (`agent.span_grammar`), otherwise any string.
    """
    heads = dict.fromkeys(
        (str(s["category"]), str(s["definition"]), str(s.get("scope", "global"))) for s in steps
    )
    heads[("placeholder", PLACEHOLDER_DEFINITION, "global")] = None
    head = " | ".join(
        raw(f'"category":{json.dumps(c)},"definition":{json.dumps(d)},"scope":{json.dumps(s)}')
        for c, d, s in heads
    )
    types = list(dict.fromkeys(str(t["type"]) for t in triggers))
    trigger = (
        f'"null" | "{{\\"type\\":" ({" | ".join(lit(t) for t in types)}) '
        f'",\\"annotation\\":" ann "}}"'
        if types else '"null"'
    )
    rules = {
        "root": '"{\\"name\\":" str ",\\"trigger\\":" trigger ",\\"components\\":[" comp_1 '
                'after_1 "]}"',
        "trigger": trigger,
        "head": head,
        **_string_rules(with_pills=False),
        **(span_rules(requirement, "ann") if requirement.strip() else {"ann": "str"}),
    }
    annotation = raw(',"annotation":')
    for i in range(1, max_steps + 1):
        blocks = " | ".join(raw(str(b)) for b in ["null", *range(1, i)])
        order = raw(f',"order":{i},"block":')
        rules[f"comp_{i}"] = f'"{{" head {order} ({blocks}) {annotation} ann "}}"'
        rules[f"after_{i}"] = f'"" | "," comp_{i + 1} after_{i + 1}' if i < max_steps else '""'
    return _rules(rules)


def inputs_grammar(
    params: list[dict[str, Any]],
    tables: list[dict[str, Any]],
    pills: list[dict[str, Any]],
    catalog: Catalog,
) -> str:
    """Return the grammar of ``{"inputs": [...]}`` for one step or trigger.

    When a conditions or template input takes its table from a sibling input (``table_from``),
    the answer is one of several variants, one per candidate table: the sibling names that
    table and the query or template uses only its columns and stored choice values.

    Args:
        params: the step's catalog inputs ``{name, type, mandatory, choices, table_from,
            reference}`` in catalog order; empty for free-named inputs (SETFLOWVARIABLES).
        tables: candidate tables ``{name}``; the values of ``table_name`` inputs (any catalog
            table when there is none).
        pills: the pills visible at the step ``{pill, type, table}``.
        catalog: the instance catalog (columns of tables and pill tables).
    """
    rules: dict[str, str] = {**_string_rules(with_pills=bool(pills))}
    if pills:
        rules.update(pill_rules(pills, catalog))
    if not params:
        item = '"{\\"name\\":" str ",\\"value\\":" text "}"'
        rules["root"] = f'"{{\\"inputs\\":[" ({item} ("," {item})*)? "]}}"'
        return _rules(rules)
    table_names = [str(t["name"]) for t in tables]
    holder = _table_holder(params)
    variants: list[str | None] = [None]
    if holder is not None:
        variants = [t for t in table_names if catalog.table(t) is not None] or [None]
    mandatory = [bool(p.get("mandatory")) or i == holder for i, p in enumerate(params)]
    options = []
    for k, table in enumerate(variants):
        items = _items(f"v{k}_", table, params, holder, table_names, catalog, rules, pills)
        options.append("(" + _sequence(-1, mandatory, rules, items, f"v{k}_") + ")")
    rules["root"] = f'"{{\\"inputs\\":[" ({" | ".join(options)}) "]}}"'
    return _rules(rules)


def _items(prefix: str, table: str | None, params: list[dict[str, Any]], holder: int | None,
           table_names: list[str], catalog: Catalog, rules: dict[str, str],
           pills: list[dict[str, Any]]) -> list[str]:
    """Add the item rules of one variant; return their names in catalog order.

    Inputs that do not depend on the variant's table share one rule across variants.
    """
    items = []
    for i, param in enumerate(params):
        bound = table is not None and _is_bound(i, param, params, holder)
        items.append(f"{prefix}item_{i}" if bound else f"item_{i}")
        if items[-1] not in rules:
            label = raw('{"name":' + json.dumps(param["name"], ensure_ascii=False) + ',"value":')
            value = (_bound_value(param, params[holder or 0]["name"], str(table), catalog, rules)
                     if bound else _value(param, table_names, rules, catalog, pills=pills))
            rules[items[-1]] = f'{label} {value} "}}"'
    return items


_BOUND = {"conditions": query_rule, "template_value": template_rule}
"""Input types whose value is written over one table's columns."""


def _table_holder(params: list[dict[str, Any]]) -> int | None:
    """Return the index of the input that names the table a query/template input is about."""
    names = {p.get("table_from") for p in params if p.get("type") in _BOUND}
    for i, param in enumerate(params):
        if param["name"] in names and param.get("type") == "table_name":
            return i
    return None


def _is_bound(i: int, param: dict[str, Any], params: list[dict[str, Any]],
              holder: int | None) -> bool:
    """Tell whether input `i` depends on the variant's table (the holder or a query on it)."""
    if holder is None:
        return False
    return i == holder or (param.get("type") in (*_BOUND, "column_name")
                           and param.get("table_from") == params[holder]["name"])


def _bound_value(
    param: dict[str, Any], holder: str, table: str, catalog: Catalog, rules: dict[str, str]
) -> str:
    """Return the value rule of one input in the variant whose table is `table`."""
    if param["name"] == holder:
        return lit(table)
    about = param.get("reference") or (table if param.get("table_from") == holder else None)
    return _value(param, [table], rules, catalog, about)


def _value(param: dict[str, Any], table_names: list[str], rules: dict[str, str],
           catalog: Catalog, about: str | None = None,
           pills: list[dict[str, Any]] | None = None) -> str:
    """Return the rule of one input's value.

    Choice, boolean and table inputs take one of their values; a records input takes one
    whole list pill and a reference input one whole record pill or a plain identifier (a
    sys_id, a notification name; only a sys_id for a record of a table another input names),
    never text around a pill; an integer takes digits or one pill; conditions and templates
    are written over their table (`about`, else a fixed `reference`, else any field or a
    `pills` pill compared with a value its walk allows); a column name is a column of its
    table (`about`, else of any candidate table); a mandatory input is never empty.
    """
    choices = [str(c["value"]) if isinstance(c, dict) else str(c) for c in param.get("choices", [])]
    kind = param.get("type")
    if not choices and kind == "boolean":
        choices = ["true", "false"]
    if not choices and kind == "table_name":
        # No candidate table (retrieval found none for the step) must not free the input:
        # left as text, the small model wrote a query into a table name.
        choices = table_names or sorted(t.name for t in catalog.tables)
    if choices:
        return f"({' | '.join(lit(c) for c in choices)})"
    required = bool(param.get("mandatory"))
    build = _BOUND.get(str(kind))
    if build is not None:
        table = about or param.get("reference")
        known = str(table) if table and catalog.table(str(table)) is not None else None
        rule = build(known, catalog, rules, "pill" in rules, required, pills or [])
        return f'"\\"" {rule} "\\""'
    if kind == "column_name":
        return column_rule([about] if about else table_names, catalog, rules) or "text1"
    if kind == "records":
        return _whole("list_pill", rules) or "text1"
    if kind == "reference":
        ref = _whole("ref_pill", rules)
        record = is_record_input(kind, param.get("table_from"), param.get("reference"))
        literal = _SYS_ID if record else _IDENT
        return f"({ref} | {literal})" if ref else literal
    if kind == "integer":
        digits = '"\\"" "-"? [0-9]+ "\\""'
        whole = _whole("pill", rules)
        return f"({whole} | {digits})" if whole else digits
    return "text1" if required else "text"


def _whole(rule: str, rules: dict[str, str]) -> str | None:
    """Return a JSON string holding exactly one pill of `rule`, or None without such pills."""
    return f'"\\"{{{{" {rule} "}}}}\\""' if rule in rules else None


def _sequence(
    last: int, mandatory: list[bool], rules: dict[str, str], items: list[str], prefix: str
) -> str:
    """Return the alternatives after item `last` (-1: none yet) and add their rules.

    The next item may be any later one that skips no mandatory input; the list may end only
    when no mandatory input is left.
    """
    options: list[str] = []
    comma = '"," ' if last >= 0 else ""
    for nxt in range(last + 1, len(mandatory)):
        name = f"{prefix}after_{nxt}"
        if name not in rules:
            rules[name] = "(" + _sequence(nxt, mandatory, rules, items, prefix) + ")"
        options.append(f"{comma}{items[nxt]} {name}")
        if mandatory[nxt]:
            break
    if not any(mandatory[last + 1:]):
        options.append('""')
    return " | ".join(options)
