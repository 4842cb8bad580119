"""The scope resolver: which pills a step may use and what data each pill holds (flow-format §3).

A pill used by step *u* may name the trigger, a flow variable set before *u*, a subflow input
(in a subflow), or a step *n < u* that is visible from *u*: not inside a PATH, TRY or CATCH
that does not also contain *u*. A FOREACH's `item` exists only inside that FOREACH. Resolution
is memoised per (pill, user), so the input checks and the condition checks share the work.
"""

from __future__ import annotations

from dataclasses import dataclass

import validator.pill_errors as errors
from schemas.catalog import Catalog
from schemas.flow import Flow
from validator.context import FlowContext, build_context, param_table, whole_pill_text
from validator.datatypes import (
    FREE_VALUE,
    LIST_KINDS,
    UNKNOWN,
    DataType,
    WalkError,
    from_param,
    walk,
)
from validator.index import index_for
from validator.pill_errors import PillError
from validator.pills import Pill, parse_pill
from validator.tree import Node, build_tree

ISOLATING_TOKENS = frozenset({"PATH", "TRY", "CATCH"})
"""Blocks whose steps' outputs are not visible outside them."""


@dataclass(frozen=True, slots=True)
class VisiblePill:
    """A pill a step may use, as the generator's fill node shows it to the model."""

    pill: str
    type: str
    table: str | None
    label: str


