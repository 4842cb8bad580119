"""Grounding follows the catalog it is given: subflow calls, and nothing assumed from the demo."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from catalog import demo_catalog
from schemas.catalog import Action, Catalog, Param
from validator import validate

SPEC = Path(__file__).resolve().parents[1] / "fixtures" / "flows" / "clean" / "spec_example.json"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "validation.md"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    onboard = Action(
        name="onboard_user",
        scope="x_acme_hr",
        category="subflow",
        label="Onboard user",
        inputs=(Param(name="user", type="reference", reference="sys_user", mandatory=True),),
        outputs=(Param(name="laptop", type="reference", reference="alm_hardware"),),
    )
    data = demo_catalog().model_dump()
    data["actions"] = [*data["actions"], onboard.model_dump()]
    return Catalog.model_validate(data)


def _flow(category: str, scope: str = "x_acme_hr") -> dict[str, Any]:
    flow = json.loads(SPEC.read_text(encoding="utf-8"))
    flow["components"].append(
        {
            "category": category,
            "definition": "onboard_user",
            "scope": scope,
            "order": 4,
            "inputs": [{"name": "user", "value": "{{trigger.current}}"}],
        }
    )
    flow["components"].append(
        {
            "category": "action",
            "definition": "log",
            "order": 5,
            "inputs": [{"name": "log_message", "value": "{{step_4.laptop.asset_tag}}"}],
        }
    )
    return flow


def test_subflow_call_is_grounded_with_its_outputs(catalog: Catalog) -> None:
    assert validate(_flow("subflow"), catalog) == []


def test_subflow_called_as_an_action_names_the_right_category(catalog: Catalog) -> None:
    (found,) = validate(_flow("action"), catalog)
    assert found.code == "unknown_action" and "'subflow'" in found.hint


def test_subflow_in_the_wrong_scope_names_its_scope(catalog: Catalog) -> None:
    (found,) = validate(_flow("subflow", scope="global"), catalog)
    assert found.code == "unknown_action" and "x_acme_hr" in found.hint


def test_the_demo_catalog_does_not_know_the_subflow() -> None:
    assert [i.code for i in validate(_flow("subflow"), demo_catalog())] == ["unknown_action"]


def test_every_code_is_documented() -> None:
    from schemas.issues import ALL_CODES

    text = DOCS.read_text(encoding="utf-8")
    assert [c for c in ALL_CODES if f"`{c}`" not in text] == []
