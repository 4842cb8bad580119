"""Build the FlowSim tree of a flow exactly as the public reference builds it (flow-format §6).

`flow` → `trigger` → `<type>` → `inputs` → one node per input sorted by name; `flow` →
`inputs`/`outputs` (subflow variables); `flow` → `components` → top-level components, each
labelled `category___DEFINITION___scope` with an `inputs` subtree and then its children.

Flows are untrusted (model output), so every step checks the shape the reference relies on and
raises `UnscorableFlow` where the reference's own code would fail and score the pair 0. The
reference's traversal is recursive; this one uses explicit stacks and a node budget, so deep or
duplicated nesting cannot exhaust the stack or memory.
"""

from __future__ import annotations

from collections.abc import Hashable

from evals.flow_query import query_tree
from evals.ted import Tree

CONDITION_INPUTS = frozenset({"condition", "conditions", "email_conditions"})
"""Inputs holding encoded queries; decomposed in the full variant."""
VALUE_INPUTS = frozenset({"values", "fields", "field_values"})
"""Inputs holding field-value templates; decomposed in the full variant."""
FREE_LABELS = frozenset({"flow", "trigger", "components", "inputs", "outputs"}) | (
    CONDITION_INPUTS | VALUE_INPUTS
)
"""Structural labels: free to insert or delete and not counted in a tree's size."""

MAX_TREE_NODES = 3000
"""Largest tree scored; the distance needs three len(a) x len(b) int32 tables (~110 MB here)."""
MAX_COMPONENTS = 2000
"""Longest component list scored; the reference's child search is quadratic in it."""


class UnscorableFlow(ValueError):
    """A flow FlowSim cannot score; the pair scores 0.0 (the reference's behaviour too)."""


class UnparseableFlow(UnscorableFlow):
    """Text that is not JSON; the reference reads it as an empty flow."""


class FlowTreeTooLarge(UnscorableFlow):
    """A flow whose tree exceeds `MAX_TREE_NODES` or whose list exceeds `MAX_COMPONENTS`."""


class _Budget:
    """Counts nodes as they are created and stops a runaway build."""

    def __init__(self) -> None:
        self.used = 0

    def node(self, label: object) -> Tree:
        """Return a new node, raising FlowTreeTooLarge past the limit."""
        return self.adopt(Tree(label))

    def adopt(self, tree: Tree) -> Tree:
        """Count every node of an already built subtree and return it."""
        self.used += len(tree.iter_preorder())
        if self.used > MAX_TREE_NODES:
            raise FlowTreeTooLarge(f"flow tree has more than {MAX_TREE_NODES} nodes")
        return tree


def _elements(value: object, what: str) -> list[object]:
    """Return what `for x in value` yields for a JSON value (list items, dict keys, chars)."""
    if isinstance(value, (list, str)):
        return list(value)
    if isinstance(value, dict):
        return list(value.keys())
    raise UnscorableFlow(f"{what} is not iterable: {type(value).__name__}")


def _mapping(value: object, what: str) -> dict[str, object]:
    """Return `value` if it is a JSON object, else raise UnscorableFlow."""
    if not isinstance(value, dict):
        raise UnscorableFlow(f"{what} is not an object: {type(value).__name__}")
    return value


def _input_tree(item: dict[str, object], full: bool, budget: _Budget) -> Tree:
    """Return one input: a `name: value` leaf, or `name` → decomposed query when full."""
    name = item.get("name", "")
    value = str(item.get("value", ""))
    if not isinstance(name, Hashable):
        raise UnscorableFlow("input name is not a string")
    if full and (name in CONDITION_INPUTS or name in VALUE_INPUTS):
        return budget.node(name).add(budget.adopt(query_tree(value)))
    if not isinstance(name, str):
        raise UnscorableFlow("input name is not a string")
    return budget.node(name + ": " + value)


def _inputs_tree(raw: object, full: bool, budget: _Budget) -> Tree:
    """Return `inputs` with one child per input, sorted by name (stable, like the reference)."""
    items = [_mapping(item, "input") for item in _elements(raw, "inputs")]
    try:
        items.sort(key=lambda item: item.get("name", ""))  # type: ignore[arg-type, return-value]
    except TypeError as exc:
        raise UnscorableFlow("input names cannot be ordered") from exc
    node = budget.node("inputs")
    for item in items:
        node.add(_input_tree(item, full, budget))
    return node


