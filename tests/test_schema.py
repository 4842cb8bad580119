"""The committed JSON Schema matches the pydantic model and agrees with the fixture set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from scripts.gen_schema import SCHEMA_PATH, main, render_schema

FLOWS = Path(__file__).resolve().parent / "fixtures" / "flows"
# Shape rules the validator adds on top of the model; JSON Schema cannot express them.
BEYOND_JSON_SCHEMA = {
    "schema_violation__duplicate_input",
    "schema_violation__subflow_inputs_on_flow",
}
SCHEMA_BROKEN = sorted(
    p
    for p in (FLOWS / "broken").glob("schema_violation__*.json")
    if p.stem not in BEYOND_JSON_SCHEMA
)


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def test_committed_schema_is_current() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == render_schema()
    assert main(["--check"]) == 0


@pytest.mark.parametrize("path", sorted((FLOWS / "clean").glob("*.json")), ids=lambda p: p.stem)
def test_clean_fixtures_conform(validator: Draft202012Validator, path: Path) -> None:
    errors = list(validator.iter_errors(json.loads(path.read_text(encoding="utf-8"))))
    assert errors == []


@pytest.mark.parametrize("path", SCHEMA_BROKEN, ids=lambda p: p.stem)
def test_schema_broken_fixtures_are_rejected(validator: Draft202012Validator, path: Path) -> None:
    assert not validator.is_valid(json.loads(path.read_text(encoding="utf-8")))


def test_check_mode_fails_on_a_stale_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stale = tmp_path / "flow.schema.json"
    stale.write_text("{}\n", encoding="utf-8")
    monkeypatch.setattr("scripts.gen_schema.SCHEMA_PATH", stale)
    assert main(["--check"]) == 1
    assert main([]) == 0
    assert main(["--check"]) == 0
