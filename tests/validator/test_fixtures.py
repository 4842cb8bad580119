"""The fixture set: every broken flow yields exactly its code, every clean flow no error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog import demo_catalog
from schemas.issues import ALL_CODES, SCHEMA_CODES, STRUCTURE_CODES, WARNING_CODES, Issue
from validator import validate

FLOWS = Path(__file__).resolve().parents[1] / "fixtures" / "flows"
BROKEN = sorted((FLOWS / "broken").glob("*.json"))
CLEAN = sorted((FLOWS / "clean").glob("*.json"))


def _run(path: Path) -> list[Issue]:
    return validate(path.read_text(encoding="utf-8"), demo_catalog())


def test_fixture_set_covers_every_code() -> None:
    covered = {p.stem.split("__")[0] for p in BROKEN}
    assert len(BROKEN) >= 30
    assert covered == set(ALL_CODES)


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_broken_flow_reports_exactly_its_code(path: Path) -> None:
    expected = path.stem.split("__")[0]
    issues = _run(path)
    errors = {i.code for i in issues if i.is_error}
    assert expected in {i.code for i in issues}
    assert errors == (set() if expected in WARNING_CODES else {expected}), issues


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_broken_flow_issue_is_actionable(path: Path) -> None:
    expected = path.stem.split("__")[0]
    found = next(i for i in _run(path) if i.code == expected)
    assert found.message and found.hint
    assert "\n" not in found.message
    assert found.path == "" or found.path.startswith("/")
    kind = (
        "schema"
        if expected in SCHEMA_CODES
        else "structure"
        if expected in STRUCTURE_CODES
        else "grounding"
    )
    assert found.kind == kind
    if found.path.startswith("/components/"):
        assert found.order is not None or expected == "schema_violation"


@pytest.mark.parametrize("path", CLEAN, ids=lambda p: p.stem)
def test_clean_flow_has_no_errors(path: Path) -> None:
    errors = [i for i in _run(path) if i.is_error]
    assert errors == []


def test_placeholder_flow_is_valid_with_a_warning() -> None:
    issues = _run(FLOWS / "clean" / "placeholder_warning_only.json")
    assert [(i.code, i.severity, i.order) for i in issues] == [("placeholder_step", "warning", 1)]


def test_clean_set_covers_the_required_shapes() -> None:
    tokens: set[str] = set()
    triggers: set[str | None] = set()
    scopes: set[str] = set()
    for path in CLEAN:
        flow = json.loads(path.read_text(encoding="utf-8"))
        triggers.add(flow["trigger"]["type"] if flow["trigger"] else None)
        for comp in flow["components"]:
            scopes.add(comp.get("scope", "global"))
            if comp["category"] == "flowlogic":
                tokens.add(comp["definition"])
    assert {"IF", "ELSEIF", "ELSE", "FOREACH", "PARALLEL", "PATH", "TRY", "CATCH"} <= tokens
    assert {"DOUNTIL", "EXITLOOP", "ASSIGNSUBFLOWOUTPUTS", "SETFLOWVARIABLES"} <= tokens
    assert {None, "email", "service_catalog", "sla_task", "daily"} <= triggers
    assert scopes - {"global"}
