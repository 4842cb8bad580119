"""Dataset loading, its schema file, and the quality bar of the hand-written sets."""

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
    OVERLAP_LIMIT,
    SCHEMA_PATH,
    DatasetError,
    EvalCase,
    case_schema,
    content_overlap,
    load_dataset,
)
from training.builtin import HANDWRITTEN_TRAIN
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
    with pytest.raises(DatasetError, match="not a file and not one of dev, dev_b, synthetic_test"):
        load_dataset("nope")
    with pytest.raises(DatasetError, match="not a file"):
        load_dataset(tmp_path / "missing.jsonl")


def test_content_overlap_sees_restatements_not_shared_platform_words() -> None:
    same = "When a P1 incident is opened, text the on-call engineer."
    assert content_overlap(same, same.upper()) == 1.0
    restated = "As soon as a P1 incident is opened, text the on-call engineer."
    assert content_overlap(same, restated) >= OVERLAP_LIMIT
    other = "Every Monday, email the change manager a list of open change tasks."
    assert content_overlap(same, other) < 0.1


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


# --- the hand-written sets -------------------------------------------------------------

HANDWRITTEN = ("dev", "dev_b", str(HANDWRITTEN_TRAIN))
"""The two held-out evaluation sets and the hand-written training pairs: one quality bar."""


@pytest.fixture(scope="module")
def dev_cases() -> list[EvalCase]:
    return load_dataset("dev")


@pytest.fixture(scope="module", params=HANDWRITTEN, ids=("dev", "dev_b", "handwritten_train"))
def handwritten_cases(request: pytest.FixtureRequest) -> list[EvalCase]:
    return load_dataset(request.param)


def test_handwritten_sets_are_large_enough_and_distinct(
    handwritten_cases: list[EvalCase],
) -> None:
    assert len(handwritten_cases) >= 35
    assert len({c.source for c in handwritten_cases}) == 1
    assert len({c.requirement for c in handwritten_cases}) == len(handwritten_cases)


def test_every_handwritten_reference_flow_validates_without_errors(
    handwritten_cases: list[EvalCase],
) -> None:
    catalog = demo_catalog()
    failing = {
        c.id: [f"{i.code}: {i.message}" for i in validate(c.gold(), catalog) if i.is_error]
        for c in handwritten_cases
    }
    assert {k: v for k, v in failing.items() if v} == {}


def test_handwritten_tags_are_known_and_agree_with_the_reference_flows(
    handwritten_cases: list[EvalCase],
) -> None:
    for case in handwritten_cases:
        tags = set(case.features)
        assert tags <= set(KNOWN_FEATURES), case.id
        assert len(tags & {"explicit", "implicit"}) == 1, case.id
        # Everything the flow shows must be tagged, and every structural/enterprise tag shown.
        assert derived_features(case.flow) == tags - {"explicit", "implicit"}, case.id


def test_evaluation_sets_are_handwritten() -> None:
    assert len(load_dataset("dev")) >= 40
    assert {c.source for c in load_dataset("dev")} == {"handwritten"}
    assert {c.source for c in load_dataset("dev_b")} == {"handwritten"}
    assert {c.source for c in load_dataset(HANDWRITTEN_TRAIN)} == {"handwritten-train"}


def test_training_pairs_are_not_close_to_an_evaluation_case() -> None:
    # Pairs that restated an evaluation scenario were dropped (docs/training.md); a new one
    # must not slip back in, or dev/dev_b would measure recall of their own paraphrase.
    held_out = [c.requirement for c in (*load_dataset("dev"), *load_dataset("dev_b"))]
    for case in load_dataset(HANDWRITTEN_TRAIN):
        closest = max(content_overlap(case.requirement, other) for other in held_out)
        assert closest < OVERLAP_LIMIT, case.id


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
