"""Dataset loading, its schema file, and the hand-written dev set's quality bar."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from catalog import demo_catalog
from evals.analysis import derived_features
from evals.dataset import (
    DATASETS_DIR,
    KNOWN_FEATURES,
    SCHEMA_PATH,
    DatasetError,
    EvalCase,
    case_schema,
    load_dataset,
)
from validator import validate

GOOD_FLOW = {
    "name": "Log new incidents",
    "trigger": {"type": "record_create", "inputs": [{"name": "table", "value": "incident"}]},
    "components": [
        {"category": "action", "definition": "log", "order": 1, "inputs": []},
    ],
}


def _line(**overrides: object) -> str:
    case: dict[str, object] = {
        "id": "c1",
        "requirement": "Log every new incident.",
        "flow": GOOD_FLOW,
        "features": ["explicit"],
        "source": "handwritten",
    }
    case.update(overrides)
    return json.dumps(case)


def test_jsonl_and_yaml_load_the_same_cases(tmp_path: Path) -> None:
    jsonl = tmp_path / "set.jsonl"
    jsonl.write_text("# a comment\n\n" + _line() + "\n" + _line(id="c2") + "\n")
    yml = tmp_path / "set.yaml"
    yml.write_text(json.dumps([json.loads(_line()), json.loads(_line(id="c2"))]))
    from_jsonl = load_dataset(jsonl)
    assert [c.id for c in from_jsonl] == ["c1", "c2"]
    assert from_jsonl == load_dataset(yml)
    assert from_jsonl[0].gold()["components"][0]["definition"] == "log"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (_line() + "\n{not json\n", r"set\.jsonl:2: not valid JSON"),
        (_line(requirement="") + "\n", r"set\.jsonl:1: requirement: String should have at least"),
        (_line(flow={"name": "x"}) + "\n", r"set\.jsonl:1: flow\.trigger: Field required"),
        (_line(extra=1) + "\n", r"set\.jsonl:1: extra: Extra inputs are not permitted"),
        ("[1, 2]\n", r"set\.jsonl:1: a case must be a JSON object, got list"),
        (
            _line() + "\n" + _line() + "\n",
            r"set\.jsonl:2: duplicate case id 'c1' \(first at .*:1\)",
        ),
    ],
)
def test_bad_line_is_reported_with_file_and_line(
    tmp_path: Path, content: str, expected: str
) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text(content)
    with pytest.raises(DatasetError, match=expected):
        load_dataset(path)


def test_yaml_errors_name_the_item(tmp_path: Path) -> None:
    path = tmp_path / "set.yml"
    path.write_text("- id: a\n  requirement: x\n")
    with pytest.raises(DatasetError, match=r"set\.yml\[0\]: flow: Field required"):
        load_dataset(path)
    path.write_text("id: a\n")
    with pytest.raises(DatasetError, match="must be a list of cases"):
        load_dataset(path)


def test_unknown_name_or_missing_file_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="not a file and not one of dev, synthetic_test"):
        load_dataset("nope")
    with pytest.raises(DatasetError, match="not a file"):
        load_dataset(tmp_path / "missing.jsonl")


def test_committed_schema_matches_the_model_and_accepts_dev_lines() -> None:
    committed = json.loads(SCHEMA_PATH.read_text())
    assert committed == json.loads(json.dumps(case_schema())), (
        "dataset.schema.json is stale: run evals.dataset.write_case_schema()"
    )
    validator = jsonschema.Draft202012Validator(committed)
    first = json.loads((DATASETS_DIR / "dev.jsonl").read_text().splitlines()[0])
    assert not list(validator.iter_errors(first))
    first.pop("requirement")
    assert list(validator.iter_errors(first))


# --- the hand-written dev set -------------------------------------------------------------


@pytest.fixture(scope="module")
def dev_cases() -> list[EvalCase]:
    return load_dataset("dev")


def test_dev_set_is_large_enough_and_handwritten(dev_cases: list[EvalCase]) -> None:
    assert len(dev_cases) >= 40
    assert {c.source for c in dev_cases} == {"handwritten"}
    assert len({c.requirement for c in dev_cases}) == len(dev_cases)


def test_every_dev_reference_flow_validates_without_errors(dev_cases: list[EvalCase]) -> None:
    catalog = demo_catalog()
    failing = {
        c.id: [f"{i.code}: {i.message}" for i in validate(c.gold(), catalog) if i.is_error]
        for c in dev_cases
    }
    assert {k: v for k, v in failing.items() if v} == {}


def test_dev_tags_are_known_and_agree_with_the_reference_flows(dev_cases: list[EvalCase]) -> None:
    for case in dev_cases:
        tags = set(case.features)
        assert tags <= set(KNOWN_FEATURES), case.id
        assert len(tags & {"explicit", "implicit"}) == 1, case.id
        # Everything the flow shows must be tagged, and every structural/enterprise tag shown.
        assert derived_features(case.flow) == tags - {"explicit", "implicit"}, case.id


def test_dev_set_covers_every_feature_and_trigger_family(dev_cases: list[EvalCase]) -> None:
    tagged = {f for c in dev_cases for f in c.features}
    assert tagged == set(KNOWN_FEATURES)
    triggers = {c.flow.trigger.type for c in dev_cases if c.flow.trigger}
    assert {
        "record_create",
        "record_update",
        "daily",
        "email",
        "sla_task",
        "service_catalog",
    } <= triggers
    tables = {
        i.value
        for c in dev_cases
        if c.flow.trigger
        for i in c.flow.trigger.inputs
        if i.name == "table"
    }
    assert {"incident", "change_request", "problem", "sc_req_item", "sc_task"} <= tables
