"""Per-pair flow metrics and their dataset means: FlowSim, TreeBLEU, trigger match, Jaccard.

All follow the public reference (ServiceNow/StarFlow `flow_similarity.py`, `flow_bleu.py`,
`flow_match.py`) so that numbers are comparable with published ones; see `docs/metrics.md`.
`score_pair` never raises: a flow that cannot be scored gets the score the reference gives it
and the reason in `PairScores.problem`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass

from evals.flow_tree import UnparseableFlow, UnscorableFlow, flow_tree
from evals.flowsim import load_flow, tree_similarity
from evals.ted import Tree

METRICS: tuple[str, ...] = (
    "flowsim_outline",
    "flowsim_full",
    "tree_bleu",
    "tree_bleu_outline",
    "trigger_match",
    "component_jaccard",
)
"""Metric names, in report order; the keys of `aggregate`'s result."""

# TreeBLEU ignores these two edges: every flow tree has them.
_FREE_EDGES = frozenset({("flow", "trigger"), ("flow", "components")})
# The reference reads text that is not JSON as this empty flow.
_EMPTY_FLOW: dict[str, object] = {"trigger": None, "components": []}


@dataclass(frozen=True)
class PairScores:
    """The scores of one predicted flow against its reference.

    `trigger_match` is None when neither flow has a trigger (two subflows) and
    `component_jaccard` None when neither has components; `aggregate` skips Nones, as the
    reference does. `problem` says why a side could not be scored (None when both could).
    """

    flowsim_outline: float
    flowsim_full: float
    tree_bleu: float
    tree_bleu_outline: float
    trigger_match: float | None
    component_jaccard: float | None
    problem: str | None = None

    def as_dict(self) -> dict[str, float | str | None]:
        """Return the scores as a JSON-ready dict."""
        return asdict(self)


def _edges(tree: Tree) -> set[tuple[object, object]]:
    """Return the (parent label, child label) pairs of a tree, minus the two free edges."""
    edges = {(node.label, child.label) for node in tree.iter_preorder() for child in node.children}
    return edges - _FREE_EDGES


def tree_bleu(pred: Tree, gold: Tree) -> float:
    """Return TreeBLEU: the share of the gold tree's parent→child edges found in the pred.

    Raises:
        UnscorableFlow: when a label cannot be hashed (the reference fails and scores 0).
    """
    try:
        produced, wanted = _edges(pred), _edges(gold)
    except TypeError as exc:
        raise UnscorableFlow("a tree label is not hashable") from exc
    return len(produced & wanted) / len(wanted) if wanted else 0.0


def _trigger_key(trigger: object) -> str:
    """Return the reference's comparison string of a trigger: type + inputs sorted by name."""
    if trigger is None:
        return "{}"
    if not isinstance(trigger, dict):
        raise UnscorableFlow("trigger is not an object")
    inputs = trigger.get("inputs", [])
    if inputs:
        if not isinstance(inputs, (list, dict, str)):
            raise UnscorableFlow("trigger inputs are not a list")
        if not all(isinstance(item, dict) for item in inputs):
            raise UnscorableFlow("a trigger input is not an object")
        try:
            inputs = sorted(inputs, key=lambda item: item.get("name", ""))
        except TypeError as exc:
            raise UnscorableFlow("trigger input names cannot be ordered") from exc
    try:
        # Key order inside each input matters here, exactly as in the reference's json.dumps.
        return json.dumps({"type": trigger.get("type"), "inputs": inputs})
    except (TypeError, ValueError, RecursionError) as exc:
        raise UnscorableFlow(f"trigger is not JSON-serialisable: {exc}") from exc


def trigger_match(pred: dict[str, object], gold: dict[str, object]) -> float | None:
    """Return 1.0 if both triggers have the same type and inputs, 0.0 if not, None if neither.

    Raises:
        UnscorableFlow: when a trigger is not shaped like one.
    """
    a, b = pred.get("trigger"), gold.get("trigger")
    if a is None and b is None:
        return None
    return float(_trigger_key(a) == _trigger_key(b))


def _component_key(component: object) -> str:
    """Return `category___definition___scope` with the raw values (None when missing)."""
    if not isinstance(component, dict):
        raise UnscorableFlow("a component is not an object")
    get = component.get
    return f"{get('category')}___{get('definition')}___{get('scope')}"


