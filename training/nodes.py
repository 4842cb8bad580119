"""The sampler's intermediate tree: nodes with phrase fragments, turned into a flow at the end.

Steps are built as a tree because that is how requirements nest ("for each …, if …, …"). A pill
to an earlier step cannot know that step's order while the tree is still growing, so it is
written as `{{step_@<uid>.<output>}}` and resolved when `number` assigns pre-order orders.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

_UIDS = itertools.count(1)
_UID_PILL = re.compile(r"\{\{step_@(\d+)\.")


@dataclass
class Node:
    """One future component: what it is, the phrase it implements, inputs and children."""

    category: str
    definition: str
    text: str
    inputs: list[tuple[str, str]] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    scope: str = "global"
    uid: int = field(default_factory=lambda: next(_UIDS))

    def pill(self, output: str, *walk: str) -> str:
        """Return a pill to this node's `output` (resolved to the real order by `number`)."""
        return "{{" + ".".join([f"step_@{self.uid}", output, *walk]) + "}}"

    def count(self) -> int:
        """Return the number of components in this subtree."""
        return 1 + sum(c.count() for c in self.children)

    def depth(self) -> int:
        """Return the nesting depth of this subtree (a leaf is 1)."""
        return 1 + max((c.depth() for c in self.children), default=0)


@dataclass(frozen=True)
class Focus:
    """A record the requirement can talk about: its pill, table and English noun."""

    pill: str
    table: str
    noun: str

    def walk(self, *fields: str) -> str:
        """Return a pill that dot-walks from this record through `fields`."""
        return self.pill[:-2] + "".join("." + f for f in fields) + "}}"


@dataclass
class Seg:
    """A run of sibling nodes and the requirement phrase that says them."""

    nodes: list[Node]
    text: str


def number(roots: list[Node]) -> list[tuple[Node, int, int | None]]:
    """Assign pre-order orders; return (node, order, block) triples in order."""
    out: list[tuple[Node, int, int | None]] = []

    def visit(node: Node, block: int | None) -> None:
        order = len(out) + 1
        out.append((node, order, block))
        for child in node.children:
            visit(child, order)

    for root in roots:
        visit(root, None)
    return out


def resolve_pills(value: str, orders: dict[int, int]) -> str:
    """Replace `{{step_@uid.` placeholders with `{{step_<order>.`."""
    return _UID_PILL.sub(lambda m: "{{step_" + str(orders[int(m.group(1))]) + ".", value)