class Scope:
    """Resolve pills of one flow; `user` is the node using the pill, None for trigger inputs.

    Resolution is two steps: a scope check that depends on the user (cheap comparisons), then
    the pill's type, which does not, so it is computed once per pill text.
    """

    def __init__(self, ctx: FlowContext) -> None:
        """Prepare to resolve pills of the flow in `ctx`."""
        self.ctx = ctx
        self._types: dict[str, DataType | PillError] = {}
        self._items: dict[int, DataType] = {}
        self._isolating = _isolating_blocks(ctx.tree.nodes)

    def resolve(self, pill: Pill, user: Node | None) -> DataType | PillError:
        """Return what `pill` holds when used by `user`, or why it cannot be used there."""
        if pill.root == "step":
            problem = self._step_scope(pill, user)
        elif pill.root == "flow":
            problem = self._variable_scope(pill, user)
        elif pill.root == "trigger":
            problem = self._trigger_scope(pill, user)
        else:
            problem = None if self.ctx.is_subflow else errors.subflow_input_in_flow(pill)
        if problem is not None:
            return problem
        found = self._types.get(pill.text)
        if found is None:
            found = self._type_of(pill)
            self._types[pill.text] = found
        return found

    def _type_of(self, pill: Pill) -> DataType | PillError:
        """Return the type of an in-scope pill: its head's type, then the dot-walk."""
        if pill.root == "step":
            head = self._step_output(pill, self.ctx.tree.nodes[(pill.step or 0) - 1])
        elif pill.root == "trigger":
            head = self._trigger_output(pill)
        elif pill.root == "flow":
            first = self.ctx.tree.nodes[self.ctx.setters[pill.name][0]]
            head = self.variable_type(pill.name, first)
        else:
            head = self._subflow_input(pill)
        if isinstance(head, PillError) or not pill.fields:
            return head
        walked = walk(head, pill.fields, self.ctx.index)
        if isinstance(walked, WalkError):
            return errors.bad_walk(pill, walked.message, walked.hint)
        return walked

    def _step_scope(self, pill: Pill, user: Node | None) -> PillError | None:
        """Check that a `step_N` pill names a step that exists, ran earlier and is visible."""
        step = pill.step or 0
        target = self.ctx.tree.node(step)
        if target is None:
            return errors.unknown_step(pill, len(self.ctx.tree.nodes))
        used_at = user.order if user is not None else 0
        # A DOUNTIL's condition is evaluated after its body ran, so it may read body steps.
        if step >= used_at and not (
            user is not None and user.token == "DOUNTIL" and user.encloses(target)
        ):
            return errors.forward_step(pill, used_at)
        hidden = self.hiding_block(target, user)
        if hidden is not None:
            return errors.hidden_step(pill, hidden.token or "", hidden.order, used_at)
        in_loop = user is not None and target.encloses(user)
        if pill.name == "item" and target.token == "FOREACH" and not in_loop:
            return errors.item_outside_loop(pill, target.order)
        return None

    def _step_output(self, pill: Pill, target: Node) -> DataType | PillError:
        """Return the type of the output a step provides (a FOREACH's item: its element)."""
        if target.token == "FOREACH" and pill.name == "item":
            return self.foreach_item(target)
        sig = self.ctx.sigs[target.index]
        if sig is None:  # placeholder or unknown definition: its outputs cannot be known
            return UNKNOWN
        out = sig.outputs.get(pill.name)
        if out is None:
            if sig.dynamic_outputs:  # one output per name in the user's data, e.g. a variable
                return FREE_VALUE
            return errors.unknown_output(pill, f"step {target.order} ({sig.name})", sig.outputs)
        table = param_table(out, self.ctx.values[target.index], self.ctx.index)
        return from_param(out, table)

    def foreach_item(self, loop: Node) -> DataType:
        """Return the type of one element of the list a FOREACH iterates over."""
        found = self._items.get(loop.index)
        if found is None:
            found = self._element_type(loop)
            self._items[loop.index] = found
        return found

    def _element_type(self, loop: Node) -> DataType:
        """Derive the item type from the pill the FOREACH iterates over."""
        text = whole_pill_text(self.ctx.values[loop.index].get("items"))
        if text is None:
            return UNKNOWN
        parsed = parse_pill(text)
        items = self.resolve(parsed, loop) if isinstance(parsed, Pill) else UNKNOWN
        if isinstance(items, DataType) and items.kind in LIST_KINDS and items.table:
            return DataType("reference", items.table)
        return UNKNOWN

    def hiding_block(self, target: Node, user: Node | None) -> Node | None:
        """Return the PATH/TRY/CATCH around `target` that does not contain `user`."""
        for block in self._isolating[target.index]:
            if user is None or block.index not in user.lineage:
                return block
        return None

    def _trigger_scope(self, pill: Pill, user: Node | None) -> PillError | None:
        """Check that a trigger pill is used in a flow, by a step."""
        if self.ctx.is_subflow:
            return errors.trigger_in_subflow(pill)
        return errors.pill_in_trigger(pill) if user is None else None

    def _trigger_output(self, pill: Pill) -> DataType | PillError:
        """Return the type of a trigger output."""
        ctx = self.ctx
        sig = ctx.trigger_sig
        if sig is None:
            return UNKNOWN
        out = sig.outputs.get(pill.name)
        if out is None:
            return errors.unknown_output(pill, f"the {sig.name} trigger", sig.outputs)
        return from_param(out, param_table(out, ctx.trigger_values, ctx.index))

    def _variable_scope(self, pill: Pill, user: Node | None) -> PillError | None:
        """Check that a flow variable is set by a step before its user."""
        if user is None:
            return errors.pill_in_trigger(pill)
        setters = self.ctx.setters.get(pill.name)
        if not setters:
            return errors.unset_variable(pill, sorted(self.ctx.setters))
        first = self.ctx.tree.nodes[setters[0]]
        if first.order >= user.order:
            return errors.forward_variable(pill, user.order, first.order)
        return None

    def variable_type(self, name: str, setter: Node) -> DataType:
        """Return the type a flow variable takes from the pill its first setter assigns."""
        if setter.token == "APPENDTOFLOWVARIABLES":
            return DataType("array")
        text = whole_pill_text(self.ctx.values[setter.index].get(name))
        parsed = parse_pill(text) if text is not None else None
        if not isinstance(parsed, Pill):
            return DataType("string")
        found = self.resolve(parsed, setter)
        return found if isinstance(found, DataType) else UNKNOWN

    def _subflow_input(self, pill: Pill) -> DataType | PillError:
        """Resolve a `subflow.<input>` pill against the declared inputs."""
        flow = self.ctx.flow
        declared = {v.name: v for v in flow.inputs.items} if flow.inputs else {}
        var = declared.get(pill.name)
        if var is None:
            return errors.undeclared_input(pill, list(declared))
        return DataType(var.type, var.reference)


def _isolating_blocks(nodes: list[Node]) -> list[tuple[Node, ...]]:
    """Return, per node, its enclosing PATH/TRY/CATCH blocks (pre-order: parents come first)."""
    found: list[tuple[Node, ...]] = []
    for node in nodes:
        parent = node.parent
        if parent is None:
            found.append(())
        elif parent.token in ISOLATING_TOKENS:
            found.append((*found[parent.index], parent))
        else:
            found.append(found[parent.index])
    return found


def visible_pills(flow: Flow, order: int, catalog: Catalog) -> list[VisiblePill]:
    """Return the pills that step `order` may use, for the generator's fill node.

    Trigger outputs (table from the trigger's `table` input), subflow inputs, outputs of
    earlier visible steps, the `item` of every enclosing FOREACH, and flow variables set by
    earlier steps. A step with dynamic outputs (get_catalog_variables) shows the pattern
    `{{step_N.<name>}}`, not a pill to copy. Order 0 (the trigger) sees none; a broken
    order/block skeleton gives [].
    """
    return visible_pills_by_order(flow, catalog, [order]).get(order, [])


