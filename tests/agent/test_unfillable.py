"""A FOREACH-items error moves to the outline only when no re-fill could fix it."""

from __future__ import annotations

from typing import Any

from agent.routing import input_target
from agent.unfillable import UNFILLABLE_HINT, lift_unfillable
from catalog import demo_catalog
from schemas.flow import Flow
from validator import validate


def _flow(*components: dict[str, Any], trigger: str = "weekly") -> Flow:
    inputs = [{"name": "table", "value": "incident"}] if trigger == "record_update" else []
    return Flow.model_validate({"name": "f", "trigger": {"type": trigger, "inputs": inputs},
                                "components": list(components)})


def _step(order: int, definition: str, items: str | None = None,
          block: int | None = None) -> dict[str, Any]:
    logic = definition.isupper()
    inputs = [{"name": "items", "value": items}] if items else []
    if definition == "look_up_records":
        inputs = [{"name": "table", "value": "incident"},
                  {"name": "conditions", "value": "active=true"}]
    if definition == "update_multiple_records":
        inputs = [{"name": "table_name", "value": "incident"},
                  {"name": "conditions", "value": "active=true"},
                  {"name": "field_values", "value": "state=2"}]
    return {"category": "flowlogic" if logic else "action", "definition": definition,
            "scope": "global", "order": order, "block": block, "inputs": inputs}


def _lifted(flow: Flow) -> list[Any]:
    catalog = demo_catalog()
    issues = lift_unfillable(validate(flow.model_dump(mode="json", exclude_none=True), catalog),
                             flow, catalog)
    return [i for i in issues if i.code == "foreach_items_not_list"]


def test_no_records_in_scope_makes_it_an_outline_error() -> None:
    flow = _flow(_step(1, "update_multiple_records"), _step(2, "FOREACH", "{{step_1.message}}"))
    [issue] = _lifted(flow)
    assert issue.path == "/components/1" and issue.hint == UNFILLABLE_HINT
    assert input_target(issue) is None


def test_records_in_scope_leave_it_to_a_refill() -> None:
    flow = _flow(_step(1, "look_up_records"), _step(2, "FOREACH", "{{step_1.count}}"))
    [issue] = _lifted(flow)
    assert issue.path == "/components/1/inputs/0/value"
    assert input_target(issue) == 2

