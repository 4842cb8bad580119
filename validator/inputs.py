"""Check the inputs of the trigger and of every component against their catalog signature.

Per trigger/component: unknown input names, missing required inputs, then per value the pills
(syntax, scope, outputs, dot-walks) and the value itself (`validator.values`). Components whose
definition is unknown still get their pills checked; their input names cannot be.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Sequence

from schemas.flow import FlowInput
from schemas.issues import Issue
from validator.context import FlowContext
from validator.index import Signature
from validator.issues import issue, names_text, pointer, shown
from validator.pill_errors import PillError
from validator.pills import PillScan, scan_pills
from validator.scope import Scope
from validator.site import Site
from validator.tree import Node
from validator.values import check_value

_MAX_FRAGMENT = 60


def check_inputs(ctx: FlowContext, scope: Scope) -> list[Issue]:
    """Return the input issues of the trigger and all components."""
    found: list[Issue] = []
    outline = ctx.flow.is_outline()
    trigger = ctx.flow.trigger
    if trigger is not None:
        skip_missing = outline and not trigger.inputs
        found += _check_owner(ctx, scope, None, trigger.inputs, ctx.trigger_sig, skip_missing)
    for node in ctx.tree.nodes:
        comp = node.component
        if comp.category == "placeholder":
            found += _placeholder_inputs(node)
            continue
        sig = ctx.sigs[node.index]
        found += _check_owner(ctx, scope, node, comp.inputs, sig, outline)
    return found


def _check_owner(
    ctx: FlowContext,
    scope: Scope,
    node: Node | None,
    inputs: Sequence[FlowInput],
    sig: Signature | None,
    skip_missing: bool,
) -> list[Issue]:
    """Check the inputs of the trigger (node None) or of one component."""
    base: tuple[str | int, ...] = ("trigger",) if node is None else ("components", node.index)
    order = node.order if node is not None else None
    found: list[Issue] = []
    allowed = _allowed_names(ctx, node, sig)
    siblings = ctx.trigger_values if node is None else ctx.values[node.index]
    token = node.token if node is not None else None
    for position, item in enumerate(inputs):
        site = Site((*base, "inputs", position, "value"), order, node)
        scan = scan_pills(item.value)
        if scan.pills or scan.problems:
            found += _pill_issues(scan, site, scope)
        if allowed is not None and item.name not in allowed:
            found.append(_unknown_input(base, position, item.name, allowed, order, sig))
            continue
        param = sig.inputs.get(item.name) if sig is not None else None
        if param is not None and item.value:
            found += check_value(param, item.value, scan, site, scope, siblings, token)
    if sig is not None and not skip_missing:
        found += _missing(base, siblings, sig, order)
    return found


def _allowed_names(
    ctx: FlowContext, node: Node | None, sig: Signature | None
) -> Collection[str] | None:
    """Return the input names a trigger/component may have, or None when any name goes."""
    if sig is None:
        return None
    if node is not None and node.token == "ASSIGNSUBFLOWOUTPUTS":
        if not ctx.is_subflow:
            return None  # the block itself is reported (unknown_flowlogic); its names are moot
        outputs = ctx.flow.outputs
        return {v.name for v in outputs.items} if outputs is not None else set()
    if sig.variadic:
        return None
    return sig.inputs.keys()


def _pill_issues(scan: PillScan, site: Site, scope: Scope) -> list[Issue]:
    """Return pill syntax and pill resolution issues of one value."""
    found: list[Issue] = []
    for problem in scan.problems:
        fragment = problem.fragment[:_MAX_FRAGMENT] + (
            "…" if len(problem.fragment) > _MAX_FRAGMENT else ""
        )
        message = f"bad pill {fragment!r}: {problem.reason}"
        found.append(issue("pill_syntax", site.path, message, problem.hint, site.order))
    for pill in scan.pills:
        resolved = scope.resolve(pill, site.user)
        if isinstance(resolved, PillError):
            found.append(
                issue(resolved.code, site.path, resolved.message, resolved.hint, site.order)
            )
    return found


def _unknown_input(
    base: tuple[str | int, ...],
    position: int,
    name: str,
    allowed: Collection[str],
    order: int | None,
    sig: Signature | None,
) -> Issue:
    """Return the issue for an input name the signature does not have, with close names."""
    owner = f"{sig.kind} {sig.name}" if sig is not None else "this step"
    close = difflib.get_close_matches(name, sorted(allowed), n=3, cutoff=0.6)
    hint = f"Did you mean {', '.join(close)}? " if close else ""
    hint += f"Inputs of {owner}: {names_text(sorted(allowed))}."
    message = f"{owner} has no input {shown(name)}"
    return issue("unknown_input", pointer(*base, "inputs", position, "name"), message, hint, order)


def _missing(
    base: tuple[str | int, ...], values: dict[str, str], sig: Signature, order: int | None
) -> list[Issue]:
    """Report mandatory inputs that are absent or empty."""
    missing = [p for p in sig.required if not values.get(p.name, "").strip()]
    if not missing:
        return []
    names = ", ".join(p.name for p in missing)
    types = "; ".join(f"{p.name} ({p.type})" for p in missing)
    return [
        issue(
            "missing_required_input",
            pointer(*base, "inputs"),
            f"{sig.kind} {sig.name} lacks required input(s) {names}",
            f"Add non-empty values for: {types}.",
            order,
        )
    ]


def _placeholder_inputs(node: Node) -> list[Issue]:
    """A placeholder carries only its annotation: every input is unknown."""
    return [
        issue(
            "unknown_input",
            pointer("components", node.index, "inputs", position, "name"),
            f"placeholder step {node.order} has an input {shown(item.name)}",
            "A placeholder carries only its annotation; remove its inputs.",
            node.order,
        )
        for position, item in enumerate(node.component.inputs)
    ]
