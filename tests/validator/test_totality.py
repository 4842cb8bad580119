"""`validate` is total: any value, text, size or depth gives issues, never an exception."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog import demo_catalog
from schemas.issues import ALL_CODES, Issue
from tests.strategies import json_values, mutated_flows, valid_flows
from validator import validate

_SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(value: object) -> list[Issue]:
    issues = validate(value, demo_catalog())
    assert all(isinstance(i, Issue) and i.code in ALL_CODES for i in issues)
    return issues


@_SETTINGS
@given(json_values)
def test_any_json_value_gives_issues(value: Any) -> None:
    as_text = _check(json.dumps(value))
    if not isinstance(value, str):  # a str is read as JSON text, so compare only the others
        assert _check(value) == as_text
    if not isinstance(value, dict):
        assert [i.code for i in as_text] == ["schema_violation"]


@_SETTINGS
@given(st.text() | st.binary())
def test_any_text_or_bytes_gives_issues(value: str | bytes) -> None:
    _check(value)


@_SETTINGS
@given(mutated_flows())
def test_flows_with_a_random_part_replaced_give_issues(value: Any) -> None:
    _check(value)


@_SETTINGS
@given(valid_flows())
def test_generated_valid_flows_have_no_errors(flow: dict[str, Any]) -> None:
    assert [i for i in _check(flow) if i.is_error] == []


@pytest.mark.parametrize(
    "value",
    [
        None,
        0,
        1.5,
        float("nan"),
        float("inf"),
        True,
        "",
        "   ",
        "null",
        "[]",
        "{}",
        b"\xff\xfe",
        [],
        {},
    ],
)
def test_degenerate_values(value: object) -> None:
    issues = _check(value)
    assert issues and all(i.is_error for i in issues)


def test_deeply_nested_text_is_invalid_json() -> None:
    depth = sys.getrecursionlimit() * 50
    assert [i.code for i in _check("[" * depth + "]" * depth)] == ["invalid_json"]


def test_deeply_nested_value_is_a_schema_violation() -> None:
    nested: Any = "x"
    for _ in range(5000):
        nested = [nested]
    flow = {"name": "deep", "trigger": None, "components": [], "description": nested}
    assert [i.code for i in _check(flow)] == ["schema_violation"]


def test_cyclic_value_does_not_raise() -> None:
    cyclic: dict[str, Any] = {"name": "cycle", "trigger": None}
    cyclic["components"] = [cyclic]
    assert {i.code for i in _check(cyclic)} == {"schema_violation"}


def test_huge_numbers_and_nan_text_are_invalid_json() -> None:
    assert [i.code for i in _check('{"a": ' + "9" * 5000 + "}")] == ["invalid_json"]
    assert [i.code for i in _check('{"a": Infinity}')] == ["invalid_json"]


def test_many_schema_errors_are_capped_with_a_summary() -> None:
    flow = {"name": "x", "trigger": None, "components": [{"order": "x"}] * 200}
    issues = _check(flow)
    assert len(issues) == 101
    assert any("more schema violations" in i.message for i in issues)


def test_long_values_are_quoted_short() -> None:
    flow = json.loads(
        json.dumps({"name": "x", "trigger": {"type": "x" * 100_000}, "components": []})
    )
    (found,) = _check(flow)
    assert found.code == "unknown_trigger_type"
    assert len(found.message) < 100_000
