"""What each step of a flow is in the catalog: its signature, its inputs, its tables.

`FlowContext` is built once per validation and shared by the scope resolver and the input
checks, so the catalog is looked up once per component rather than once per check.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas.catalog import Param
from schemas.flow import Component, Flow
from validator.index import CatalogIndex, Signature
from validator.pills import scan_pills
from validator.tree import Tree

VARIABLE_SETTERS = frozenset({"SETFLOWVARIABLES", "APPENDTOFLOWVARIABLES"})


def signature_of(component: Component, index: CatalogIndex) -> Signature | None:
    """Return the catalog signature a component names, or None (placeholder, unknown name)."""
    if component.category == "flowlogic":
        return index.logic(component.definition)
    if component.category in ("action", "subflow"):
        return index.action(component.scope, component.definition)
    return None


def literal_table(value: str | None, index: CatalogIndex) -> str | None:
    """Return `value` when it literally names a catalog table, else None."""
    return value if value is not None and value in index.table_names else None


def param_table(param: Param, values: dict[str, str], index: CatalogIndex) -> str | None:
    """Return the table a param is about: its fixed reference or its table_from sibling."""
    if param.reference:
        return param.reference
    if param.table_from:
        return literal_table(values.get(param.table_from), index)
    return None


@dataclass
class FlowContext:
    """One flow with its tree, its catalog signatures and its input values, indexed."""

    flow: Flow
    tree: Tree
    index: CatalogIndex
    trigger_sig: Signature | None
    trigger_values: dict[str, str]
    sigs: list[Signature | None]
    values: list[dict[str, str]]
    setters: dict[str, list[int]]
    """Flow variable name → indexes of the components that set or append to it, in order."""

    @property
    def is_subflow(self) -> bool:
        """Tell whether the flow is a subflow (no trigger)."""
        return self.flow.trigger is None


def build_context(flow: Flow, tree: Tree, index: CatalogIndex) -> FlowContext:
    """Look up every component of `flow` in the catalog once."""
    trigger = flow.trigger
    setters: dict[str, list[int]] = {}
    for node in tree.nodes:
        if node.token in VARIABLE_SETTERS:
            for item in node.component.inputs:
                setters.setdefault(item.name, []).append(node.index)
    return FlowContext(
        flow=flow,
        tree=tree,
        index=index,
        trigger_sig=index.trigger(trigger.type) if trigger else None,
        trigger_values={i.name: i.value for i in trigger.inputs} if trigger else {},
        sigs=[signature_of(c, index) for c in flow.components],
        values=[{i.name: i.value for i in c.inputs} for c in flow.components],
        setters=setters,
    )


def whole_pill_text(value: str | None) -> str | None:
    """Return `value` when it is exactly one well-formed pill, else None."""
    if value is None:
        return None
    return value if scan_pills(value).whole else None
