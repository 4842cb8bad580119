"""Test oracle: the public FlowSim reference's scoring, rebuilt on `zss` (slow, obviously right).

Reproduces the behaviour of ServiceNow/StarFlow `starvlm/dataset/metric/flow_similarity.py`,
`flow_bleu.py` and `flow_match.py` at commit 4ce07f6e681bb8bbbe2f9d16c38660bbf3e3f93f
(Copyright ServiceNow, Inc., Apache License 2.0, https://www.apache.org/licenses/LICENSE-2.0).
It follows the reference statement by statement — recursive tree building over `zss.Node`,
regex splitting, `zss.distance` with the reference's three cost functions, the node count read
off `str(tree)`, and `except Exception` → 0 — and was checked against the original file on the
parity pairs. It is written independently of `evals/` so that the parity tests compare two
implementations, not one with itself. Only tests and the benchmark import it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from zss import Node, distance

TRIGGER_TYPES = {
    "record_create", "record_update", "record_create_or_update", "daily", "weekly", "monthly",
    "repeat", "run_once", "email", "sla_task", "service_catalog", "metric", "rest_async",
}  # fmt: skip
CONDITION_NAMES = {"condition", "conditions", "email_conditions"}
VALUE_NAMES = {"values", "fields", "field_values"}
FREE = {"flow", "trigger", "components", "inputs", "outputs"} | CONDITION_NAMES | VALUE_NAMES
LOGICAL = ["^EQ", "^OR", "^NQ", "^", "OR"]
COMPARISON = [
    "VALCHANGES", "RELATIVEGT", "RELATIVEGE", "RELATIVELE", "RELATIVELT", "BETWEEN",
    "CHANGESTO", "CHANGESFROM", "EMPTYSTRING", "ISEMPTY", "ISNOTEMPTY", "STARTSWITH",
    "ENDSWITH", "SAMEAS", "NOTON", "NOT LIKE", "NOT IN", "LIKE", "NOT", "IN", "ON", "!=", ">=",
    "<=", "=", ">", "<",
]  # fmt: skip
BLEU_EXCLUDED = [("flow", "trigger"), ("flow", "components")]


def _split(text: str, operators: list[str], exclusion: str | None = None) -> tuple[list, list]:
    pattern = "|".join(re.escape(op) for op in operators)
    if exclusion is not None:
        pattern = exclusion + "(" + pattern + ")"
    found = re.findall(pattern, text)
    parts = [p for p in re.split(pattern, text) if p.strip() not in found]
    return parts, found


def parse_encoded_query(text: str) -> tuple[list[dict] | None, list[str] | None]:
    """Split a query into field/operator/value dicts and logical operators (None, None if bad)."""
    if text in ("^EQ", "a to z"):
        return None, None
    parts, logical = _split(text, LOGICAL)
    parsed = []
    for part in parts:
        pieces, ops = _split(part, COMPARISON, "(?<![A-Z=,])")
        if len(pieces) != 2 or len(ops) != 1:
            return None, None
        parsed.append({"field": pieces[0], "operator": ops[0], "value": pieces[1]})
    return parsed, logical


def _parts_tree(parts: list[dict], logical: list[str]) -> Node:
    first = parts[0]
    leaf = (
        Node(first.get("field", ""))
        .addkid(Node(first.get("operator", "^EQ")))
        .addkid(Node(first.get("value", "")))
    )
    if not logical:
        return leaf
    return Node(logical[0]).addkid(leaf).addkid(_parts_tree(parts[1:], logical[1:]))


def _query_tree(text: str) -> Node:
    parts, logical = parse_encoded_query(text)
    if parts is None or logical is None:
        return Node("")
    return _parts_tree(sorted(parts, key=lambda p: p.get("field", "")), sorted(logical))


class FlowTree:
    """The reference's flow tree (`with_inputs` also switches query decomposition)."""

    def __init__(self, flow: Any, with_inputs: bool) -> None:
        self.with_inputs = with_inputs
        self.tree = self._flow(flow)

    def _input(self, item: Any) -> Node:
        name = item.get("name", "")
        value = str(item.get("value", ""))
        if self.with_inputs and (name in CONDITION_NAMES or name in VALUE_NAMES):
            return Node(name).addkid(_query_tree(value))
        return Node(name + ": " + value)

    def _inputs(self, items: Any) -> Node:
        node = Node("inputs")
        for item in sorted(items, key=lambda x: x.get("name", "")):
            node.addkid(self._input(item))
        return node

    def _trigger(self, trigger: Any) -> Node:
        node = Node("trigger")
        if trigger is None:
            return node
        type_node = Node(trigger.get("type", ""))
        if self.with_inputs and "inputs" in trigger:
            type_node.addkid(self._inputs(trigger.get("inputs", [])))
        return node.addkid(type_node)

    @staticmethod
    def _subflow_io(io: Any, label: str) -> Node:
        node = Node(label)
        if io is None:
            return node
        for item in io.get("items", []):
            kind = item.get("type", "string")
            text = f"{item.get('name', '')}: {kind}"
            if kind in ("reference", "records") and "reference" in item:
                text += f" [{item.get('reference', 'task')}]"
            node.addkid(Node(text))
        return node

    def _component(self, comp: Any, comps: Any) -> Node:
        category = comp.get("category", "action")
        definition = comp.get("definition", "")
        if category == "flowlogic":
            definition = definition.upper()
        order = comp.get("order", -100)
        node = Node(f"{category}___{definition}___{comp.get('scope', 'global')}")
        if self.with_inputs and "inputs" in comp:
            node.addkid(self._inputs(comp.get("inputs", [])))
        for other in comps:
            if other.get("order", -999) <= order:
                continue
            if other.get("block", -999) == order:
                node.addkid(self._component(other, comps))
        return node

    def _flow(self, flow: Any) -> Node:
        root = Node("flow")
        if "trigger" in flow:
            root.addkid(self._trigger(flow.get("trigger", None)))
        for label in ("inputs", "outputs"):
            if label in flow:
                root.addkid(self._subflow_io(flow.get(label, []), label))
        if "components" in flow:
            comps = flow.get("components", [])
            node = Node("components")
            for comp in comps:
                if comp.get("block") is None:
                    node.addkid(self._component(comp, comps))
            root.addkid(node)
        return root

    def __len__(self) -> int:
        lines = [line for line in str(self.tree).split("\n") if line != ""]
        labels = [line.split(":")[1] for line in lines if re.match(r"^\d+:", line)]
        return len([label for label in labels if label not in FREE])


