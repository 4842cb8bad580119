"""Last-resort flow fixes, applied once when the repair budget is spent and errors remain.

Each removes a flow-logic block that changes nothing about what the flow does, so the steps
the model wrote are kept and run exactly as they would have:

- a PARALLEL whose only content is one PATH runs that path's steps, in sequence (the
  validator's ``parallel_too_few_paths`` hint): the PARALLEL and its PATH are unwrapped;
- a TRY with no steps inside and no CATCH after it (``empty_block`` + ``try_without_catch``)
  guards nothing: it is removed.

They wait for the budget because the repairer may still find what the model meant (a missing
second path, the steps the TRY should guard); only when it has not is a valid flow that does
what was written better than an invalid one. Orders are renumbered and ``{{step_N…}}`` pills
follow their steps (none can name a removed block: flow-logic blocks have no outputs).
"""

from __future__ import annotations

from agent.chat.tree import Node, build_tree, flatten, rewrite_inputs
from schemas.flow import Flow
from schemas.issues import Issue

FIXABLE_CODES: frozenset[str] = frozenset({"parallel_too_few_paths", "try_without_catch"})
"""Error codes a last-resort fix may clear (the router asks for one only when one is left)."""


def settle(flow: Flow, issues: list[Issue]) -> tuple[Flow, list[str]]:
    """Return the flow with the last-resort fixes its errors call for, and what was done."""
    wanted = {(i.code, i.order) for i in issues if i.is_error}
    # A step's id is its old order, so the renumbering can be read off the flattened ids.
    ids = [str(c.order) for c in sorted(flow.components, key=lambda c: c.order)]
    roots = build_tree(flow, ids)
    done: list[str] = []
    roots = _fix(roots, wanted, done)
    if not done:
        return flow, []
    comps, new_ids = flatten(roots)
    mapping = {int(uid): i for i, uid in enumerate(new_ids, start=1)}
    comps = [c.model_copy(update={"inputs": rewrite_inputs(c.inputs, mapping)[0]}) for c in comps]
    return flow.model_copy(update={"components": comps}), done


def _fix(nodes: list[Node], wanted: set[tuple[str, int | None]], done: list[str]) -> list[Node]:
    """Return `nodes` with each fixable block replaced by what it holds (recursively)."""
    out: list[Node] = []
    for node in nodes:
        node.children = _fix(node.children, wanted, done)
        comp = node.comp
        if _lone_path(node) and ("parallel_too_few_paths", comp.order) in wanted:
            done.append(f"step {comp.order}: PARALLEL with one PATH run in sequence")
            out.extend(node.children[0].children)
        elif (
            comp.definition == "TRY" and not node.children
            and {("empty_block", comp.order), ("try_without_catch", comp.order)} <= wanted
        ):
            done.append(f"step {comp.order}: empty TRY without CATCH removed")
        else:
            out.append(node)
    return out


def _lone_path(node: Node) -> bool:
    return (
        node.comp.definition == "PARALLEL"
        and len(node.children) == 1
        and node.children[0].comp.definition == "PATH"
    )
