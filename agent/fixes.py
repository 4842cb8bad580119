"""Deterministic outline fixes, applied only where the intended meaning is unambiguous.

- flow-logic tokens are upper-cased (``if`` → ``IF``);
- a ``block`` that names the component itself means top level, and so does a ``block`` of 0
  unless the orders themselves start at 0 (then block 0 names the first component);
- unique orders that are not exactly 1..n (gaps, a 0-based count) are renumbered in their
  given sequence, and blocks follow their parents to the new numbers;
- a step whose ``block`` names an action or a leaf token (ENDFLOW, WAITFORADURATION, …) moves
  to that step's own block: nothing can sit inside an action card, so a designer dropping a
  step "into" it means the step beside it (the validator's ``children_on_leaf``).

Duplicate orders are left alone: which of two steps comes first is a real choice.
"""

from __future__ import annotations

from schemas.flow import Outline, OutlineComponent
from validator.structure import LEAF_TOKENS


def fix_outline(outline: Outline) -> tuple[Outline, list[str]]:
    """Return the outline with the unambiguous fixes applied, and what was fixed."""
    fixed: list[str] = []
    zero_based = any(c.order == 0 for c in outline.components)
    components = [_fix_component(c, fixed, zero_based) for c in outline.components]
    components = _renumber(components, fixed)
    components = _lift_out_of_leaves(components, fixed)
    components = _path_beside_path(components, fixed)
    if not fixed:
        return outline, []
    return outline.model_copy(update={"components": components}), fixed


def _fix_component(
    comp: OutlineComponent, fixed: list[str], zero_based: bool
) -> OutlineComponent:
    update: dict[str, object] = {}
    if comp.category == "flowlogic" and comp.definition != comp.definition.upper():
        update["definition"] = comp.definition.upper()
        fixed.append(f"step {comp.order}: upper-cased {comp.definition!r}")
    top_level = {comp.order} if zero_based else {0, comp.order}
    if comp.block is not None and comp.block in top_level:
        update["block"] = None
        fixed.append(f"step {comp.order}: block {comp.block} means top level")
    return comp.model_copy(update=update) if update else comp


def _renumber(components: list[OutlineComponent], fixed: list[str]) -> list[OutlineComponent]:
    orders = [c.order for c in components]
    if len(set(orders)) != len(orders) or orders == list(range(1, len(orders) + 1)):
        return components
    ranked = sorted(components, key=lambda c: c.order)
    new_order = {c.order: i for i, c in enumerate(ranked, start=1)}
    fixed.append("renumbered orders to 1..n")
    return [
        c.model_copy(
            update={
                "order": new_order[c.order],
                "block": new_order.get(c.block, c.block) if c.block is not None else None,
            }
        )
        for c in ranked
    ]


def _lift_out_of_leaves(
    components: list[OutlineComponent], fixed: list[str]
) -> list[OutlineComponent]:
    by_order = {c.order: c for c in components}
    if len(by_order) != len(components):
        return components  # duplicate orders: which step a block names is itself unclear
    out = []
    for comp in components:
        block, seen = comp.block, {comp.order}
        while block in by_order and block not in seen and _is_leaf(by_order[block]):
            seen.add(block)
            block = by_order[block].block
        if block != comp.block:
            where = "top level" if block is None else f"block {block}"
            fixed.append(f"step {comp.order}: moved out of leaf step {comp.block} to {where}")
            comp = comp.model_copy(update={"block": block})
        out.append(comp)
    return out


def _is_leaf(comp: OutlineComponent) -> bool:
    """Tell whether a component can never contain steps (an action or a leaf token)."""
    return comp.category != "flowlogic" or comp.definition.upper() in LEAF_TOKENS


def _path_beside_path(
    components: list[OutlineComponent], fixed: list[str]
) -> list[OutlineComponent]:
    by_order = {c.order: c for c in components}
    if len(by_order) != len(components):
        return components
    last_child: dict[int, int] = {}
    for comp in components:
        if comp.block is not None:
            last_child[comp.block] = max(last_child.get(comp.block, comp.order), comp.order)
    out = []
    for comp in components:
        outer = by_order.get(comp.block) if comp.block is not None else None
        parallel = by_order.get(outer.block) if outer and outer.block is not None else None
        if (comp.definition == "PATH" and outer is not None and outer.definition == "PATH"
                and parallel is not None and parallel.definition == "PARALLEL"
                and last_child[outer.order] == comp.order):
            fixed.append(f"step {comp.order}: PATH moved beside PATH {outer.order}")
            comp = comp.model_copy(update={"block": parallel.order})
        out.append(comp)
    return out
