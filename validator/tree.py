"""Build the component tree from the flat `order`/`block` encoding (flow-format §1).

Orders must be exactly 1..n in list order, and a component's subtree is the contiguous run right
after it, so the tree is rebuilt with one stack walk: a component's `block` must name a component
on the current chain of open ancestors. Anything else is `bad_order` or `bad_block`, reported once
(every later check reads the tree, so a broken skeleton stops the tree checks).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from schemas.flow import Component
from schemas.issues import Issue
from validator.issues import issue, pointer


@dataclass(eq=False)
class Node:
    """One component in the tree, with links to its parent and children."""

    index: int
    component: Component
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    lineage: frozenset[int] = frozenset()
    """Indexes of this node and all its ancestors (makes `encloses` one set lookup)."""
    position: int = 0
    """Index of this node among its siblings."""

    @property
    def order(self) -> int:
        """Return the component's order (index + 1 in a well-formed flow)."""
        return self.component.order

    @property
    def token(self) -> str | None:
        """Return the flow-logic token, or None for actions, subflows and placeholders."""
        comp = self.component
        return comp.definition if comp.category == "flowlogic" else None

    def ancestors(self) -> Iterator[Node]:
        """Yield the enclosing components, innermost first."""
        current = self.parent
        while current is not None:
            yield current
            current = current.parent

    def encloses(self, other: Node) -> bool:
        """Tell whether `other` is this node or inside its subtree."""
        return self.index in other.lineage


@dataclass
class Tree:
    """The components as a tree; `nodes[i]` is the component of order i + 1."""

    nodes: list[Node]
    roots: list[Node]

    def node(self, order: int) -> Node | None:
        """Return the node of `order`, or None when no component has it."""
        return self.nodes[order - 1] if 1 <= order <= len(self.nodes) else None

    def siblings(self, node: Node) -> list[Node]:
        """Return the list of children that `node` belongs to."""
        return node.parent.children if node.parent is not None else self.roots


def build_tree(components: Sequence[Component]) -> tuple[Tree | None, Issue | None]:
    """Return the tree of `components`, or None and the bad_order/bad_block issue."""
    bad = _check_orders(components)
    if bad is not None:
        return None, bad
    nodes = [Node(i, c) for i, c in enumerate(components)]
    roots: list[Node] = []
    chain: list[Node] = []
    for node in nodes:
        block = node.component.block
        if block is None:
            chain = [node]
            node.position = len(roots)
            roots.append(node)
            node.lineage = frozenset((node.index,))
            continue
        while chain and chain[-1].order != block:
            chain.pop()
        if not chain:
            return None, _bad_block(node)
        node.parent = chain[-1]
        node.lineage = chain[-1].lineage | {node.index}
        node.position = len(chain[-1].children)
        chain[-1].children.append(node)
        chain.append(node)
    return Tree(nodes, roots), None


def _check_orders(components: Sequence[Component]) -> Issue | None:
    """Report the first component whose order is not its 1-based list position."""
    for index, comp in enumerate(components):
        if comp.order != index + 1:
            return issue(
                "bad_order",
                pointer("components", index, "order"),
                f"component at position {index + 1} has order {comp.order}, expected {index + 1}",
                "Number the components 1..n in list (pre-order) order, with no gaps or repeats.",
                comp.order,
            )
    return None


def _bad_block(node: Node) -> Issue:
    """Explain why `node`'s block does not name one of its open ancestors."""
    block = node.component.block
    if block is None or not 1 <= block < node.order:
        why = (
            f"block {block} is not an earlier component (blocks name the order of an "
            f"enclosing flow-logic step, 1..{node.order - 1})"
        )
    else:
        why = (
            f"block {block} does not enclose step {node.order}: a block's children must follow "
            f"it contiguously, and step {block}'s subtree ended before step {node.order}"
        )
    hint = "Set block to the order of the enclosing flow-logic step, or omit it at top level."
    return issue("bad_block", pointer("components", node.index, "block"), why, hint, node.order)
