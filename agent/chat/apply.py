"""Apply an edit plan to a flow with pure functions.

`apply_ops` never mutates its input and never raises on model output: an operation that
cannot be applied (unknown step, impossible placement) is skipped and reported as an
`EditNote`, and the others still apply. Orders and blocks are renumbered afterwards and every
`{{step_N…}}` pill is rewritten to follow its step; an input whose pill named a removed step is
dropped (so the fill node refills it) and reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.chat.ops import (
    AddOp,
    EditOp,
    MoveOp,
    NewStep,
    RemoveOp,
    RenameOp,
    ReplaceTableOp,
    SetTriggerOp,
    UpdateOp,
    WrapOp,
)
from agent.chat.placement import EditError, Locator, insert_at, resolve, unit_of
from agent.chat.tree import Node, build_tree, flatten, new_uid, rewrite_inputs, walk
from schemas.flow import Component, Flow, FlowInput, Trigger

TABLE_INPUTS: frozenset[str] = frozenset({"table", "table_name", "target_table"})
"""Input names whose value is a table name (catalog `table_name`-typed inputs of core actions
and record triggers); `replace_table` rewrites exactly these."""


@dataclass(frozen=True)
class EditNote:
    """Something the user should know about an applied edit (a skipped op, a dropped input)."""

    code: str
    message: str


@dataclass
class ApplyResult:
    """The edited flow, its step ids, which steps the edit touched, and notes."""

    flow: Flow
    ids: list[str]
    touched: set[str] = field(default_factory=set)
    trigger_touched: bool = False
    notes: list[EditNote] = field(default_factory=list)

    def touched_orders(self) -> list[int]:
        """Return the new orders of the touched steps."""
        return [i + 1 for i, uid in enumerate(self.ids) if uid in self.touched]


@dataclass
class _Work:
    """Mutable working copy of one edit: the tree plus what has happened so far."""

    roots: list[Node]
    locator: Locator
    prefix: str
    flow: Flow
    result_touched: set[str] = field(default_factory=set)
    trigger_touched: bool = False
    notes: list[EditNote] = field(default_factory=list)

    def make(self, category: str, definition: str, **fields: object) -> Node:
        """Create a fresh node with a new id and record it as touched."""
        uid = new_uid(self.prefix, self.locator.uids() | self.result_touched)
        comp = Component.model_validate(
            {"category": category, "definition": definition, "order": 0, **fields}
        )
        self.result_touched.add(uid)
        return Node(uid=uid, comp=comp)

    def build(self, step: NewStep) -> Node:
        """Create a node (and its body) from a model-proposed step."""
        node = self.make(
            step.category,
            step.definition,
            scope=step.scope,
            annotation=step.annotation,
            inputs=[i.model_dump() for i in step.inputs],
        )
        node.children = [self.build(child) for child in step.children]
        return node


def apply_ops(flow: Flow, ops: list[EditOp], ids: list[str], prefix: str) -> ApplyResult:
    """Apply `ops` (orders refer to `flow`) and return the renumbered flow.

    Args:
        flow: The flow the model was shown.
        ops: The proposed operations, applied in order.
        ids: Stable step ids of `flow`, parallel to its components sorted by order.
        prefix: Prefix for the ids of new steps (the version being made, e.g. ``v3``).
    """
    old_orders = {uid: i + 1 for i, uid in enumerate(ids)}
    roots = build_tree(flow, ids)
    work = _Work(roots=roots, locator=Locator(roots, ids), prefix=prefix, flow=flow)
    for index, op in enumerate(ops, start=1):
        try:
            _apply_one(work, op)
        except EditError as exc:
            work.notes.append(EditNote("op_skipped", f"operation {index} ({op.op}): {exc}"))
    comps, new_ids = flatten(work.roots)
    mapping = {old_orders[uid]: i + 1 for i, uid in enumerate(new_ids) if uid in old_orders}
    comps = [
        _rewrite_component(work, c, uid, mapping) for c, uid in zip(comps, new_ids, strict=True)
    ]
    # Trigger inputs cannot name steps (nothing runs before the trigger), so only steps change.
    out = work.flow.model_copy(update={"components": comps})
    return ApplyResult(
        flow=Flow.model_validate(out.model_dump()),
        ids=new_ids,
        touched=work.result_touched & set(new_ids),
        trigger_touched=work.trigger_touched,
        notes=work.notes,
    )


def _rewrite_component(
    work: _Work, comp: Component, uid: str, mapping: dict[int, int]
) -> Component:
    kept, dropped = rewrite_inputs(comp.inputs, mapping)
    for name, orders in dropped:
        refs = ", ".join(f"step {o}" for o in orders)
        work.notes.append(
            EditNote(
                "input_dropped",
                f"step {comp.order} input '{name}' used {refs}, which no "
                "longer exists; it is cleared for refill",
            )
        )
        work.result_touched.add(uid)
    return comp.model_copy(update={"inputs": kept})


def _apply_one(work: _Work, op: EditOp) -> None:
    """Dispatch one operation; raise `EditError` when it cannot apply."""
    if isinstance(op, AddOp):
        node = work.build(op.step)
        container, index = resolve(work.roots, work.locator, op.where)
        insert_at(container, index, [node])
    elif isinstance(op, UpdateOp):
        _update(work, op)
    elif isinstance(op, RemoveOp):
        container, index, chain = unit_of(work.roots, work.locator.node(op.ref))
        del container[index : index + len(chain)]
        work.locator.forget(chain)
    elif isinstance(op, MoveOp):
        _move(work, op)
    elif isinstance(op, WrapOp):
        _wrap(work, op)
    elif isinstance(op, SetTriggerOp):
        trigger = Trigger(type=op.type, annotation=op.annotation, inputs=op.inputs)
        work.flow = work.flow.model_copy(update={"trigger": trigger})
        work.trigger_touched = True
    elif isinstance(op, ReplaceTableOp):
        _replace_table(work, op)
    elif isinstance(op, RenameOp):
        update = {k: v for k, v in (("name", op.name), ("description", op.description)) if v}
        work.flow = work.flow.model_copy(update=update)


def _update(work: _Work, op: UpdateOp) -> None:
    node = work.locator.node(op.ref)
    comp = node.comp
    changes_definition = op.definition is not None and op.definition != comp.definition
    # A different action has different inputs: keeping the old ones would leave unknown_input
    # errors, and a designer resets the inputs when the action changes too.
    inputs = [] if changes_definition else list(comp.inputs)
    inputs = [i for i in inputs if i.name not in op.remove_inputs]
    for new in op.set_inputs:
        inputs = [i for i in inputs if i.name != new.name]
        inputs.append(FlowInput(name=new.name, value=new.value))
    update: dict[str, object] = {"inputs": inputs}
    for name in ("annotation", "category", "definition", "scope"):
        value = getattr(op, name)
        if value is not None:
            update[name] = value
    node.comp = Component.model_validate({**comp.model_dump(), **update})
    work.result_touched.add(node.uid)


def _move(work: _Work, op: MoveOp) -> None:
    node = work.locator.node(op.ref)
    if op.to.ref is not None:
        target = work.locator.node(op.to.ref)
        if any(n is target for n, _ in walk([node])):
            raise EditError(f"cannot move step {op.ref} into its own body")
    container, index, chain = unit_of(work.roots, node)
    del container[index : index + len(chain)]
    dest, at = resolve(work.roots, work.locator, op.to)
    insert_at(dest, at, chain)
    work.result_touched.update(n.uid for n in chain)


def _wrap(work: _Work, op: WrapOp) -> None:
    nodes = [work.locator.node(ref) for ref in sorted(set(op.refs))]
    located = [unit_of(work.roots, n) for n in nodes]
    container = located[0][0]
    if any(c is not container for c, _, _ in located):
        raise EditError("wrapped steps must be siblings (same block)")
    chains = [chain for _, _, chain in located]
    members = [n for chain in chains for n in chain]
    first = min(i for _, i, _ in located)
    if op.logic != "PARALLEL":
        indexes = sorted(container.index(n) for n in members)
        if indexes != list(range(indexes[0], indexes[0] + len(indexes))):
            raise EditError(f"{op.logic} can only wrap consecutive steps")
    for n in members:
        container.remove(n)
    block = work.make(
        "flowlogic", op.logic, annotation=op.annotation, inputs=[i.model_dump() for i in op.inputs]
    )
    if op.logic == "PARALLEL":
        for chain in chains:
            path = work.make("flowlogic", "PATH")
            path.children = chain
            block.children.append(path)
    else:
        block.children = members
    added = [block]
    if op.logic == "TRY":
        catch = work.make("flowlogic", "CATCH")
        catch.children = [work.build(s) for s in op.catch_steps]
        added.append(catch)
    insert_at(container, first, added)
    work.result_touched.update(n.uid for n in members)


def _replace_table(work: _Work, op: ReplaceTableOp) -> None:
    def swap(inputs: list[FlowInput]) -> list[FlowInput] | None:
        if not any(i.name in TABLE_INPUTS and i.value == op.old for i in inputs):
            return None
        return [
            FlowInput(name=i.name, value=op.new)
            if i.name in TABLE_INPUTS and i.value == op.old
            else i
            for i in inputs
        ]

    hits = 0
    trigger = work.flow.trigger
    if trigger is not None and (new_inputs := swap(trigger.inputs)) is not None:
        new_trigger = trigger.model_copy(update={"inputs": new_inputs})
        work.flow = work.flow.model_copy(update={"trigger": new_trigger})
        work.trigger_touched = True
        hits += 1
    for node, _ in walk(work.roots):
        if (new_inputs := swap(node.comp.inputs)) is not None:
            node.comp = node.comp.model_copy(update={"inputs": new_inputs})
            work.result_touched.add(node.uid)
            hits += 1
    if not hits:
        raise EditError(f"the flow does not use table '{op.old}'")
