"""EBNF grammars for local constrained decoders: what JSON Schema cannot say about an answer.

The JSON Schemas of `agent.output_schemas` go to every model. Local models (``builtin``,
``hf:``) decode under xgrammar and can take a full grammar instead, which also fixes what a
schema cannot express and a small model gets wrong most often:

- outlines: step *i* carries ``"order": i`` and a ``block`` that names an earlier step (or
  null), so orders are always 1..n and no step sits in itself or in a later step;
- inputs: each catalog input at most once, in catalog order (the order the corpus uses), every
  mandatory one present; a pill (``{{…}}``) inside a value names a pill visible at that step,
  dot-walked only through columns of its table.

The output is compact JSON (no whitespace), the form the built-in model was trained on.
"""

from __future__ import annotations

import json
import re
from typing import Any

from schemas.catalog import Catalog
from schemas.flow import PLACEHOLDER_DEFINITION

_WALK_TYPES = frozenset({"reference"})
"""Pill types that may be dot-walked into their table's columns (a `records` list may not)."""

WALK_DEPTH = 4
"""Columns a pill may dot-walk through (``trigger.task_sla_record.task.assigned_to.manager.email``
walks four)."""

_JSON_CHAR = r'[^\"\\{\0-\x1f]'
_JSON_ESCAPE = r'"\\" ["\\/bfnrt]'


def lit(text: str) -> str:
    """Return an EBNF literal matching `text` written as a JSON string."""
    return raw(json.dumps(text, ensure_ascii=False))


def raw(text: str) -> str:
    """Return an EBNF literal matching `text` itself (JSON punctuation, keys, numbers)."""
    return json.dumps(text, ensure_ascii=False)


def _rules(rules: dict[str, str]) -> str:
    return "\n".join(f"{name} ::= {body}" for name, body in rules.items()) + "\n"


def _string_rules(with_pills: bool) -> dict[str, str]:
    """JSON strings; `text` may hold pills (rule `pill`), `str` never does."""
    # A lone "{" is text; "{{" opens a pill. JSON inside a value ({\"action\":…}) is text too.
    plain = f'{_JSON_CHAR} | {_JSON_ESCAPE} | "{{" ({_JSON_CHAR} | {_JSON_ESCAPE})'
    rules = {"str": f'"\\"" ({plain})* "\\""'}
    pill = ' | "{{" pill "}}"' if with_pills else ""
    rules["text"] = f'"\\"" ({plain}{pill})* "\\""'
    return rules


