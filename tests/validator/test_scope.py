"""The scope resolver as the generator sees it: `visible_pills` per step."""

from __future__ import annotations

import json
from pathlib import Path

from catalog import demo_catalog
from schemas.flow import Flow
from validator import VisiblePill, resolve_pill_table, visible_pills

CLEAN = Path(__file__).resolve().parents[1] / "fixtures" / "flows" / "clean"


def _flow(name: str) -> Flow:
    return Flow.model_validate(json.loads((CLEAN / f"{name}.json").read_text(encoding="utf-8")))


def _by_pill(pills: list[VisiblePill]) -> dict[str, VisiblePill]:
    return {p.pill: p for p in pills}


def test_trigger_outputs_carry_the_trigger_table() -> None:
    pills = _by_pill(visible_pills(_flow("spec_example"), 1, demo_catalog()))
    assert pills["{{trigger.current}}"].type == "reference"
    assert pills["{{trigger.current}}"].table == "sys_user"
    assert not any(p.startswith("{{step_") for p in pills)


def test_earlier_steps_and_the_enclosing_foreach_item() -> None:
    pills = _by_pill(visible_pills(_flow("spec_example"), 3, demo_catalog()))
    assert (pills["{{step_1.records}}"].type, pills["{{step_1.records}}"].table) == (
        "records",
        "incident",
    )
    item = pills["{{step_2.item}}"]
    assert (item.type, item.table) == ("reference", "incident")
    assert "step 2" in item.label


def test_foreach_item_is_not_visible_after_the_loop() -> None:
    pills = _by_pill(visible_pills(_flow("scheduled_daily"), 4, demo_catalog()))
    assert "{{step_1.records}}" in pills
    assert "{{step_2.item}}" not in pills
    assert "{{step_3.record}}" in pills  # steps inside a loop stay readable after it


def test_path_outputs_are_hidden_outside_but_flow_variables_are_not() -> None:
    flow = _flow("parallel_paths_flow_variables")
    inside = _by_pill(visible_pills(flow, 5, demo_catalog()))
    assert "{{step_3.record}}" in inside
    after = _by_pill(visible_pills(flow, 8, demo_catalog()))
    assert "{{step_3.record}}" not in after
    caller = after["{{flow.caller}}"]
    assert (caller.type, caller.table) == ("reference", "sys_user")


def test_other_parallel_path_cannot_see_its_sibling() -> None:
    pills = _by_pill(visible_pills(_flow("parallel_paths_flow_variables"), 7, demo_catalog()))
    assert "{{step_3.record}}" not in pills
    assert "{{flow.caller}}" in pills  # set at step 4, before step 7 in document order


def test_subflow_sees_its_inputs_and_no_trigger() -> None:
    pills = _by_pill(visible_pills(_flow("subflow_with_outputs"), 2, demo_catalog()))
    assert pills["{{subflow.user}}"].table == "sys_user"
    assert not any(p.startswith("{{trigger.") for p in pills)


def test_unknown_order_or_broken_skeleton_gives_nothing() -> None:
    flow = _flow("spec_example")
    assert visible_pills(flow, 0, demo_catalog()) == []
    assert visible_pills(flow, 99, demo_catalog()) == []
    broken = flow.model_copy(
        update={"components": [c.model_copy(update={"order": 5}) for c in flow.components]}
    )
    assert visible_pills(broken, 1, demo_catalog()) == []


def test_dountil_condition_sees_its_body() -> None:
    pills = _by_pill(visible_pills(_flow("dountil_exitloop"), 1, demo_catalog()))
    assert pills["{{step_2.record}}"].table == "change_request"
    assert "{{step_5.total_duration}}" in pills  # WAITFORADURATION inside the body
    inside = _by_pill(visible_pills(_flow("dountil_exitloop"), 3, demo_catalog()))
    assert "{{step_2.record}}" in inside and "{{step_5.total_duration}}" not in inside


def test_resolve_pill_table_follows_items_and_dot_walks() -> None:
    flow, catalog = _flow("spec_example"), demo_catalog()
    assert resolve_pill_table(flow, 3, "{{step_2.item}}", catalog) == "incident"
    assert resolve_pill_table(flow, 3, "{{trigger.current.manager}}", catalog) == "sys_user"
    assert (
        resolve_pill_table(flow, 3, "{{step_2.item.caller_id.department}}", catalog)
        == "cmn_department"
    )
    assert resolve_pill_table(flow, 1, "{{step_2.item}}", catalog) is None  # forward
    assert resolve_pill_table(flow, 3, "{{step_1.count}}", catalog) is None  # not a record
    assert resolve_pill_table(flow, 3, "{{oops", catalog) is None
