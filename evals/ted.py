"""Ordered labelled trees and a fast Zhang–Shasha tree edit distance.

FlowSim is defined on the Zhang–Shasha distance as the `zss` package computes it. `zss` is pure
Python with per-node callbacks (~0.3 s for a realistic pair), so the distance here runs the same
dynamic programme over arrays instead: trees are encoded once in postorder (label ids, leftmost
leaf descendants, keyroots), the caller precomputes the delete/insert/rename costs into numpy
arrays, and the DP core is compiled with numba. The recurrences, the keyroot order and the
integer costs are exactly those of `zss.distance`, so the results are identical.

numba compiles `_zhang_shasha` on the first call of a process (a second or two); `cache=True`
writes the machine code next to this module (`__pycache__/`), so later processes load it in
milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numba import njit

IntArray = np.ndarray
"""A one- or two-dimensional numpy integer array (numpy's own generics are too loose here)."""


@dataclass
class Tree:
    """A node of an ordered labelled tree: a label and its children, left to right.

    Labels are usually strings; any object is kept as given so that callers can compare
    labels with the same equality the reference uses.
    """

    label: object
    children: list[Tree] = field(default_factory=list)

    def add(self, child: Tree) -> Tree:
        """Append `child` and return self, so trees can be written as chained calls."""
        self.children.append(child)
        return self

    def iter_preorder(self) -> list[Tree]:
        """Return all nodes in pre-order without recursion (flows can nest deeply)."""
        out: list[Tree] = []
        stack = [self]
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(reversed(node.children))
        return out


@dataclass(frozen=True)
class PostorderTree:
    """A tree encoded for Zhang–Shasha: nodes in left-to-right postorder.

    Attributes:
        labels: the node labels, index = postorder position.
        lld: leftmost leaf descendant (postorder index) of each node.
        keyroots: ascending postorder indices of the keyroots (the highest node of each
            distinct leftmost leaf), the order `zss` visits them in.
    """

    labels: list[object]
    lld: IntArray
    keyroots: IntArray

    def __len__(self) -> int:
        """Return the number of nodes."""
        return len(self.labels)

    @property
    def keyroot_work(self) -> int:
        """Return the summed size of the keyroot subtrees.

        The DP fills `a.keyroot_work * b.keyroot_work` cells, so this bounds the running time
        before it is spent (deep, narrow trees make it grow towards n² per side).
        """
        return int((self.keyroots - self.lld[self.keyroots] + 1).sum())


def encode(root: Tree) -> PostorderTree:
    """Encode a tree in postorder with leftmost-leaf and keyroot arrays (iteratively)."""
    labels: list[object] = []
    lld: list[int] = []
    # (node, index of its leftmost leaf once known); children are expanded on first visit.
    stack: list[tuple[Tree, bool]] = [(root, False)]
    first_leaf: list[int] = []
    while stack:
        node, expanded = stack.pop()
        if not expanded:
            stack.append((node, True))
            first_leaf.append(len(labels))
            stack.extend((child, False) for child in reversed(node.children))
            continue
        # Postorder emission: the leftmost leaf of a node is the first node emitted in its
        # subtree, which is the emission count recorded when the node was first visited.
        lld.append(first_leaf.pop())
        labels.append(node.label)
    keyroot_of: dict[int, int] = {}
    for index, leaf in enumerate(lld):
        keyroot_of[leaf] = index
    return PostorderTree(
        labels=labels,
        lld=np.asarray(lld, dtype=np.int64),
        keyroots=np.asarray(sorted(keyroot_of.values()), dtype=np.int64),
    )


@njit(cache=True)
def _zhang_shasha(
    lld_a: IntArray,
    keyroots_a: IntArray,
    lld_b: IntArray,
    keyroots_b: IntArray,
    delete: IntArray,
    insert: IntArray,
    rename: IntArray,
) -> int:  # pragma: no cover - compiled; covered through tree_edit_distance
    """Run the Zhang–Shasha DP exactly as `zss.distance` does and return the root distance."""
    size_a = lld_a.shape[0]
    size_b = lld_b.shape[0]
    # int32 halves memory on large trees; distances are sums of small costs and cannot overflow.
    treedist = np.zeros((size_a, size_b), dtype=np.int32)
    forest = np.zeros((size_a + 1, size_b + 1), dtype=np.int32)
    for i in keyroots_a:
        left_i = lld_a[i]
        rows = i - left_i + 2
        for j in keyroots_b:
            left_j = lld_b[j]
            cols = j - left_j + 2
            forest[0, 0] = 0
            for x in range(1, rows):
                forest[x, 0] = forest[x - 1, 0] + delete[x + left_i - 1]
            for y in range(1, cols):
                forest[0, y] = forest[0, y - 1] + insert[y + left_j - 1]
            for x in range(1, rows):
                node_a = x + left_i - 1
                for y in range(1, cols):
                    node_b = y + left_j - 1
                    best = min(forest[x - 1, y] + delete[node_a], forest[x, y - 1] + insert[node_b])
                    if lld_a[node_a] == left_i and lld_b[node_b] == left_j:
                        best = min(best, forest[x - 1, y - 1] + rename[node_a, node_b])
                        treedist[node_a, node_b] = best
                    else:
                        p = lld_a[node_a] - left_i
                        q = lld_b[node_b] - left_j
                        best = min(best, forest[p, q] + treedist[node_a, node_b])
                    forest[x, y] = best
    return int(treedist[size_a - 1, size_b - 1])


def tree_edit_distance(
    a: PostorderTree,
    b: PostorderTree,
    delete: IntArray,
    insert: IntArray,
    rename: IntArray,
) -> int:
    """Return the Zhang–Shasha edit distance from `a` to `b` under the given costs.

    Args:
        a: the source tree.
        b: the target tree.
        delete: cost of deleting each node of `a` (postorder, shape `(len(a),)`).
        insert: cost of inserting each node of `b` (shape `(len(b),)`).
        rename: cost of relabelling node `i` of `a` into node `j` of `b` (shape
            `(len(a), len(b))`); 0 where the labels are equal.

    Raises:
        ValueError: when an array's shape does not match the trees.
    """
    if delete.shape != (len(a),) or insert.shape != (len(b),):
        raise ValueError("delete/insert cost arrays must have one entry per node")
    if rename.shape != (len(a), len(b)):
        raise ValueError("rename cost matrix must be len(a) x len(b)")
    return int(
        _zhang_shasha(
            a.lld,
            a.keyroots,
            b.lld,
            b.keyroots,
            np.ascontiguousarray(delete, dtype=np.int32),
            np.ascontiguousarray(insert, dtype=np.int32),
            np.ascontiguousarray(rename, dtype=np.int32),
        )
    )
