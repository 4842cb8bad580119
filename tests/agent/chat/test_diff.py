"""The readable diff between two versions of a flow."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from agent.chat.apply import ApplyResult, apply_ops
from agent.chat.diff import diff_flows
from agent.chat.ops import EditPlan
from agent.chat.tree import default_ids
from schemas.flow import Flow
from tests.agent.chat.helpers import inactive_user


def _edit(ops: Sequence[Mapping[str, object]]) -> tuple[Flow, list[str], ApplyResult]:
    flow = inactive_user()
    ids = default_ids(flow)
    result = apply_ops(flow, EditPlan.model_validate({"ops": ops}).ops, ids, "v2")
    return flow, ids, result


def test_identical_flows_have_no_changes() -> None:
    flow = inactive_user()
    diff = diff_flows(flow, flow)
    assert diff.is_empty
    assert diff.render() == "no changes"


def test_insert_reports_only_the_added_step_not_the_renumbering() -> None:
    step = {
        "category": "action",
        "definition": "log",
        "annotation": "log start",
        "inputs": [{"name": "log_message", "value": "hi"}],
    }
    flow, ids, result = _edit([{"op": "add", "step": step, "where": {"position": "start"}}])
    diff = diff_flows(flow, result.flow, ids, result.ids)
    assert [(s.kind, s.new_order) for s in diff.steps] == [("added", 1)]
    assert '+ step 1 action log "log start" (added)' in diff.render()
    assert "log_message: (none) -> 'hi'" in diff.render()


def test_changed_input_shows_old_and_new() -> None:
    op = {"op": "update", "ref": 3, "set_inputs": [{"name": "values", "value": "state=2"}]}
    flow, ids, result = _edit([op])
    diff = diff_flows(flow, result.flow, ids, result.ids)
    assert len(diff.steps) == 1
    change = diff.steps[0]
    assert change.kind == "changed"
    assert [(c.name, c.old, c.new) for c in change.changes] == [
        ("values", "assigned_to={{trigger.current.manager}}", "state=2")
    ]


def test_removed_and_moved_steps() -> None:
    flow, ids, result = _edit(
        [{"op": "remove", "ref": 4}, {"op": "move", "ref": 3, "to": {"position": "start"}}]
    )
    diff = diff_flows(flow, result.flow, ids, result.ids)
    kinds = {(s.kind, s.old_order, s.new_order) for s in diff.steps}
    assert ("removed", 4, None) in kinds
    assert ("moved", 3, 1) in kinds
    assert "step 1 (was 3)" in diff.render()


def test_trigger_and_name_changes() -> None:
    ops = [
        {"op": "replace_table", "old": "sys_user", "new": "sys_user_group"},
        {"op": "rename", "name": "Other"},
    ]
    flow, ids, result = _edit(ops)
    text = diff_flows(flow, result.flow, ids, result.ids).render()
    assert "~ name: 'Reassign incidents of inactive users' -> 'Other'" in text
    assert "~ trigger table: 'sys_user' -> 'sys_user_group'" in text


def test_without_ids_steps_are_aligned_by_signature() -> None:
    flow, _, result = _edit([{"op": "remove", "ref": 1}])
    diff = diff_flows(flow, result.flow)
    assert ("removed", 1) in {(s.kind, s.old_order) for s in diff.steps}
    assert "added" not in {s.kind for s in diff.steps}
