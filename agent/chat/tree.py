"""The flat `order`/`block` component list as a tree of steps with stable ids, and back.

Edits are easier on a tree (move a subtree, wrap siblings) and renumbering is easier on the way
back to the flat list. Each step carries a stable id across versions (`s1`, `s2`, …) so that
diffs and pill rewriting can follow a step whose order changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from schemas.flow import Component, Flow, FlowInput

# Only step pills carry orders; trigger/flow/subflow pills never need rewriting. The pill
# grammar itself is validator/pills.py's business: this matches just the step number prefix.
STEP_PILL = re.compile(r"\{\{\s*step_(\d+)(?=[.\s}])")


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


def rewrite_step_pills(text: str, mapping: dict[int, int]) -> tuple[str, list[int]]:
    """Renumber `{{step_N…}}` pills by `mapping`; return the text and the unmapped orders."""
    missing: list[int] = []

    def swap(match: re.Match[str]) -> str:
        old = int(match.group(1))
        if old not in mapping:
            missing.append(old)
            return match.group(0)
        return match.group(0).replace(f"step_{old}", f"step_{mapping[old]}", 1)

    return STEP_PILL.sub(swap, text), missing


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