def component_jaccard(pred: dict[str, object], gold: dict[str, object]) -> float | None:
    """Return |A ∩ B| / |A ∪ B| over the two flows' sets of component keys (None if both empty).

    Unlike the FlowSim label, the key keeps the definition's case and no scope default, as the
    reference does. A missing or non-list `components` scores 0.0.
    """
    a, b = pred.get("components", []), gold.get("components", [])
    if not isinstance(a, list) or not isinstance(b, list):
        return 0.0
    keys_a = {_component_key(c) for c in a}
    keys_b = {_component_key(c) for c in b}
    union = keys_a | keys_b
    return len(keys_a & keys_b) / len(union) if union else None


def _load(value: object, side: str) -> tuple[dict[str, object] | None, str | None]:
    """Return (flow, problem): the fallback empty flow for non-JSON text, None if not an object."""
    try:
        return load_flow(value), None
    except UnparseableFlow as exc:
        return dict(_EMPTY_FLOW), f"{side}: {exc}"
    except UnscorableFlow as exc:
        return None, f"{side}: {exc}"


def _tree_scores(
    pred: dict[str, object], gold: dict[str, object], full: bool
) -> tuple[float, float, str | None]:
    """Return (FlowSim, TreeBLEU, problem) for one variant; 0.0 where the trees fail."""
    try:
        a = flow_tree(pred, full=full)
    except UnscorableFlow as exc:
        return 0.0, 0.0, f"pred: {exc}"
    try:
        b = flow_tree(gold, full=full)
    except UnscorableFlow as exc:
        return 0.0, 0.0, f"gold: {exc}"
    try:
        bleu = tree_bleu(a, b)
    except UnscorableFlow as exc:
        return 0.0, 0.0, str(exc)
    try:
        return tree_similarity(a, b), bleu, None
    except UnscorableFlow as exc:
        return 0.0, bleu, str(exc)


_MatchMetric = Callable[[dict[str, object], dict[str, object]], float | None]


def _guarded(
    metric: _MatchMetric, pred: dict[str, object], gold: dict[str, object]
) -> float | None:
    """Run a match metric, scoring a malformed flow 0.0 as the reference does."""
    try:
        return metric(pred, gold)
    except UnscorableFlow:
        return 0.0


def score_pair(pred: object, gold: object) -> PairScores:
    """Score a predicted flow against its reference; never raises.

    Args:
        pred: the prediction: a dict, or raw model text (JSON, optionally in a ```json fence).
        gold: the reference flow, same forms.
    """
    pred_flow, pred_problem = _load(pred, "pred")
    gold_flow, gold_problem = _load(gold, "gold")
    problems = [p for p in (pred_problem, gold_problem) if p]
    if pred_flow is None or gold_flow is None:
        return PairScores(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, "; ".join(problems))
    if pred_problem or gold_problem:
        # Unparseable text scores 0 on the tree metrics (flow-format §6); the match metrics
        # still read it as an empty flow, as the reference does.
        sim_o = bleu_o = sim_f = bleu_f = 0.0
    else:
        sim_o, bleu_o, problem_o = _tree_scores(pred_flow, gold_flow, full=False)
        sim_f, bleu_f, problem_f = _tree_scores(pred_flow, gold_flow, full=True)
        for problem in (problem_o, problem_f):
            if problem and problem not in problems:
                problems.append(problem)
    return PairScores(
        flowsim_outline=sim_o,
        flowsim_full=sim_f,
        tree_bleu=bleu_f,
        tree_bleu_outline=bleu_o,
        trigger_match=_guarded(trigger_match, pred_flow, gold_flow),
        component_jaccard=_guarded(component_jaccard, pred_flow, gold_flow),
        problem="; ".join(problems) or None,
    )


def _mean(values: Iterable[float | None]) -> float:
    """Return the mean of the non-None values (0.0 when there are none)."""
    kept = [v for v in values if v is not None]
    return sum(kept) / len(kept) if kept else 0.0


def aggregate(scores: Sequence[PairScores]) -> dict[str, float]:
    """Return the macro average of each metric over pairs (Nones skipped), keyed by `METRICS`."""
    return {name: _mean(getattr(s, name) for s in scores) for name in METRICS}
