"""Check a JSON value's shape against the pydantic flow model (`schema_violation`).

One issue per pydantic error, located by a JSON Pointer built from the error's location, plus
the shape rules pydantic cannot express: input names unique per trigger/component, subflow
variable names unique, and subflow inputs/outputs declared only when the trigger is null.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from schemas.flow import Component, Flow, FlowInput, SubflowVariable, SubflowVariables, Trigger
from schemas.issues import Issue
from validator.issues import issue, names_text, pointer, shown

MAX_SCHEMA_ISSUES = 100
"""Schema issues reported one by one; beyond this, one summary issue counts the rest."""

# Model that owns the keys at a location, keyed by the location's string segments.
_MODEL_AT: dict[tuple[str, ...], type[BaseModel]] = {
    (): Flow,
    ("trigger",): Trigger,
    ("trigger", "inputs"): FlowInput,
    ("components",): Component,
    ("components", "inputs"): FlowInput,
    ("inputs",): SubflowVariables,
    ("outputs",): SubflowVariables,
    ("inputs", "items"): SubflowVariable,
    ("outputs", "items"): SubflowVariable,
}

_TYPE_HINTS: dict[str, str] = {
    "string_type": 'Give a JSON string (input values are strings too, e.g. "true" or "5").',
    "int_type": "Give a whole number.",
    "int_from_float": "Give a whole number.",
    "list_type": "Give a JSON list.",
    "dict_type": "Give a JSON object.",
    "model_type": "Give a JSON object.",
    "model_attributes_type": "Give a JSON object.",
}


def check_shape(doc: object) -> tuple[Flow | None, list[Issue]]:
    """Return the flow model of `doc`, or None and its schema violations."""
    try:
        flow = Flow.model_validate(doc)
    except ValidationError as exc:
        return None, _from_errors(doc, exc.errors(include_url=False), exc.error_count())
    except RecursionError:
        return None, [
            issue("schema_violation", "", "the value is nested too deeply", "Give a flow object.")
        ]
    found = _duplicate_names(flow) + _subflow_fields(flow)
    return (None, found) if found else (flow, [])


def _from_errors(doc: object, errors: Sequence[ErrorDetails], total: int) -> list[Issue]:
    """Turn pydantic errors into issues, capped at MAX_SCHEMA_ISSUES plus a summary."""
    found = [_from_error(doc, e) for e in errors[:MAX_SCHEMA_ISSUES]]
    if total > MAX_SCHEMA_ISSUES:
        found.append(
            issue(
                "schema_violation",
                "",
                f"{total - MAX_SCHEMA_ISSUES} more schema violations not listed",
                "Fix the listed violations first; the rest are often the same mistake.",
            )
        )
    return found


def _from_error(doc: object, error: ErrorDetails) -> Issue:
    """Turn one pydantic error into a located schema_violation."""
    loc = tuple(error["loc"])
    path = pointer(*loc)
    where = path or "the flow"
    kind = error["type"]
    if not loc and kind in ("model_type", "dict_type"):
        message = f"the flow must be a JSON object, got {shown(error.get('input'))}"
    elif kind == "missing":
        message = f"{where}: required field is missing"
    elif kind == "extra_forbidden":
        message = f"{where}: unexpected field {str(loc[-1])!r}"
    else:
        message = f"{where}: {error['msg']}, got {shown(error.get('input'))}"
    return issue("schema_violation", path, message, _hint(loc, kind, error), _order_at(doc, loc))


def _hint(loc: tuple[int | str, ...], kind: str, error: ErrorDetails) -> str:
    """Say how to fix one pydantic error, naming the allowed keys or values."""
    keys = tuple(s for s in loc if isinstance(s, str))
    if kind == "missing":
        return f"Add the field {str(loc[-1])!r}."
    if kind == "extra_forbidden":
        model = _MODEL_AT.get(keys[:-1])
        allowed = names_text(model.model_fields) if model else "see schemas/flow.schema.json"
        return f"Remove {str(loc[-1])!r}; allowed keys here: {allowed}."
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"Use one of {expected}."
    return _TYPE_HINTS.get(kind, "Make the value match the flow format (schemas/flow.schema.json).")


def _order_at(doc: object, loc: tuple[int | str, ...]) -> int | None:
    """Return the `order` of the component an error is inside, when it is readable."""
    if len(loc) < 2 or loc[0] != "components" or not isinstance(loc[1], int):
        return None
    comps = doc.get("components") if isinstance(doc, dict) else None
    if not isinstance(comps, list) or not 0 <= loc[1] < len(comps):
        return None
    comp = comps[loc[1]]
    order = comp.get("order") if isinstance(comp, dict) else None
    return order if isinstance(order, int) and not isinstance(order, bool) else None


def _duplicate_names(flow: Flow) -> list[Issue]:
    """Report an input or subflow variable named twice in the same list."""
    found: list[Issue] = []
    if flow.trigger is not None:
        found += _duplicates(("trigger", "inputs"), (i.name for i in flow.trigger.inputs), None)
    for index, comp in enumerate(flow.components):
        names = (i.name for i in comp.inputs)
        found += _duplicates(("components", index, "inputs"), names, comp.order)
    for key, declared in (("inputs", flow.inputs), ("outputs", flow.outputs)):
        if declared is not None:
            found += _duplicates((key, "items"), (v.name for v in declared.items), None)
    return found


def _duplicates(
    base: tuple[str | int, ...], names: Iterable[str], order: int | None
) -> list[Issue]:
    """Report every repeated name of one list at the position of its repetition."""
    names = list(names)
    if len(set(names)) == len(names):
        return []
    seen: set[str] = set()
    found: list[Issue] = []
    for index, name in enumerate(names):
        if name in seen:
            found.append(
                issue(
                    "schema_violation",
                    pointer(*base, index, "name"),
                    f"{name!r} is given twice in {pointer(*base)}",
                    "Give each name once; merge the two entries into one.",
                    order,
                )
            )
        seen.add(name)
    return found


def _subflow_fields(flow: Flow) -> list[Issue]:
    """Report subflow inputs/outputs declared on a flow that has a trigger."""
    if flow.trigger is None:
        return []
    return [
        issue(
            "schema_violation",
            pointer(key),
            f"a flow with a trigger declares subflow {key}",
            f"Remove {key!r}, or make this a subflow by setting trigger to null.",
        )
        for key in ("inputs", "outputs")
        if getattr(flow, key) is not None
    ]