def visible_pills_by_order(
    flow: Flow, catalog: Catalog, orders: list[int] | None = None
) -> dict[int, list[VisiblePill]]:
    """Return `visible_pills` of several steps (default: all), resolving the flow once."""
    tree, _ = build_tree(flow.components)
    if tree is None:
        return {}
    scope = Scope(build_context(flow, tree, index_for(catalog)))
    wanted = orders if orders is not None else [n.order for n in tree.nodes]
    out: dict[int, list[VisiblePill]] = {}
    # A step's pills look the same to every later step, except a FOREACH's item (in scope
    # only inside its loop): remembered across users, which makes all steps' lists O(n).
    known: dict[int, list[VisiblePill]] = {}
    for order in wanted:
        user = tree.node(order)
        if user is not None:
            out[order] = _visible(scope, tree.nodes, user, known)
    return out


def _visible(
    scope: Scope, nodes: list[Node], user: Node, known: dict[int, list[VisiblePill]]
) -> list[VisiblePill]:
    order = user.order
    found = _trigger_and_inputs(scope.ctx)
    # A DOUNTIL's condition runs after its body, so it also sees the body's steps.
    readable = [
        n
        for n in nodes
        if n.order < order or (user.token == "DOUNTIL" and n is not user and user.encloses(n))
    ]
    for node in readable:
        if scope.hiding_block(node, user) is not None:
            continue
        if node.token == "FOREACH":
            found += _step_pills(scope, node, user)
        else:
            if node.index not in known:
                known[node.index] = _step_pills(scope, node, user)
            found += known[node.index]
    for name, setters in sorted(scope.ctx.setters.items()):
        if nodes[setters[0]].order < order:
            kind = scope.variable_type(name, nodes[setters[0]])
            found.append(
                VisiblePill(f"{{{{flow.{name}}}}}", kind.kind, kind.table, f"flow variable {name}")
            )
    return found


def _trigger_and_inputs(ctx: FlowContext) -> list[VisiblePill]:
    """Return the trigger's output pills, or a subflow's input pills."""
    if ctx.flow.trigger is None:
        items = ctx.flow.inputs.items if ctx.flow.inputs else []
        return [
            VisiblePill(f"{{{{subflow.{v.name}}}}}", v.type, v.reference, f"subflow input {v.name}")
            for v in items
        ]
    sig = ctx.trigger_sig
    if sig is None:
        return []
    return [
        VisiblePill(
            f"{{{{trigger.{p.name}}}}}",
            p.type,
            param_table(p, ctx.trigger_values, ctx.index),
            f"trigger {sig.name}: {p.label or p.name}",
        )
        for p in sig.outputs.values()
    ]


def _step_pills(scope: Scope, node: Node, user: Node) -> list[VisiblePill]:
    """Return the output pills of one earlier, visible step."""
    sig = scope.ctx.sigs[node.index]
    if sig is None:
        return []
    found: list[VisiblePill] = []
    for param in sig.outputs.values():
        if node.token == "FOREACH" and param.name == "item":
            if not node.encloses(user):
                continue
            kind = scope.foreach_item(node)
        else:
            kind = from_param(
                param, param_table(param, scope.ctx.values[node.index], scope.ctx.index)
            )
        label = f"step {node.order} {sig.name}: {param.label or param.name}"
        found.append(
            VisiblePill(f"{{{{step_{node.order}.{param.name}}}}}", kind.kind, kind.table, label)
        )
    if sig.dynamic_outputs:  # output names are the user's data (catalog variables): a pattern
        label = f"step {node.order} {sig.name}: one text output per catalog variable (any name)"
        found.append(VisiblePill(f"{{{{step_{node.order}.<name>}}}}", FREE_VALUE.kind, None, label))
    return found


def resolve_pill_table(flow: Flow, order: int, pill: str, catalog: Catalog) -> str | None:
    """Return the table of the record(s) `pill` holds when step `order` uses it, if knowable.

    E.g. '{{step_2.item}}' inside a FOREACH over incident records → 'incident';
    '{{trigger.current.caller_id}}' → 'sys_user'. None when the pill is malformed, out of
    scope, not record-valued, or its table cannot be known.
    """
    tree, _ = build_tree(flow.components)
    user = tree.node(order) if tree is not None else None
    parsed = parse_pill(pill)
    if tree is None or user is None or not isinstance(parsed, Pill):
        return None
    found = Scope(build_context(flow, tree, index_for(catalog))).resolve(parsed, user)
    return found.table if isinstance(found, DataType) else None
