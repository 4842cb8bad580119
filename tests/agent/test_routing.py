"""Which repair an issue leads to: outline repair or re-filling one step."""

from __future__ import annotations

from agent.routing import input_target, outline_errors
from schemas.issues import Issue, IssueKind


def issue(code: str, path: str, order: int | None, kind: IssueKind = "grounding") -> Issue:
    """Build an error issue."""
    return Issue(code=code, severity="error", kind=kind, order=order, path=path,
                 message="m", hint="h")


def test_input_issues_target_their_step() -> None:
    assert input_target(issue("unknown_column", "/components/2/inputs/1/value", 3)) == 3
    assert input_target(issue("pill_out_of_scope", "/components/4/inputs/0/value", 5,
                              "structure")) == 5
    assert input_target(issue("invalid_json", "", 2, "schema")) == 2


def test_trigger_input_issues_target_the_trigger() -> None:
    assert input_target(issue("unknown_table", "/trigger/inputs/0/value", None)) == 0
    assert input_target(issue("invalid_json", "/trigger/inputs", None, "schema")) == 0


def test_outline_issues_have_no_step_target() -> None:
    for bad in (issue("else_without_if", "/components/0", 1, "structure"),
                issue("unknown_action", "/components/1/definition", 2),
                issue("unknown_trigger_type", "/trigger/type", None),
                issue("invalid_json", "", None, "schema")):
        assert input_target(bad) is None
        assert outline_errors([bad]) == [bad]


def test_warnings_never_need_repair() -> None:
    warning = Issue(code="placeholder_step", severity="warning", kind="grounding", order=1,
                    path="/components/0", message="m", hint="h")
    assert outline_errors([warning]) == []
