"""Edit operations applied to a flow: targeted, renumbered, pills followed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from agent.chat.apply import ApplyResult, apply_ops
from agent.chat.ops import EditPlan
from agent.chat.tree import default_ids
from schemas.flow import Component, Flow
from tests.agent.chat.helpers import inactive_user


def _apply(flow: Flow, ops: Sequence[Mapping[str, object]]) -> ApplyResult:
    plan = EditPlan.model_validate({"ops": ops})
    return apply_ops(flow, plan.ops, default_ids(flow), "v2")


def _same_except_numbering(a: Component, b: Component) -> bool:
    keep = {"category", "definition", "scope", "annotation"}
    return a.model_dump(include=keep) == b.model_dump(include=keep)


def test_add_at_end_leaves_other_steps_identical() -> None:
    flow = inactive_user()
    step = {"category": "action", "definition": "send_email", "annotation": "email the caller"}
    result = _apply(flow, [{"op": "add", "step": step}])
    assert result.flow.components[:4] == flow.components
    assert result.flow.components[4].order == 5
    assert result.flow.components[4].definition == "send_email"
    assert result.touched_orders() == [5]


def test_insert_before_renumbers_orders_blocks_and_pills() -> None:
    flow = inactive_user()
    step = {"category": "action", "definition": "log", "annotation": "log start"}
    result = _apply(flow, [{"op": "add", "step": step, "where": {"position": "before", "ref": 1}}])
    comps = result.flow.components
    assert [c.order for c in comps] == [1, 2, 3, 4, 5]
    assert comps[0].definition == "log"
    assert comps[2].inputs[0].value == "{{step_2.records}}"
    assert comps[3].block == 3
    assert comps[3].inputs[1].value == "{{step_3.item}}"
    assert comps[4].inputs[0].value == "done {{step_2.count}}"
    assert result.touched_orders() == [1]


def test_remove_drops_inputs_that_used_the_removed_step() -> None:
    flow = inactive_user()
    result = _apply(flow, [{"op": "remove", "ref": 1}])
    comps = result.flow.components
    assert [c.definition for c in comps] == ["FOREACH", "update_record", "log"]
    assert comps[0].inputs == []  # items pointed at the removed lookup
    assert [i.name for i in comps[2].inputs] == []
    assert {n.code for n in result.notes} == {"input_dropped"}
    assert result.touched_orders() == [1, 3]
    assert comps[1] == flow.components[2].model_copy(
        update={
            "order": 2,
            "block": 1,
            "inputs": [
                flow.components[2].inputs[0],
                flow.components[2].inputs[1].model_copy(update={"value": "{{step_1.item}}"}),
                flow.components[2].inputs[2],
            ],
        }
    )


def test_remove_foreach_removes_its_body() -> None:
    result = _apply(inactive_user(), [{"op": "remove", "ref": 2}])
    assert [c.definition for c in result.flow.components] == ["look_up_records", "log"]
    assert result.flow.components[1].order == 2


def test_update_sets_input_and_keeps_the_rest() -> None:
    flow = inactive_user()
    op = {"op": "update", "ref": 3, "set_inputs": [{"name": "values", "value": "state=2"}]}
    result = _apply(flow, [op])
    comps = result.flow.components
    assert [i.value for i in comps[2].inputs] == ["incident", "{{step_2.item}}", "state=2"]
    assert [c for i, c in enumerate(comps) if i != 2] == [
        c for i, c in enumerate(flow.components) if i != 2
    ]


def test_update_definition_resets_inputs() -> None:
    op = {"op": "update", "ref": 4, "definition": "send_email"}
    result = _apply(inactive_user(), [op])
    assert result.flow.components[3].definition == "send_email"
    assert result.flow.components[3].inputs == []


def test_move_out_of_loop() -> None:
    op = {"op": "move", "ref": 3, "to": {"position": "end"}}
    result = _apply(inactive_user(), [op])
    comps = result.flow.components
    assert [c.definition for c in comps] == ["look_up_records", "FOREACH", "log", "update_record"]
    assert comps[3].block is None
    assert comps[3].order == 4


def test_move_into_own_body_is_skipped_with_a_note() -> None:
    flow = inactive_user()
    result = _apply(flow, [{"op": "move", "ref": 2, "to": {"position": "last_in", "ref": 3}}])
    assert result.flow == flow
    assert result.notes[0].code == "op_skipped"


def test_unknown_step_is_reported_and_other_ops_still_apply() -> None:
    ops: list[dict[str, object]] = [{"op": "remove", "ref": 9}, {"op": "rename", "name": "x"}]
    result = _apply(inactive_user(), ops)
    assert result.flow.name == "x"
    assert "no step 9" in result.notes[0].message


def test_wrap_parallel_puts_each_step_in_its_own_path() -> None:
    flow = inactive_user()
    result = _apply(flow, [{"op": "wrap", "refs": [1, 4], "logic": "PARALLEL"}])
    comps = result.flow.components
    assert [(c.definition, c.block) for c in comps] == [
        ("PARALLEL", None),
        ("PATH", 1),
        ("look_up_records", 2),
        ("PATH", 1),
        ("log", 4),
        ("FOREACH", None),
        ("update_record", 6),
    ]
    assert comps[5].inputs[0].value == "{{step_3.records}}"
    assert comps[4].inputs[0].value == "done {{step_3.count}}"


def test_wrap_try_adds_catch_with_steps() -> None:
    catch = [{"category": "action", "definition": "log", "annotation": "log the failure"}]
    op = {"op": "wrap", "refs": [2], "logic": "TRY", "catch_steps": catch}
    comps = _apply(inactive_user(), [op]).flow.components
    assert [(c.definition, c.block) for c in comps] == [
        ("look_up_records", None),
        ("TRY", None),
        ("FOREACH", 2),
        ("update_record", 3),
        ("CATCH", None),
        ("log", 5),
        ("log", None),
    ]


def test_wrap_if_needs_consecutive_steps() -> None:
    flow = inactive_user()
    result = _apply(flow, [{"op": "wrap", "refs": [1, 4], "logic": "IF"}])
    assert result.flow == flow
    assert "consecutive" in result.notes[0].message


def test_replace_table_touches_only_steps_using_it() -> None:
    flow = inactive_user()
    result = _apply(flow, [{"op": "replace_table", "old": "incident", "new": "problem"}])
    comps = result.flow.components
    assert comps[0].inputs[0].value == "problem"
    assert comps[2].inputs[0].value == "problem"
    assert comps[1] == flow.components[1] and comps[3] == flow.components[3]
    assert result.touched_orders() == [1, 3]
    assert not result.trigger_touched


def test_set_trigger() -> None:
    op = {"op": "set_trigger", "type": "daily", "inputs": [{"name": "time", "value": "08:00"}]}
    result = _apply(inactive_user(), [op])
    assert result.flow.trigger is not None and result.flow.trigger.type == "daily"
    assert result.trigger_touched


def test_rewrite_step_pills_handles_several_pills_and_leaves_malformed_ones() -> None:
    from agent.chat.tree import rewrite_step_pills

    text = "a={{step_1.record.manager}}^b={{step_3.count}}^c={{step_2 .x}}^d={{trigger.current}}"
    out, missing = rewrite_step_pills(text, {1: 2, 2: 5})
    assert (
        out
        == "a={{step_2.record.manager}}^b={{step_3.count}}^c={{step_2 .x}}^d={{trigger.current}}"
    )
    assert missing == [3]
