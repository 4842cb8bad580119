"""Grounding of names against the catalog: trigger type, actions, subflows, flow logic.

Inputs are checked separately (`validator.inputs`); this module answers "does the thing a
trigger or component names exist in this instance?", and flags placeholders.
"""

from __future__ import annotations

import difflib

from schemas.flow import FLOW_LOGIC_TOKENS, Component, Flow
from schemas.issues import Issue
from validator.index import CatalogIndex
from validator.issues import issue, names_text, pointer, shown


def check_names(flow: Flow, index: CatalogIndex) -> list[Issue]:
    """Return unknown trigger types, actions, flow-logic tokens, and placeholder warnings."""
    found: list[Issue] = []
    if flow.trigger is not None and index.trigger(flow.trigger.type) is None:
        found.append(
            issue(
                "unknown_trigger_type",
                pointer("trigger", "type"),
                f"trigger type {shown(flow.trigger.type)} does not exist in this instance",
                _suggest(flow.trigger.type, index.trigger_types(), "trigger types"),
            )
        )
    for position, comp in enumerate(flow.components):
        problem = _check_component(flow, comp, position, index)
        if problem is not None:
            found.append(problem)
    return found


def _check_component(
    flow: Flow, comp: Component, position: int, index: CatalogIndex
) -> Issue | None:
    """Return the grounding problem of one component's definition, if any."""
    token = comp.definition
    if comp.category == "flowlogic":
        if token in index.flow_tokens and token != "ASSIGNSUBFLOWOUTPUTS":
            return None
    elif (comp.category, comp.scope, token) in index.definition_keys:
        return None
    where = pointer("components", position, "definition")
    if comp.category == "placeholder":
        return issue(
            "placeholder_step",
            pointer("components", position),
            f"step {comp.order} is a placeholder: {comp.annotation or 'no annotation'}",
            "The catalog has no action for this; build or install one, then replace the "
            "placeholder before activating the flow.",
            comp.order,
        )
    if comp.category == "flowlogic":
        return _check_logic(flow, comp, where, index)
    if index.action(comp.scope, comp.definition) is not None:
        return _category_mismatch(comp, where, index)
    return issue(
        "unknown_action",
        where,
        f"{comp.category} {shown(comp.definition)} in scope {shown(comp.scope)} does not "
        "exist in this instance",
        _action_hint(comp, index),
        comp.order,
    )


def _check_logic(flow: Flow, comp: Component, where: str, index: CatalogIndex) -> Issue | None:
    """Check a flow-logic token exists and is allowed here."""
    token = comp.definition
    if token in FLOW_LOGIC_TOKENS and index.logic(token) is not None:
        if token == "ASSIGNSUBFLOWOUTPUTS" and flow.trigger is not None:
            return issue(
                "unknown_flowlogic",
                where,
                f"ASSIGNSUBFLOWOUTPUTS at step {comp.order} is only available in a subflow, "
                "and this flow has a trigger",
                "Remove it; to keep a value for later steps use SETFLOWVARIABLES.",
                comp.order,
            )
        return None
    known = [t for t in index.logic_tokens() if t in FLOW_LOGIC_TOKENS]
    return issue(
        "unknown_flowlogic",
        where,
        f"flow-logic token {shown(token)} does not exist",
        _suggest(token.upper(), known, "flow-logic tokens"),
        comp.order,
    )


def _category_mismatch(comp: Component, where: str, index: CatalogIndex) -> Issue | None:
    """Report an action called as a subflow or the other way round."""
    sig = index.action(comp.scope, comp.definition)
    if sig is None or sig.kind == comp.category:
        return None
    return issue(
        "unknown_action",
        where,
        f"{comp.definition!r} is a catalog {sig.kind}, but step {comp.order} calls it as a "
        f"{comp.category}",
        f"Set category to {sig.kind!r}.",
        comp.order,
    )


def _action_hint(comp: Component, index: CatalogIndex) -> str:
    """Name the same action in other scopes, or close matches."""
    keys = index.action_keys()
    other_scopes = [scope for scope, name in keys if name == comp.definition]
    if other_scopes:
        return f"{comp.definition!r} exists in scope {names_text(other_scopes)}; set scope to it."
    names = sorted({name for _, name in keys})
    return _suggest(comp.definition, names, "actions")


def _suggest(value: str, known: list[str], what: str) -> str:
    """Return 'Did you mean …?' with close matches, or list the known names."""
    close = difflib.get_close_matches(value, known, n=4, cutoff=0.6)
    if close:
        return f"Did you mean {', '.join(close)}?"
    return f"Use one of the instance's {what}: {names_text(sorted(known), limit=20)}."