def _insert_cost(node: Node) -> int:
    if any(node.label == x for x in FREE):
        return 0
    return 1 if node.label != "" else 0


def _update_cost(a: Node, b: Node) -> int:
    if a.label == b.label:
        return 0
    if any(a.label == x for x in TRIGGER_TYPES) or any(b.label == x for x in TRIGGER_TYPES):
        return 2
    heavy = ("action", "flowlogic", "subflow")
    if any(a.label.startswith(p) for p in heavy) or any(b.label.startswith(p) for p in heavy):
        return 2
    return 1


def zss_distance(a: FlowTree, b: FlowTree) -> float:
    """Return the reference's `zss.distance` between two flow trees."""
    return float(
        distance(
            a.tree,
            b.tree,
            get_children=Node.get_children,
            insert_cost=_insert_cost,
            remove_cost=_insert_cost,
            update_cost=_update_cost,
        )
    )


def flowsim_and_distance(pred: Any, gold: Any, full: bool) -> tuple[float, float | None]:
    """Return the reference's FlowSim and the zss distance (None where it was not computed)."""
    try:
        a, b = FlowTree(pred, full), FlowTree(gold, full)
        if len(a) == 0 and len(b) == 0:
            return 1.0, None
        dist = zss_distance(a, b)
        return float(1 - dist / (len(a) + len(b))), dist
    except Exception:  # noqa: BLE001 - the reference scores any failure 0; that is the oracle
        return 0.0, None


def flowsim(pred: Any, gold: Any, full: bool) -> float:
    """Return the reference's FlowSim of two parsed flows (0 where its code fails)."""
    return flowsim_and_distance(pred, gold, full)[0]


def _edges(tree: Node) -> set[tuple[Any, Any]]:
    edges: set[tuple[Any, Any]] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        for child in node.children:
            edges.add((node.label, child.label))
            stack.append(child)
    return {edge for edge in edges if edge not in BLEU_EXCLUDED}


def tree_bleu(pred: Any, gold: Any, full: bool) -> float:
    """Return the reference's TreeBLEU: share of the gold's parent→child edges in the pred."""
    try:
        produced = _edges(FlowTree(pred, full).tree)
        wanted = _edges(FlowTree(gold, full).tree)
        if not wanted:
            return 0.0
        return len(produced & wanted) / len(wanted)
    except Exception:  # noqa: BLE001 - reference behaviour
        return 0.0


def _trigger_repr(trigger: Any) -> str:
    if trigger is None:
        return "{}"
    inputs = trigger.get("inputs", [])
    if inputs:
        inputs = sorted(inputs, key=lambda x: x.get("name", ""))
    return json.dumps({"type": trigger.get("type", None), "inputs": inputs})


def trigger_match(pred: Any, gold: Any) -> float | None:
    """Return the reference's trigger exact match (None when neither flow has a trigger)."""
    try:
        a, b = pred.get("trigger", None), gold.get("trigger", None)
        if a is None and b is None:
            return None
        return float(_trigger_repr(a) == _trigger_repr(b))
    except Exception:  # noqa: BLE001 - reference behaviour
        return 0.0


def component_jaccard(pred: Any, gold: Any) -> float | None:
    """Return the reference's component Jaccard (None when neither flow has components)."""
    try:
        a, b = pred.get("components", []), gold.get("components", [])
        if a is None or b is None or not isinstance(a, list) or not isinstance(b, list):
            return 0.0

        def key(c: Any) -> str:
            return (
                f"{c.get('category', None)}___{c.get('definition', None)}___{c.get('scope', None)}"
            )

        set_a, set_b = {key(c) for c in a}, {key(c) for c in b}
        union = set_a | set_b
        return len(set_a & set_b) / len(union) if union else None
    except Exception:  # noqa: BLE001 - reference behaviour
        return 0.0
