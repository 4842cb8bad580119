"""Find steps and insertion points in a step tree (helpers of `agent.chat.apply`).

A step is addressed by its order in the flow the model was shown; `Locator` keeps that address
valid while earlier operations of the same plan move and remove nodes.
"""

from __future__ import annotations

from agent.chat.ops import Placement
from agent.chat.tree import Node, walk

# Siblings that belong to the step before them: an IF's ELSEIF/ELSE, a TRY's CATCH. They move,
# get removed and are skipped over together with their head.
_CONTINUATIONS: dict[str, frozenset[str]] = {
    "IF": frozenset({"ELSEIF", "ELSE"}),
    "ELSEIF": frozenset({"ELSEIF", "ELSE"}),
    "TRY": frozenset({"CATCH"}),
}
_HAS_HEAD = frozenset({"ELSEIF", "ELSE", "CATCH"})


class EditError(ValueError):
    """An edit operation that cannot be applied to the current flow."""


class Locator:
    """Map the orders of the flow before the edit to the nodes of the working tree."""

    def __init__(self, roots: list[Node], ids: list[str]) -> None:
        """Index the tree's nodes by their original order (ids are parallel to orders)."""
        by_uid = {n.uid: n for n, _ in walk(roots)}
        self._by_order = {i + 1: by_uid[uid] for i, uid in enumerate(ids)}
        self._ids = set(ids)
        self._gone: set[str] = set()

    def node(self, order: int) -> Node:
        """Return the node that had `order`; raise `EditError` if unknown or removed."""
        node = self._by_order.get(order)
        if node is None:
            raise EditError(f"there is no step {order}")
        if node.uid in self._gone:
            raise EditError(f"step {order} was removed by an earlier operation")
        return node

    def forget(self, nodes: list[Node]) -> None:
        """Mark nodes (and their bodies) as removed."""
        self._gone.update(n.uid for n, _ in walk(nodes))

    def uids(self) -> set[str]:
        """Return every id the flow had before the edit (removed ones included)."""
        return set(self._ids)


def container_of(roots: list[Node], node: Node) -> tuple[list[Node], int]:
    """Return the list holding `node` and its index there."""
    for candidate, parent in walk(roots):
        if candidate is node:
            siblings = parent.children if parent is not None else roots
            return siblings, next(i for i, s in enumerate(siblings) if s is node)
    raise EditError("step is no longer in the flow")


def chain_of(roots: list[Node], node: Node) -> tuple[list[Node], int, list[Node]]:
    """Return the container, index and chain (the node plus its ELSEIF/ELSE or CATCH)."""
    siblings, index = container_of(roots, node)
    chain = [node]
    while index + len(chain) < len(siblings):
        follower = siblings[index + len(chain)]
        allowed = _CONTINUATIONS.get(chain[-1].comp.definition, frozenset())
        if follower.comp.category != "flowlogic" or follower.comp.definition not in allowed:
            break
        chain.append(follower)
    return siblings, index, chain


def unit_of(roots: list[Node], node: Node) -> tuple[list[Node], int, list[Node]]:
    """Return what moves or is removed with `node`: an IF/TRY with its chain, else the node.

    An ELSEIF removed on its own leaves the rest of its IF chain in place.
    """
    if node.comp.definition in ("IF", "TRY"):
        return chain_of(roots, node)
    siblings, index = container_of(roots, node)
    return siblings, index, [node]


def _head_index(siblings: list[Node], index: int) -> int:
    """Walk back from an ELSEIF/ELSE/CATCH to the IF/TRY it continues."""
    while index > 0 and siblings[index].comp.definition in _HAS_HEAD:
        index -= 1
    return index


def resolve(roots: list[Node], locator: Locator, where: Placement) -> tuple[list[Node], int]:
    """Return the list and index where a step placed at `where` goes."""
    if where.position in ("end", "start"):
        return roots, (len(roots) if where.position == "end" else 0)
    if where.ref is None:
        raise EditError(f"position '{where.position}' needs a step number")
    anchor = locator.node(where.ref)
    if where.position in ("first_in", "last_in"):
        if anchor.comp.category != "flowlogic":
            raise EditError(f"step {where.ref} is not a flow-logic block and has no body")
        return anchor.children, (0 if where.position == "first_in" else len(anchor.children))
    if where.position == "before":
        siblings, index = container_of(roots, anchor)
        # Nothing may stand between an IF and its ELSE: "before the ELSE" means before the IF.
        return siblings, _head_index(siblings, index)
    siblings, index, chain = chain_of(roots, anchor)
    return siblings, index + len(chain)


def insert_at(container: list[Node], index: int, nodes: list[Node]) -> None:
    """Insert `nodes` into `container` at `index`, keeping their order."""
    container[index:index] = nodes
