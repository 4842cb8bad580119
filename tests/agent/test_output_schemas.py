"""Output schemas: candidate enums, and agreement with the pydantic output models."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from agent.output_schemas import inputs_schema, outline_schema
from schemas.flow import Outline

STEPS = [
    {"category": "action", "definition": "look_up_records", "scope": "global", "label": "L"},
    {"category": "action", "definition": "post_message", "scope": "sn_ms_teams_ah", "label": "P"},
    {"category": "flowlogic", "definition": "FOREACH", "scope": "global", "label": "F"},
]
TRIGGERS = [{"type": "record_update", "label": "Updated"}, {"type": "daily", "label": "Daily"}]
OUTLINE: dict[str, Any] = {
    "name": "n",
    "trigger": {"type": "record_update", "annotation": "when"},
    "components": [
        {"category": "action", "definition": "look_up_records", "scope": "global", "order": 1,
         "block": None, "annotation": "find"},
        {"category": "flowlogic", "definition": "FOREACH", "scope": "global", "order": 2,
         "block": None, "annotation": "each"},
        {"category": "placeholder", "definition": "PLACEHOLDER", "scope": "global", "order": 3,
         "block": 2, "annotation": "something the catalog cannot do"},
    ],
}


def test_outline_schema_accepts_a_candidate_outline_that_pydantic_accepts() -> None:
    jsonschema.validate(OUTLINE, outline_schema(STEPS, TRIGGERS))
    Outline.model_validate(OUTLINE)


@pytest.mark.parametrize(
    ("path", "value"),
    [(("components", 0, "definition"), "invented_action"),
     (("components", 0, "scope"), "sn_ms_teams_ah"),  # right name, wrong scope
     (("trigger", "type"), "record_create")],
)
def test_outline_schema_rejects_non_candidates(path: tuple, value: str) -> None:
    import copy

    bad = copy.deepcopy(OUTLINE)
    target: Any = bad
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, outline_schema(STEPS, TRIGGERS))


def test_inputs_schema_enumerates_choices_tables_and_names() -> None:
    params = [
        {"name": "table", "type": "table_name", "mandatory": True, "choices": []},
        {"name": "sort_type", "type": "choice", "mandatory": False,
         "choices": [{"value": "sort_asc", "label": "A"}, {"value": "sort_desc", "label": "D"}]},
        {"name": "conditions", "type": "conditions", "mandatory": False, "choices": []},
    ]
    schema = inputs_schema(params, [{"name": "incident", "label": "Incident"}])
    ok = {"inputs": [{"name": "table", "value": "incident"},
                     {"name": "sort_type", "value": "sort_desc"},
                     {"name": "conditions", "value": "active=true"}]}
    jsonschema.validate(ok, schema)
    for bad in ({"name": "table", "value": "problem"}, {"name": "sort_type", "value": "up"},
                {"name": "nope", "value": "x"}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({"inputs": [bad]}, schema)


def test_free_named_inputs_allow_any_name() -> None:
    jsonschema.validate({"inputs": [{"name": "approver", "value": "x"}]}, inputs_schema([]))
