"""The flat `order`/`block` component list as a tree of steps with stable ids, and back.

Edits are easier on a tree (move a subtree, wrap siblings) and renumbering is easier on the way
back to the flat list. Each step carries a stable id across versions (`s1`, `s2`, …) so that
diffs and pill rewriting can follow a step whose order changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from schemas.flow import Component, Flow, FlowInput
from validator.pills import scan_pills


@dataclass
class Node:
    """One step in the tree: the component (order/block ignored) and its body."""

    uid: str
    comp: Component
    children: list[Node] = field(default_factory=list)


def default_ids(flow: Flow) -> list[str]:
    """Return ids `s<order>` for a flow that has none yet (its first version)."""
    return [f"s{c.order}" for c in sorted(flow.components, key=lambda c: c.order)]


def build_tree(flow: Flow, ids: list[str]) -> list[Node]:
    """Turn the flat component list into top-level nodes.

    A component whose `block` is not an enclosing earlier step is kept at top level rather than
    dropped: the validator reports it, and the edit must not lose user content.
    """
    comps = sorted(flow.components, key=lambda c: c.order)
    by_order: dict[int, Node] = {}
    roots: list[Node] = []
    for comp, uid in zip(comps, ids, strict=True):
        node = Node(uid=uid, comp=comp)
        parent = by_order.get(comp.block) if comp.block is not None else None
        (parent.children if parent is not None else roots).append(node)
        by_order[comp.order] = node
    return roots


def walk(nodes: list[Node]) -> Iterator[tuple[Node, Node | None]]:
    """Yield every node with its parent, in pre-order."""
    stack: list[tuple[Node, Node | None]] = [(n, None) for n in reversed(nodes)]
    while stack:
        node, parent = stack.pop()
        yield node, parent
        stack.extend((c, node) for c in reversed(node.children))


def flatten(nodes: list[Node]) -> tuple[list[Component], list[str]]:
    """Return components numbered 1..n in pre-order with blocks set, and their ids."""
    comps: list[Component] = []
    ids: list[str] = []
    order_of: dict[str, int] = {}
    for node, parent in walk(nodes):
        order = len(comps) + 1
        order_of[node.uid] = order
        block = order_of[parent.uid] if parent is not None else None
        comps.append(node.comp.model_copy(update={"order": order, "block": block}))
        ids.append(node.uid)
    return comps, ids


def map_step_pills(text: str, rename: Callable[[int], str | None]) -> tuple[str, list[int]]:
    """Replace the order of every well-formed `{{step_N…}}` pill by `rename(N)`.

    Returns the new text and the orders for which `rename` gave None (those pills are left as
    written). Malformed pills are left alone too: the validator reports them.
    """
    missing: list[int] = []
    out = text
    # Right to left, so the offsets of the pills still to replace stay valid.
    for pill in sorted(scan_pills(text).pills, key=lambda p: p.start, reverse=True):
        if pill.step is None:
            continue
        new = rename(pill.step)
        if new is None:
            missing.append(pill.step)
            continue
        replaced = pill.text.replace(f"step_{pill.step}", f"step_{new}", 1)
        out = out[: pill.start] + replaced + out[pill.start + len(pill.text) :]
    return out, missing[::-1]


def rewrite_step_pills(text: str, mapping: dict[int, int]) -> tuple[str, list[int]]:
    """Renumber `{{step_N…}}` pills by `mapping`; return the text and the unmapped orders."""
    return map_step_pills(text, lambda n: str(mapping[n]) if n in mapping else None)


def rewrite_inputs(
    inputs: list[FlowInput], mapping: dict[int, int]
) -> tuple[list[FlowInput], list[tuple[str, list[int]]]]:
    """Renumber pills in inputs; drop inputs naming a step not in `mapping`.

    Returns the kept inputs and, per dropped input, its name and the orders it referred to. A
    dropped input is refilled by the fill node (or reported as missing); keeping a pill whose
    number now names a different step would silently change what the flow does.
    """
    kept: list[FlowInput] = []
    dropped: list[tuple[str, list[int]]] = []
    for inp in inputs:
        value, missing = rewrite_step_pills(inp.value, mapping)
        if missing:
            dropped.append((inp.name, missing))
        else:
            kept.append(FlowInput(name=inp.name, value=value))
    return kept, dropped


def new_uid(prefix: str, taken: set[str]) -> str:
    """Return `<prefix>n<k>` for the smallest k not in `taken`.

    The prefix names the version being made, so an id freed by a removal is never reused for a
    different step in a later version (diffs across versions would confuse the two).
    """
    k = 1
    while f"{prefix}n{k}" in taken:
        k += 1
    return f"{prefix}n{k}"
