"""A readable diff between two versions of a flow: steps added, removed, changed and moved.

Steps are matched by their stable ids when the versions carry them (chat versions do), else by
aligning step signatures. Pills are compared in id space, so renumbering alone (a step inserted
above shifts every `{{step_N}}`) is not reported as a change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Literal

from agent.chat.tree import map_step_pills
from schemas.flow import Component, Flow, FlowInput

ChangeKind = Literal["added", "removed", "changed", "moved"]
_FIELDS = ("category", "definition", "scope", "annotation")
_MARK = {"added": "+", "removed": "-", "changed": "~", "moved": ">"}


@dataclass(frozen=True)
class ValueChange:
    """One field or input whose value differs (None: absent on that side)."""

    name: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class StepChange:
    """What happened to one step between two versions."""

    kind: ChangeKind
    label: str
    old_order: int | None
    new_order: int | None
    changes: list[ValueChange] = field(default_factory=list)


@dataclass(frozen=True)
class FlowDiff:
    """Every difference between two flows, flow-level first, then steps in new order."""

    flow_changes: list[ValueChange]
    steps: list[StepChange]

    @property
    def is_empty(self) -> bool:
        """Tell whether the two flows are the same up to renumbering."""
        return not self.flow_changes and not self.steps

    def render(self) -> str:
        """Return the diff as lines a person can read in a terminal."""
        if self.is_empty:
            return "no changes"
        lines = [f"~ {c.name}: {_show(c.old)} -> {_show(c.new)}" for c in self.flow_changes]
        for step in self.steps:
            where = _where(step)
            lines.append(f"{_MARK[step.kind]} {where} {step.label} ({step.kind})")
            lines.extend(f"    {c.name}: {_show(c.old)} -> {_show(c.new)}" for c in step.changes)
        return "\n".join(lines)


def _show(value: str | None) -> str:
    return "(none)" if value is None else repr(value)


def _where(step: StepChange) -> str:
    if step.old_order is None:
        return f"step {step.new_order}"
    if step.new_order is None:
        return f"step {step.old_order}"
    if step.old_order == step.new_order:
        return f"step {step.new_order}"
    return f"step {step.new_order} (was {step.old_order})"


def label_of(comp: Component) -> str:
    """Return a one-line label of a step: what it is and what it is for."""
    text = f"{comp.category} {comp.definition}"
    return f'{text} "{comp.annotation}"' if comp.annotation else text


def align_ids(old: Flow, new: Flow) -> tuple[list[str], list[str]]:
    """Invent step ids for two flows that have none by aligning their step signatures."""
    old_sig = [(c.category, c.definition) for c in _sorted(old)]
    new_sig = [(c.category, c.definition) for c in _sorted(new)]
    old_ids = [f"o{i}" for i in range(len(old_sig))]
    new_ids = [f"n{i}" for i in range(len(new_sig))]
    matcher = SequenceMatcher(a=old_sig, b=new_sig, autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        # Equal runs are the same steps; a replaced run of equal length is the same steps
        # with a changed definition, which reads better as "changed" than as remove + add.
        if tag == "equal" or (tag == "replace" and a1 - a0 == b1 - b0):
            for k in range(a1 - a0):
                new_ids[b0 + k] = old_ids[a0 + k]
    return old_ids, new_ids


def diff_flows(
    old: Flow, new: Flow, old_ids: list[str] | None = None, new_ids: list[str] | None = None
) -> FlowDiff:
    """Compare two flows; pass the versions' step ids when known."""
    if old_ids is None or new_ids is None:
        old_ids, new_ids = align_ids(old, new)
    old_steps = dict(zip(old_ids, _sorted(old), strict=True))
    new_steps = dict(zip(new_ids, _sorted(new), strict=True))
    old_uid = dict(enumerate(old_ids, start=1))
    new_uid = dict(enumerate(new_ids, start=1))
    moved = _moved(old_ids, new_ids, old_steps, new_steps, old_uid, new_uid)
    steps: list[StepChange] = []
    for uid, comp in new_steps.items():
        before = old_steps.get(uid)
        if before is None:
            steps.append(
                StepChange(
                    "added", label_of(comp), None, comp.order, _inputs([], comp.inputs, {}, new_uid)
                )
            )
            continue
        changes = _step_changes(before, comp, old_uid, new_uid)
        if changes or uid in moved:
            kind: ChangeKind = "changed" if changes else "moved"
            steps.append(StepChange(kind, label_of(comp), before.order, comp.order, changes))
    steps.extend(
        StepChange("removed", label_of(c), c.order, None)
        for uid, c in old_steps.items()
        if uid not in new_steps
    )
    return FlowDiff(_flow_changes(old, new), steps)


def _sorted(flow: Flow) -> list[Component]:
    return sorted(flow.components, key=lambda c: c.order)


def _moved(
    old_ids: list[str],
    new_ids: list[str],
    old_steps: dict[str, Component],
    new_steps: dict[str, Component],
    old_uid: dict[int, str],
    new_uid: dict[int, str],
) -> set[str]:
    """Return ids of kept steps whose parent changed or that left the common sequence."""
    common_old = [u for u in old_ids if u in new_steps]
    common_new = [u for u in new_ids if u in old_steps]
    matcher = SequenceMatcher(a=common_old, b=common_new, autojunk=False)
    in_place = {
        u
        for block in matcher.get_matching_blocks()
        for u in common_new[block.b : block.b + block.size]
    }
    moved = set(common_new) - in_place
    for uid in common_new:
        old_parent = old_uid.get(old_steps[uid].block or 0)
        new_parent = new_uid.get(new_steps[uid].block or 0)
        if old_parent != new_parent:
            moved.add(uid)
    return moved


def _step_changes(
    old: Component, new: Component, old_uid: dict[int, str], new_uid: dict[int, str]
) -> list[ValueChange]:
    changes = [
        ValueChange(name, getattr(old, name), getattr(new, name))
        for name in _FIELDS
        if getattr(old, name) != getattr(new, name)
    ]
    return changes + _inputs(old.inputs, new.inputs, old_uid, new_uid)


def _inputs(
    old: list[FlowInput], new: list[FlowInput], old_uid: dict[int, str], new_uid: dict[int, str]
) -> list[ValueChange]:
    """Compare inputs by name, pills normalised to step ids."""
    before = {i.name: i.value for i in old}
    after = {i.name: i.value for i in new}
    out: list[ValueChange] = []
    for name in list(before) + [n for n in after if n not in before]:
        a, b = before.get(name), after.get(name)
        if a is None or b is None or _norm(a, old_uid) != _norm(b, new_uid):
            out.append(ValueChange(name, a, b))
    return out


def _norm(text: str, uid_of: dict[int, str]) -> str:
    return map_step_pills(text, lambda n: uid_of.get(n, str(n)))[0]


def _flow_changes(old: Flow, new: Flow) -> list[ValueChange]:
    changes = [
        ValueChange(name, getattr(old, name), getattr(new, name))
        for name in ("name", "description")
        if getattr(old, name) != getattr(new, name)
    ]
    old_t, new_t = old.trigger, new.trigger
    if (old_t.type if old_t else None) != (new_t.type if new_t else None):
        changes.append(
            ValueChange("trigger", old_t.type if old_t else None, new_t.type if new_t else None)
        )
    old_in = old_t.inputs if old_t else []
    new_in = new_t.inputs if new_t else []
    changes.extend(
        ValueChange(f"trigger {c.name}", c.old, c.new) for c in _inputs(old_in, new_in, {}, {})
    )
    return changes
