"""Nesting rules of flow-logic blocks (flow-format §2), checked on the component tree.

The rules come from the format, not from the catalog, so a catalog that misdescribes a token
cannot loosen them; components whose token the format does not know are left to grounding
(`unknown_flowlogic`) and get no nesting checks here.
"""

from __future__ import annotations

from collections.abc import Iterator

from schemas.issues import Issue
from validator.issues import issue, pointer
from validator.tree import Node, Tree

BODY_TOKENS = frozenset({"IF", "ELSEIF", "ELSE", "FOREACH", "DOUNTIL", "PATH", "TRY", "CATCH"})
"""Tokens whose body must hold at least one step (PARALLEL has its own rule)."""

LEAF_TOKENS = frozenset(
    {
        "EXITLOOP",
        "SKIPITERATION",
        "ENDFLOW",
        "WAITFORADURATION",
        "SETFLOWVARIABLES",
        "APPENDTOFLOWVARIABLES",
        "ASSIGNSUBFLOWOUTPUTS",
    }
)
"""Tokens that never have children."""

LOOP_TOKENS = frozenset({"FOREACH", "DOUNTIL"})
_BRANCH_OPENERS = frozenset({"IF", "ELSEIF"})


def check_structure(tree: Tree) -> list[Issue]:
    """Return every nesting-rule violation of the tree."""
    found: list[Issue] = []
    for node in tree.nodes:
        found.extend(_check_node(tree, node))
    return found


def _check_node(tree: Tree, node: Node) -> Iterator[Issue]:
    """Yield the violations that concern one component."""
    parent = node.parent
    if parent is not None and _is_leaf(parent):
        yield _leaf_child(node, parent)
    token = node.token
    if token is None:
        return
    if token in BODY_TOKENS and not node.children:
        yield _at(
            "empty_block",
            node,
            f"{token} at step {node.order} has no steps inside it",
            f"Put at least one step inside the {token} (block = {node.order}), or remove it.",
        )
    if token in ("ELSEIF", "ELSE", "CATCH", "TRY"):
        yield from _sibling_rules(tree, node, token)
    elif token == "PARALLEL":
        yield from _parallel_rules(node)
    elif token == "PATH" and (parent is None or parent.token != "PARALLEL"):
        yield _at(
            "path_outside_parallel",
            node,
            f"PATH at step {node.order} is not directly inside a PARALLEL",
            "Put PATH blocks only as children of a PARALLEL (block = the PARALLEL's order).",
        )
    elif token in ("EXITLOOP", "SKIPITERATION") and not any(
        a.token in LOOP_TOKENS for a in node.ancestors()
    ):
        yield _at(
            "loop_control_outside_loop",
            node,
            f"{token} at step {node.order} is not inside a FOREACH or DOUNTIL",
            f"Move the {token} into a loop body (often inside an IF in the loop), or remove it.",
        )


def _sibling_rules(tree: Tree, node: Node, token: str) -> Iterator[Issue]:
    """Check the IF/ELSEIF/ELSE chain and the TRY/CATCH pairing among siblings."""
    siblings = tree.siblings(node)
    at = node.position
    before = siblings[at - 1].token if at > 0 else None
    after = siblings[at + 1].token if at + 1 < len(siblings) else None
    if token in ("ELSEIF", "ELSE") and before not in _BRANCH_OPENERS:
        yield _at(
            "else_without_if",
            node,
            f"{token} at step {node.order} does not directly follow an IF or ELSEIF "
            f"(previous sibling: {before or 'none'})",
            f"Place the {token} right after the IF/ELSEIF body at the same level (same block).",
        )
    elif token == "TRY" and after != "CATCH":
        yield _at(
            "try_without_catch",
            node,
            f"TRY at step {node.order} is not followed by a CATCH at the same level",
            "Add a CATCH right after the TRY's body, with the same block as the TRY.",
        )
    elif token == "CATCH" and before != "TRY":
        yield _at(
            "catch_without_try",
            node,
            f"CATCH at step {node.order} does not directly follow a TRY "
            f"(previous sibling: {before or 'none'})",
            "Place the CATCH right after a TRY's body, with the same block as the TRY.",
        )


def _parallel_rules(node: Node) -> Iterator[Issue]:
    """Check that a PARALLEL holds only PATHs, at least two, and is not nested."""
    paths = 0
    for child in node.children:
        if child.token == "PATH":
            paths += 1
            continue
        yield _at(
            "parallel_non_path_child",
            child,
            f"step {child.order} ({child.component.definition}) is directly inside the PARALLEL "
            f"at step {node.order}, which may hold only PATH blocks",
            "Wrap the step in a PATH (block = the PARALLEL's order) and nest it in that PATH.",
        )
    if paths < 2:
        yield _at(
            "parallel_too_few_paths",
            node,
            f"PARALLEL at step {node.order} has {paths} PATH block(s); it needs at least 2",
            "Give the PARALLEL two or more PATH children, or run the steps in sequence instead.",
        )
    outer = next((a for a in node.ancestors() if a.token == "PARALLEL"), None)
    if outer is not None:
        yield _at(
            "nested_parallel",
            node,
            f"PARALLEL at step {node.order} is inside the PARALLEL at step {outer.order}",
            "Add its steps as extra PATHs of the outer PARALLEL instead of nesting one.",
        )


def _is_leaf(node: Node) -> bool:
    """Tell whether a component may never have children."""
    return node.component.category != "flowlogic" or node.token in LEAF_TOKENS


def _leaf_child(node: Node, parent: Node) -> Issue:
    """Return the issue for a step nested under a component that cannot have children."""
    comp = parent.component
    what = f"{comp.category} {comp.definition}"
    return issue(
        "children_on_leaf",
        pointer("components", node.index, "block"),
        f"step {node.order} names step {parent.order} ({what}) as its block, but only "
        "flow-logic blocks such as IF or FOREACH contain steps",
        "Set block to an enclosing IF/FOREACH/… order, or omit it to place the step at top level.",
        node.order,
    )


def _at(code: str, node: Node, message: str, hint: str) -> Issue:
    """Return an issue located at a component."""
    return issue(code, pointer("components", node.index), message, hint, node.order)
