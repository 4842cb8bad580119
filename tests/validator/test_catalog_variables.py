"""Catalog variables: outputs named by the user's data, and `variables.<name>` dot-walks.

Both come from the catalog (`Action.dynamic_outputs`, columns of type `variables`), so the
tests also take them away, or give them to another action, to show nothing is keyed on names.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from catalog import demo_catalog
from schemas.catalog import Action, Catalog, Param
from schemas.flow import Flow
from validator import resolve_pill_table, validate, visible_pills
from validator.query import parse_query

CLEAN = Path(__file__).resolve().parents[1] / "fixtures" / "flows" / "clean"
FIXTURE = CLEAN / "service_catalog_variables.json"


def _fixture() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return data


def _codes(flow: object, catalog: Catalog | None = None) -> list[str]:
    return [i.code for i in validate(flow, catalog or demo_catalog()) if i.is_error]


def _step(order: int, definition: str, **inputs: str) -> dict[str, Any]:
    return {
        "category": "action",
        "definition": definition,
        "scope": "global",
        "order": order,
        "inputs": [{"name": k, "value": v} for k, v in inputs.items()],
    }


def _record_flow(table: str, *steps: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": "record flow",
        "trigger": {"type": "record_create", "inputs": [{"name": "table", "value": table}]},
        "components": list(steps),
    }


def _log(order: int, message: str) -> dict[str, Any]:
    return _step(order, "log", log_level="info", log_message=message)


def _without_catalog_variables() -> Catalog:
    """The demo catalog as it was: no dynamic outputs, no `variables` column."""
    data = demo_catalog().model_dump()
    for action in data["actions"]:
        action["dynamic_outputs"] = False
    for table in data["tables"]:
        table["columns"] = [c for c in table["columns"] if c["type"] != "variables"]
    return Catalog.model_validate(data)


def test_the_fixture_reads_variables_without_errors() -> None:
    assert _codes(_fixture()) == []


def test_the_catalog_decides_not_the_validator() -> None:
    codes = _codes(_fixture(), _without_catalog_variables())
    assert "pill_unknown_output" in codes and "unknown_column" in codes


def test_any_action_with_dynamic_outputs_accepts_any_name_and_keeps_listed_types() -> None:
    form = Action(
        name="read_form",
        scope="x_acme",
        label="Read form",
        inputs=(Param(name="record", type="reference", reference="sc_req_item"),),
        outputs=(Param(name="record", type="reference", reference="sc_req_item"),),
        dynamic_outputs=True,
    )
    data = demo_catalog().model_dump()
    data["actions"] = [*data["actions"], form.model_dump()]
    catalog = Catalog.model_validate(data)
    step = _step(1, "read_form", record="{{trigger.current}}")
    step["scope"] = "x_acme"
    flow = _record_flow(
        "sc_req_item",
        step,
        _log(2, "{{step_1.cost_center}} {{step_1.record.number}}"),
        _log(3, "{{step_1.record.numbr}}"),
    )
    issues = [i for i in validate(flow, catalog) if i.is_error]
    assert [(i.code, i.order) for i in issues] == [("unknown_column", 3)]


def test_a_dynamic_output_is_text_without_fields_or_table() -> None:
    flow = _fixture()
    flow["components"][3]["inputs"][1]["value"] = "{{step_1.laptop_type.name}}"
    (found,) = validate(flow, demo_catalog())
    assert found.code == "unknown_column" and "string" in found.message
    parsed = Flow.model_validate(_fixture())
    assert resolve_pill_table(parsed, 4, "{{step_1.laptop_type}}", demo_catalog()) is None


def test_visible_pills_show_the_pattern_of_dynamic_outputs() -> None:
    pills = {p.pill: p for p in visible_pills(Flow.model_validate(_fixture()), 2, demo_catalog())}
    pattern = pills["{{step_1.<name>}}"]
    assert (pattern.type, pattern.table) == ("string", None)
    assert "catalog variable" in pattern.label


def test_current_variables_on_a_requested_item_trigger_only() -> None:
    assert _codes(_record_flow("sc_req_item", _log(1, "{{trigger.current.variables.os}}"))) == []
    codes = _codes(_record_flow("incident", _log(1, "{{trigger.current.variables.os}}")))
    assert codes == ["unknown_column"]


def test_a_catalog_task_reads_variables_through_its_requested_item() -> None:
    look = _step(1, "look_up_record", table="sc_task", conditions="active=true")
    good = _record_flow("incident", look, _log(2, "{{step_1.record.request_item.variables.os}}"))
    assert _codes(good) == []
    bad = _record_flow("incident", look, _log(2, "{{step_1.record.variables.os}}"))
    assert _codes(bad) == ["unknown_column"]


def test_one_name_follows_variables() -> None:
    deep = _record_flow("sc_req_item", _log(1, "{{trigger.current.variables.os.name}}"))
    assert _codes(deep) == ["unknown_column"]


def test_conditions_compare_and_query_variables() -> None:
    (term,) = parse_query("{{trigger.request_item.variables.laptop_type}}=mac").terms
    assert (term.field, term.operator, term.value) == (
        "{{trigger.request_item.variables.laptop_type}}",
        "=",
        "mac",
    )
    query = "variables.laptop_type=mac^active=true"
    look = _step(1, "look_up_records", table="sc_req_item", conditions=query)
    assert _codes(_record_flow("incident", look)) == []
    typo = _step(1, "look_up_records", table="sc_req_item", conditions="variable.os=mac")
    assert _codes(_record_flow("incident", typo)) == ["unknown_column"]
