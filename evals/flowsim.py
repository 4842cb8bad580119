"""FlowSim: normalised tree edit distance between two flows (flow-format §6).

The tree, the costs and the node count reproduce the public reference (ServiceNow/StarFlow,
`starvlm/dataset/metric/flow_similarity.py`) on any JSON object, quirks included, because
published FlowSim numbers are only comparable when computed the same way; `docs/metrics.md`
lists every quirk and why it is kept. The distance itself comes from `evals.ted` (numba) instead
of `zss`; the parity tests prove the scores identical.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from evals.flow_tree import (
    FREE_LABELS,
    FlowTreeTooLarge,
    UnparseableFlow,
    UnscorableFlow,
    flow_tree,
)
from evals.ted import PostorderTree, Tree, encode, tree_edit_distance
from schemas.flow import TRIGGER_TYPES

__all__ = [
    "FlowTreeTooLarge",
    "UnparseableFlow",
    "UnscorableFlow",
    "edit_distance",
    "flow_tree",
    "flowsim",
    "load_flow",
    "macro_average",
    "reference_size",
    "tree_similarity",
]

MAX_DP_CELLS = 300_000_000
"""Most Zhang–Shasha cells computed for one pair (~2–6 s); 50-step flows need ~2·10⁷."""

_TRIGGER_TYPES = frozenset(TRIGGER_TYPES)
# Component labels are `category___DEFINITION___scope`; renaming one costs 2 (reference rule).
_HEAVY_PREFIXES = ("action", "flowlogic", "subflow")
# The reference counts nodes by printing the zss tree ("<n children>:<label>" per line) and
# keeping lines that start with digits and a colon, so labels with ':' or '\n' count oddly.
_NODE_LINE = re.compile(r"^\d+:")
_CODE_FENCE = "```json"


@dataclass(frozen=True)
class _Scored:
    """A flow tree ready for the distance: postorder encoding and reference node count."""

    encoded: PostorderTree
    labels: list[str]
    size: int


def load_flow(value: object) -> dict[str, object]:
    """Return the flow object in `value` (a dict, or JSON text, optionally in a ```json fence).

    Raises:
        UnparseableFlow: when the text is not JSON.
        UnscorableFlow: when the JSON is not an object.
    """
    if isinstance(value, (str, bytes, bytearray)):
        text = value.decode("utf-8", "replace") if not isinstance(value, str) else value
        if _CODE_FENCE in text:
            # Model answers often wrap the JSON in a fence; the reference unwraps it the same way.
            text = text[text.find(_CODE_FENCE) + len(_CODE_FENCE) : text.rfind("```")]
        text = text.strip().removeprefix(_CODE_FENCE).removesuffix("```").strip()
        try:
            value = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise UnparseableFlow(f"not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise UnscorableFlow(f"a flow is a JSON object, not {type(value).__name__}")
    return value


def reference_size(tree: Tree) -> int:
    """Count the nodes of `tree` the way the reference's `FlowTree.__len__` does."""
    count = 0
    for node in tree.iter_preorder():
        first, *rest = str(node.label).split("\n")
        if first.split(":")[0] not in FREE_LABELS:
            count += 1
        for line in rest:
            if _NODE_LINE.match(line) and line.split(":")[1] not in FREE_LABELS:
                count += 1
    return count


def _prepare(tree: Tree) -> _Scored:
    """Check and encode one flow tree."""
    encoded = encode(tree)
    labels = [label for label in encoded.labels if isinstance(label, str)]
    if len(labels) != len(encoded):
        # Only a non-string trigger type gets here; the reference's rename cost then calls
        # `.startswith` on it for the pair with the other root and fails, scoring the pair 0.
        raise UnscorableFlow("trigger type is not a string")
    return _Scored(encoded=encoded, labels=labels, size=reference_size(tree))


def _node_costs(labels: Sequence[object]) -> np.ndarray:
    """Return insert/delete costs: 0 for structural nodes and empty labels, else 1."""
    return np.fromiter(
        (0 if label in FREE_LABELS or label == "" else 1 for label in labels),
        dtype=np.int32,
        count=len(labels),
    )


def _rename_costs(a: Sequence[str], b: Sequence[str]) -> np.ndarray:
    """Return the rename matrix: 0 if equal, 2 if either is a trigger type or component, else 1."""
    ids: dict[str, int] = {}
    ids_a = np.fromiter((ids.setdefault(s, len(ids)) for s in a), dtype=np.int64, count=len(a))
    ids_b = np.fromiter((ids.setdefault(s, len(ids)) for s in b), dtype=np.int64, count=len(b))
    heavy = np.fromiter(
        (s in _TRIGGER_TYPES or s.startswith(_HEAVY_PREFIXES) for s in ids),
        dtype=np.bool_,
        count=len(ids),
    )
    either_heavy = heavy[ids_a][:, None] | heavy[ids_b][None, :]
    costs = np.where(either_heavy, np.int32(2), np.int32(1))
    costs[ids_a[:, None] == ids_b[None, :]] = 0
    return costs


def _distance(a: _Scored, b: _Scored) -> int:
    """Return the FlowSim-cost tree edit distance between two prepared trees.

    Raises:
        FlowTreeTooLarge: when the distance would take more than `MAX_DP_CELLS` steps.
    """
    if a.encoded.keyroot_work * b.encoded.keyroot_work > MAX_DP_CELLS:
        raise FlowTreeTooLarge("flows nest too deeply to compare in reasonable time")
    return tree_edit_distance(
        a.encoded,
        b.encoded,
        delete=_node_costs(a.labels),
        insert=_node_costs(b.labels),
        rename=_rename_costs(a.labels, b.labels),
    )


def _similarity(a: _Scored, b: _Scored) -> float:
    """Return 1 - TED / (|a| + |b|), or 1.0 when both trees count no nodes.

    Raises:
        FlowTreeTooLarge: see `_distance`.
    """
    if a.size == 0 and b.size == 0:
        return 1.0
    return 1.0 - float(_distance(a, b)) / (a.size + b.size)


def edit_distance(pred: object, gold: object, *, full: bool = False) -> int:
    """Return the tree edit distance FlowSim is built on, for error analysis and tests.

    Raises:
        UnscorableFlow: when either flow cannot be scored (see `flowsim`).
    """
    return _distance(_prepare_flow(pred, full), _prepare_flow(gold, full))


def _prepare_flow(value: object, full: bool) -> _Scored:
    """Load, build, check and encode one flow."""
    return _prepare(flow_tree(load_flow(value), full=full))


def tree_similarity(a: Tree, b: Tree) -> float:
    """Return FlowSim of two trees built by `flow_tree` (same variant on both sides).

    Raises:
        UnscorableFlow: when a tree holds a label the reference cannot compare.
    """
    return _similarity(_prepare(a), _prepare(b))


def flowsim(pred: object, gold: object, *, full: bool = False) -> float:
    """Return FlowSim(pred, gold); never raises.

    Args:
        pred: the predicted flow: a dict, or JSON text (a ```json fence is unwrapped).
        gold: the reference flow, same forms.
        full: True for FlowSim with inputs (queries decomposed), False for the outline variant.

    Returns:
        The similarity; 0.0 when either side does not parse, is not a JSON object, has a shape
        the reference cannot score, or exceeds the tree-size limit.
    """
    try:
        return _similarity(_prepare_flow(pred, full), _prepare_flow(gold, full))
    except UnscorableFlow:
        return 0.0


def macro_average(scores: Iterable[float]) -> float:
    """Return the unweighted mean of per-pair scores (0.0 for none), as the reference does."""
    values = list(scores)
    return sum(values) / len(values) if values else 0.0
