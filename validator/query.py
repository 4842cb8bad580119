"""The one parser of ServiceNow encoded queries and field-value templates (flow-format §4).

`parse_query` reads conditions (`field<op>value` terms joined by `^`, `^OR`, `^NQ`, with an
optional `^EQ` end marker and `^ORDERBY…` clauses). `parse_template` reads field-value templates
(`field=value^field=value`). Both raise `QueryError` with a message that names the bad term, so
the validator can turn it into a `malformed_query` issue and a model can act on it.

Field names are lower-case identifiers that may dot-walk (`caller_id.manager.email`); operators
are matched longest-first right after the field, which is how the platform reads `stateIN1,2`
versus `state=1`. Values are the rest of the term and may contain pills (`{{step_1.record}}`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

OPERATORS: tuple[str, ...] = (
    "=",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "ISEMPTY",
    "ISNOTEMPTY",
    "ANYTHING",
    "EMPTYSTRING",
    "STARTSWITH",
    "ENDSWITH",
    "LIKE",
    "NOTLIKE",
    "NOT LIKE",
    "IN",
    "NOT IN",
    "BETWEEN",
    "ON",
    "NOTON",
    "DYNAMIC",
    "CHANGESTO",
    "CHANGESFROM",
    "VALCHANGES",
    "RELATIVEGT",
    "RELATIVEGE",
    "RELATIVELT",
    "RELATIVELE",
    "RELATIVEEE",
    "SAMEAS",
    "NSAMEAS",
    "CONTAINS",
    "DOES NOT CONTAIN",
)
"""Operators accepted in conditions (§4 of both spec files; CONTAINS kept for email triggers)."""

UNARY_OPERATORS: frozenset[str] = frozenset(
    {"ISEMPTY", "ISNOTEMPTY", "ANYTHING", "EMPTYSTRING", "VALCHANGES"}
)
"""Operators that take no value."""

# Longest first so that `<=` wins over `<` and `NOT IN` over `IN`… wherever both could match.
_OPS_LONGEST_FIRST = sorted(OPERATORS, key=len, reverse=True)
_FIELD_RE = re.compile(r"[a-z0-9_]+(?:\.[a-z0-9_]+)*")
# Conditions of flow logic (IF, ELSEIF, DOUNTIL) compare data pills: `{{trigger.current.state}}=6`.
_TERM_FIELD_RE = re.compile(r"\{\{[^{}]*\}\}|[a-z0-9_]+(?:\.[a-z0-9_]+)*")
_PILL_RE = re.compile(r"\{\{[^{}]*\}\}")

Connector = Literal["AND", "OR"]


class QueryError(ValueError):
    """An encoded query or template that cannot be read; the message names the bad part."""


@dataclass(frozen=True)
class Term:
    """One `field<op>value` condition."""

    field: str
    operator: str
    value: str
    connector: Connector = "AND"
    """How this term joins the previous one in its group (`^` → AND, `^OR` → OR)."""
    group: int = 0
    """Index of the `^NQ` group the term belongs to."""

    @property
    def root_field(self) -> str:
        """Return the first segment of a dot-walked field (`caller_id` of `caller_id.vip`)."""
        return self.field.split(".", 1)[0]


@dataclass(frozen=True)
class Query:
    """A parsed encoded query."""

    terms: tuple[Term, ...]
    order_by: tuple[tuple[str, bool], ...] = ()
    """(field, descending) sort clauses, ignored by boolean conditions."""


def _split_top(text: str) -> list[str]:
    """Split on `^` outside pills (pills never contain `^`, but be safe with `{{…}}`)."""
    if "{{" not in text:
        return text.split("^")
    parts: list[str] = []
    depth = 0
    start = 0
    i = 0
    while i < len(text):
        if text.startswith("{{", i):
            depth += 1
            i += 2
            continue
        if text.startswith("}}", i) and depth:
            depth -= 1
            i += 2
            continue
        if text[i] == "^" and depth == 0:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    return parts


def parse_term(text: str) -> tuple[str, str, str]:
    """Split one term into (field, operator, value); raise QueryError when it has no operator.

    The field is a column name that may dot-walk, or a data pill (flow-logic conditions).
    """
    m = _TERM_FIELD_RE.match(text)
    if not m:
        raise QueryError(f"term {text!r} does not start with a field name or a data pill")
    field = m.group(0)
    rest = text[m.end() :]
    for op in _OPS_LONGEST_FIRST:
        if rest.startswith(op):
            value = rest[len(op) :]
            if op in UNARY_OPERATORS and value:
                raise QueryError(f"operator {op} in {text!r} takes no value")
            return field, op, value
    if not rest:
        raise QueryError(f"term {text!r} has no operator")
    raise QueryError(f"term {text!r} has an unknown operator at {rest[:12]!r}")


def parse_query(text: str) -> Query:
    """Parse an encoded query; raise QueryError naming the first unreadable term."""
    if not text.strip():
        return Query(terms=())
    terms: list[Term] = []
    order_by: list[tuple[str, bool]] = []
    group = 0
    parts = _split_top(text)
    for index, raw in enumerate(parts):
        part = raw
        connector: Connector = "AND"
        if part == "EQ":
            if index != len(parts) - 1:
                raise QueryError("^EQ may only end the query")
            continue
        if part.startswith("ORDERBYDESC"):
            order_by.append((part[len("ORDERBYDESC") :], True))
            continue
        if part.startswith("ORDERBY"):
            order_by.append((part[len("ORDERBY") :], False))
            continue
        if part.startswith("NQ"):
            if not terms:
                raise QueryError("^NQ must follow at least one term")
            group += 1
            part = part[2:]
        elif part.startswith("OR"):
            if not terms:
                raise QueryError(f"{raw!r} starts with OR but has no term before it")
            connector = "OR"
            part = part[2:]
        elif part.startswith("AND"):
            part = part[3:]
        if not part:
            raise QueryError(f"empty term at position {index + 1} of {text!r}")
        field, op, value = parse_term(part)
        terms.append(Term(field, op, value, connector, group))
    return Query(terms=tuple(terms), order_by=tuple(order_by))


def parse_template(text: str) -> list[tuple[str, str]]:
    """Parse a `field=value^field=value` template into (field, value) pairs.

    A trailing `^EQ` is rejected: the format forbids it in templates (flow-format §4).
    """
    if not text.strip():
        return []
    pairs: list[tuple[str, str]] = []
    for raw in _split_top(text):
        if raw == "EQ":
            raise QueryError("field-value templates take no ^EQ end marker")
        m = _FIELD_RE.match(raw)
        if not m or raw[m.end() : m.end() + 1] != "=":
            raise QueryError(f"template part {raw!r} is not field=value")
        pairs.append((m.group(0), raw[m.end() + 1 :]))
    return pairs


def pills_in(text: str) -> list[str]:
    """Return the `{{…}}` pill substrings of a value, in order."""
    return _PILL_RE.findall(text)
