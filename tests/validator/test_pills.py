"""The pill parser: well-formed pills, and every way text can break the pill grammar."""

from __future__ import annotations

import pytest

from validator.pills import Pill, PillProblem, parse_pill, scan_pills


def test_whole_pill_with_dot_walk() -> None:
    scan = scan_pills("{{trigger.current.caller_id.manager}}")
    assert scan.whole and not scan.problems
    (pill,) = scan.pills
    assert (pill.root, pill.step, pill.name, pill.fields) == (
        "trigger",
        None,
        "current",
        ("caller_id", "manager"),
    )
    assert pill.head == "{{trigger.current}}"


def test_step_pills_embedded_in_text_keep_their_offsets() -> None:
    value = "a={{step_1.record}}^b={{step_12.item.number}}"
    scan = scan_pills(value)
    assert not scan.whole
    assert [(p.step, p.name, p.fields, p.start) for p in scan.pills] == [
        (1, "record", (), 2),
        (12, "item", ("number",), 22),
    ]
    assert all(value[p.start : p.start + len(p.text)] == p.text for p in scan.pills)


@pytest.mark.parametrize(
    ("text", "root", "name"),
    [("{{flow.approver}}", "flow", "approver"), ("{{subflow.user_id}}", "subflow", "user_id")],
)
def test_flow_and_subflow_roots(text: str, root: str, name: str) -> None:
    parsed = parse_pill(text)
    assert isinstance(parsed, Pill)
    assert (parsed.root, parsed.name, parsed.step) == (root, name, None)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("{{trigger.current", "without '}}'"),
        ("x }} y", "without '{{'"),
        ("{{ trigger.current }}", "no spaces"),
        ("{{current.sys_id}}", "not a pill root"),
        ("{{trigger}}", "followed by an output name"),
        ("{{step_01.record}}", "leading zeros"),
        ("{{step_1..record}}", "single dots"),
        ("{{step_1.record.}}", "single dots"),
        ("{{}}", "empty"),
        ("{{step_" + "9" * 5000 + ".record}}", "too large"),
        ("{{a{{step_1.record}}", "without '}}'"),
    ],
)
def test_syntax_problems_name_the_reason(value: str, reason: str) -> None:
    scan = scan_pills(value)
    assert scan.problems, value
    assert reason in scan.problems[0].reason
    assert not scan.whole


def test_nested_braces_keep_the_inner_pill() -> None:
    scan = scan_pills("{{a{{step_1.record}}")
    assert [p.text for p in scan.pills] == ["{{step_1.record}}"]


def test_text_without_braces_has_nothing() -> None:
    scan = scan_pills("just text { } with single braces")
    assert scan.pills == () and scan.problems == () and not scan.whole


def test_step_zero_parses_so_scope_can_report_it() -> None:
    parsed = parse_pill("{{step_0.record}}")
    assert isinstance(parsed, Pill) and parsed.step == 0


def test_parse_pill_rejects_text_that_is_not_one_pill() -> None:
    assert isinstance(parse_pill("trigger.current"), PillProblem)
    assert isinstance(parse_pill("{{trigger.current}} and more"), PillProblem)


def test_long_values_are_scanned_without_caching_errors() -> None:
    value = "x" * 10_000 + "{{step_1.record}}" + "{{bad"
    scan = scan_pills(value)
    assert [p.start for p in scan.pills] == [10_000]
    assert len(scan.problems) == 1