def outline_grammar(
    steps: list[dict[str, Any]], triggers: list[dict[str, Any]], max_steps: int
) -> str:
    """Return the grammar of an outline over the candidate steps and triggers.

    Args:
        steps: candidate steps ``{category, definition, scope}`` (the plan variables).
        triggers: candidate triggers ``{type}``.
        max_steps: the most components an outline may have.
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
        f'",\\"annotation\\":" str "}}"'
        if types else '"null"'
    )
    rules = {
        "root": '"{\\"name\\":" str ",\\"trigger\\":" trigger ",\\"components\\":[" comp_1 '
                'after_1 "]}"',
        "trigger": trigger,
        "head": head,
        **_string_rules(with_pills=False),
    }
    annotation = raw(',"annotation":')
    for i in range(1, max_steps + 1):
        blocks = " | ".join(raw(str(b)) for b in ["null", *range(1, i)])
        order = raw(f',"order":{i},"block":')
        rules[f"comp_{i}"] = f'"{{" head {order} ({blocks}) {annotation} str "}}"'
        rules[f"after_{i}"] = f'"" | "," comp_{i + 1} after_{i + 1}' if i < max_steps else '""'
    return _rules(rules)


def inputs_grammar(
    params: list[dict[str, Any]],
    tables: list[dict[str, Any]],
    pills: list[dict[str, Any]],
    catalog: Catalog,
) -> str:
    """Return the grammar of ``{"inputs": [...]}`` for one step or trigger.

    Args:
        params: the step's catalog inputs ``{name, type, mandatory, choices}`` in catalog
            order; empty for free-named inputs (SETFLOWVARIABLES).
        tables: candidate tables ``{name}``; the values of ``table_name`` inputs.
        pills: the pills visible at the step ``{pill, type, table}``.
        catalog: the instance catalog (columns of pill tables for dot-walks).
    """
    rules: dict[str, str] = {**_string_rules(with_pills=bool(pills))}
    if pills:
        rules.update(pill_rules(pills, catalog))
    if not params:
        item = '"{\\"name\\":" str ",\\"value\\":" text "}"'
        rules["root"] = f'"{{\\"inputs\\":[" ({item} ("," {item})*)? "]}}"'
        return _rules(rules)
    table_names = [str(t["name"]) for t in tables]
    for i, param in enumerate(params):
        name = raw('{"name":' + json.dumps(param["name"], ensure_ascii=False) + ',"value":')
        rules[f"item_{i}"] = f'{name} {_value(param, table_names, bool(pills))} "}}"'
    mandatory = [bool(p.get("mandatory")) for p in params]
    rules["root"] = f'"{{\\"inputs\\":[" ({_sequence(-1, mandatory, rules)}) "]}}"'
    return _rules(rules)


def _value(param: dict[str, Any], table_names: list[str], has_pills: bool) -> str:
    """Return the rule of one input's value.

    Choice, boolean and table inputs take one of their values; a records input takes one
    whole pill and a reference input one whole pill or a plain identifier (a sys_id, a
    notification name), never text around a pill; an integer takes digits or one pill.
    """
    choices = [str(c["value"]) if isinstance(c, dict) else str(c) for c in param.get("choices", [])]
    if not choices and param.get("type") == "boolean":
        choices = ["true", "false"]
    if not choices and param.get("type") == "table_name":
        choices = table_names
    if choices:
        return f"({' | '.join(lit(c) for c in choices)})"
    whole_pill = '"\\"{{" pill "}}\\""' if has_pills else None
    kind = param.get("type")
    if kind == "records" and whole_pill:
        return whole_pill
    if kind == "reference":
        return f"({whole_pill} | str)" if whole_pill else "str"
    if kind == "integer":
        digits = '"\\"" "-"? [0-9]+ "\\""'
        return f"({whole_pill} | {digits})" if whole_pill else digits
    return "text"


def _sequence(last: int, mandatory: list[bool], rules: dict[str, str]) -> str:
    """Return the alternatives after item `last` (-1: none yet) and add their rules.

    The next item may be any later one that skips no mandatory input; the list may end only
    when no mandatory input is left.
    """
    options: list[str] = []
    comma = '"," ' if last >= 0 else ""
    for nxt in range(last + 1, len(mandatory)):
        name = f"after_{nxt}"
        if name not in rules:
            rules[name] = "(" + _sequence(nxt, mandatory, rules) + ")"
        options.append(f"{comma}item_{nxt} {name}")
        if mandatory[nxt]:
            break
    if not any(mandatory[last + 1:]):
        options.append('""')
    return " | ".join(options)


_COLUMN_NAME = re.compile(r"^[A-Za-z0-9_]+$")


def pill_rules(pills: list[dict[str, Any]], catalog: Catalog) -> dict[str, str]:
    """Return the rule `pill` (the text between ``{{`` and ``}}``) and its column rules."""
    rules: dict[str, str] = {}
    options = []
    for p in pills:
        name = raw(str(p["pill"]).removeprefix("{{").removesuffix("}}"))
        table = p.get("table")
        if p.get("type") in _WALK_TYPES and table and catalog.table(str(table)):
            options.append(f'{name} ("." {_columns(str(table), WALK_DEPTH, catalog, rules)})?')
        else:
            options.append(name)
    rules["pill"] = " | ".join(options)
    return rules


def _columns(table: str, depth: int, catalog: Catalog, rules: dict[str, str]) -> str:
    """Return the rule of a dot-walk into `table`, `depth` levels deep at most."""
    name = f"cols_{depth}_{re.sub(r'[^A-Za-z0-9]', '_', table)}"
    if name in rules:
        return name
    rules[name] = '""'  # placeholder against self-reference while building
    options = []
    for col in catalog.columns(table):
        if not _COLUMN_NAME.match(col.name):
            continue
        walk = ""
        if depth > 1 and col.type == "reference" and col.reference and catalog.table(col.reference):
            walk = f' ("." {_columns(col.reference, depth - 1, catalog, rules)})?'
        elif col.type == "variables":
            walk = ' ("." [A-Za-z0-9_]+)?'
        options.append(f"{raw(col.name)}{walk}")
    rules[name] = " | ".join(options) if options else '""'
    return name
