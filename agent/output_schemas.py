"""JSON Schemas of the node outputs, with enums built from the candidates of one call.

Constrained decoders (the built-in model, ``hf:`` models) generate under these schemas, so a
small model can only name steps, triggers, inputs and choice values the catalog offers. Prompted
LLMs get the same schema as ``response_format``. Property order is generation order.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from schemas.flow import PLACEHOLDER_DEFINITION, FlowInput

_ORDER: dict[str, Any] = {"type": "integer", "minimum": 1}
_BLOCK: dict[str, Any] = {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "null"}]}
_TEXT: dict[str, Any] = {"type": "string"}


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _component(category: str, definition: str, scope: str) -> dict[str, Any]:
    return _object(
        {
            "category": {"const": category},
            "definition": {"const": definition},
            "scope": {"const": scope},
            "order": _ORDER,
            "block": _BLOCK,
            "annotation": _TEXT,
        }
    )


def outline_schema(steps: list[dict[str, Any]], triggers: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the schema of an `Outline` whose steps and trigger types are the candidates.

    Args:
        steps: candidate steps ``{category, definition, scope, label}`` (the plan variables).
        triggers: candidate triggers ``{type, label}``.
    """
    seen: set[tuple[str, str, str]] = set()
    variants: list[dict[str, Any]] = []
    for step in steps:
        key = (str(step["category"]), str(step["definition"]), str(step.get("scope", "global")))
        if key not in seen:
            seen.add(key)
            variants.append(_component(*key))
    variants.append(_component("placeholder", PLACEHOLDER_DEFINITION, "global"))
    trigger_types = list(dict.fromkeys(str(t["type"]) for t in triggers))
    trigger = _object({"type": {"enum": trigger_types}, "annotation": _TEXT})
    null: dict[str, Any] = {"type": "null"}
    return _object(
        {
            "name": _TEXT,
            "trigger": {"anyOf": [trigger, null]} if trigger_types else null,
            "components": {"type": "array", "items": {"anyOf": variants}},
        }
    )


def _value_schema(param: dict[str, Any], table_names: list[str]) -> dict[str, Any]:
    choices = [str(c["value"]) if isinstance(c, dict) else str(c) for c in param.get("choices", [])]
    if choices:
        return {"enum": choices}
    if param.get("type") == "boolean":
        return {"enum": ["true", "false"]}
    if param.get("type") == "table_name" and table_names:
        return {"enum": table_names}
    return _TEXT


def inputs_schema(
    params: list[dict[str, Any]], tables: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Return the schema of ``{"inputs": [{"name", "value"}]}`` for a step's catalog params.

    Args:
        params: the step's inputs ``{name, type, mandatory, choices, table_from, reference}``;
            empty for free-named inputs (SETFLOWVARIABLES), where any name is allowed.
        tables: candidate tables ``{name, label}``; they become the enum of ``table_name``
            inputs.
    """
    table_names = [str(t["name"]) for t in tables or []]
    if not params:
        item: dict[str, Any] = _object({"name": _TEXT, "value": _TEXT})
    else:
        item = {
            "anyOf": [
                _object({"name": {"const": str(p["name"])}, "value": _value_schema(p, table_names)})
                for p in params
            ]
        }
    return _object({"inputs": {"type": "array", "items": item}})


class FilledInput(BaseModel):
    """One input as a fill model answers it; scalars are read as their string form."""

    model_config = ConfigDict(extra="forbid")

    name: str
    value: str

    @field_validator("value", mode="before")
    @classmethod
    def _scalar_to_text(cls, value: object) -> object:
        # 100 and "100" mean the same input value; lists/objects stay errors.
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        return value

    def to_input(self) -> FlowInput:
        """Return the flow-format input."""
        return FlowInput(name=self.name, value=self.value)


class FilledInputs(BaseModel):
    """What `fill` and `fill_trigger` answer: ``{"inputs": [{"name", "value"}]}``."""

    model_config = ConfigDict(extra="forbid")

    inputs: list[FilledInput] = Field(default_factory=list)
