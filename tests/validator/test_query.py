"""The encoded-query parser: terms, connectors, pills on either side, and malformed input."""

from __future__ import annotations

import pytest

from validator.query import QueryError, parse_query, parse_template, parse_term, pills_in


def test_terms_connectors_and_groups() -> None:
    query = parse_query("active=true^priority<=2^ORurgency=1^NQstateIN1,2^EQ")
    assert [(t.field, t.operator, t.value, t.connector, t.group) for t in query.terms] == [
        ("active", "=", "true", "AND", 0),
        ("priority", "<=", "2", "AND", 0),
        ("urgency", "=", "1", "OR", 0),
        ("state", "IN", "1,2", "AND", 1),
    ]


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("stateNOT IN6,7", ("state", "NOT IN", "6,7")),
        ("short_descriptionNOT LIKEtest", ("short_description", "NOT LIKE", "test")),
        ("assigned_toISEMPTY", ("assigned_to", "ISEMPTY", "")),
        ("caller_id.vip=true", ("caller_id.vip", "=", "true")),
        ("priority>=3", ("priority", ">=", "3")),
        ("{{trigger.current.state}}=6", ("{{trigger.current.state}}", "=", "6")),
        ("assigned_to={{step_1.record.sys_id}}", ("assigned_to", "=", "{{step_1.record.sys_id}}")),
    ],
)
def test_longest_operator_wins(term: str, expected: tuple[str, str, str]) -> None:
    assert parse_term(term) == expected


def test_order_by_clauses_are_kept_apart() -> None:
    query = parse_query("active=true^ORDERBYDESCpriority^ORDERBYnumber")
    assert query.order_by == (("priority", True), ("number", False))
    assert len(query.terms) == 1


def test_pill_values_may_contain_the_separator_safely() -> None:
    query = parse_query("{{trigger.current.priority}}=1^OR{{trigger.current.caller_id.vip}}=true")
    assert [t.connector for t in query.terms] == ["AND", "OR"]


@pytest.mark.parametrize(
    "text",
    [
        "active",
        "^active=true",
        "active=true^",
        "active=true^^priority=1",
        "ORactive=true",
        "NQactive=true",
        "Priority=1",
        "active=true^EQ^priority=1",
        "assigned_toISEMPTYx",
        "priority~1",
    ],
)
def test_malformed_queries_raise_query_error(text: str) -> None:
    with pytest.raises(QueryError):
        parse_query(text)


def test_empty_query_has_no_terms() -> None:
    assert parse_query("  ").terms == ()


def test_templates() -> None:
    assert parse_template(
        "state=6^close_notes=done=now^assigned_to={{trigger.current.manager}}"
    ) == [
        ("state", "6"),
        ("close_notes", "done=now"),
        ("assigned_to", "{{trigger.current.manager}}"),
    ]
    assert parse_template("") == []
    for bad in ("state=6^EQ", "state", "=6", "state!=6"):
        with pytest.raises(QueryError):
            parse_template(bad)


def test_pills_in() -> None:
    assert pills_in("a={{step_1.record}}^b={{trigger.current}}") == [
        "{{step_1.record}}",
        "{{trigger.current}}",
    ]