def _trigger_tree(raw: object, full: bool, budget: _Budget) -> Tree:
    """Return `trigger` → `<type>` (→ `inputs` in the full variant); bare for a subflow."""
    node = budget.node("trigger")
    if raw is None:
        return node
    trigger = _mapping(raw, "trigger")
    type_node = budget.node(trigger.get("type", ""))
    if full and "inputs" in trigger:
        type_node.add(_inputs_tree(trigger.get("inputs", []), full, budget))
    return node.add(type_node)


def _subflow_io_tree(raw: object, label: str, budget: _Budget) -> Tree:
    """Return `inputs`/`outputs` with one `name: type [reference]` leaf per variable."""
    node = budget.node(label)
    if raw is None:
        return node
    for entry in _elements(_mapping(raw, label).get("items", []), f"{label}.items"):
        item = _mapping(entry, f"{label} item")
        kind = item.get("type", "string")
        text = f"{item.get('name', '')}: {kind}"
        if kind in ("reference", "records") and "reference" in item:
            text += f" [{item.get('reference', 'task')}]"
        node.add(budget.node(text))
    return node


def _component_node(component: dict[str, object], full: bool, budget: _Budget) -> Tree:
    """Return the node of one component with its `inputs` subtree (children come later)."""
    category = component.get("category", "action")
    definition = component.get("definition", "")
    if category == "flowlogic":
        if not isinstance(definition, str):
            raise UnscorableFlow("flow-logic definition is not a string")
        # The reference upper-cases flow logic so camelCase model output still matches.
        definition = definition.upper()
    node = budget.node(f"{category}___{definition}___{component.get('scope', 'global')}")
    if full and "inputs" in component:
        node.add(_inputs_tree(component.get("inputs", []), full, budget))
    return node


def _children(
    components: list[dict[str, object]], keys: list[tuple[object, object]], parent_order: object
) -> list[dict[str, object]]:
    """Return the components nested under a component of order `parent_order`, in list order.

    Any component may have children: a larger order and `block` equal to the parent's order.
    `keys` holds each component's (order, block), read once per flow because this search is
    quadratic in the list length.
    """
    try:
        return [
            component
            for component, (order, block) in zip(components, keys, strict=True)
            if not order <= parent_order and block == parent_order  # type: ignore[operator]
        ]
    except TypeError as exc:
        raise UnscorableFlow("component orders cannot be compared") from exc


def _components_tree(raw: object, full: bool, budget: _Budget) -> Tree:
    """Return `components` → top-level components, each followed by its nested children.

    Components whose `block` names no parent are dropped (the reference never reaches them).
    """
    elements = _elements(raw, "components")
    if len(elements) > MAX_COMPONENTS:
        raise FlowTreeTooLarge(f"flow has more than {MAX_COMPONENTS} components")
    components = [_mapping(c, "component") for c in elements]
    keys = [(c.get("order", -999), c.get("block", -999)) for c in components]
    root = budget.node("components")
    stack: list[tuple[Tree, dict[str, object]]] = []
    for component in reversed([c for c in components if c.get("block") is None]):
        stack.append((root, component))
    # Depth-first in document order: children are pushed reversed so the first pops first.
    while stack:
        parent, component = stack.pop()
        node = _component_node(component, full, budget)
        parent.add(node)
        order = component.get("order", -100)
        children = _children(components, keys, order)
        stack.extend((node, child) for child in reversed(children))
    return root


def flow_tree(flow: dict[str, object], *, full: bool) -> Tree:
    """Return the FlowSim tree of a flow object.

    Args:
        flow: the parsed flow (any JSON object; unknown keys are ignored).
        full: True to include inputs and decompose queries (FlowSim-full), False for the
            outline variant (trigger type, subflow variables and components only).

    Raises:
        UnscorableFlow: where the reference cannot build the tree (wrong value types).
        FlowTreeTooLarge: past `MAX_TREE_NODES` nodes or `MAX_COMPONENTS` components.
    """
    budget = _Budget()
    root = budget.node("flow")
    if "trigger" in flow:
        root.add(_trigger_tree(flow.get("trigger"), full, budget))
    for label in ("inputs", "outputs"):
        if label in flow:
            root.add(_subflow_io_tree(flow.get(label), label, budget))
    if "components" in flow:
        root.add(_components_tree(flow.get("components"), full, budget))
    return root
