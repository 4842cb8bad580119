"""Flows shared by the chat tests."""

from __future__ import annotations

from schemas.flow import Flow

INACTIVE_USER = {
    "name": "Reassign incidents of inactive users",
    "trigger": {
        "type": "record_update",
        "annotation": "When a user becomes inactive",
        "inputs": [
            {"name": "table", "value": "sys_user"},
            {"name": "condition", "value": "active=false"},
        ],
    },
    "components": [
        {
            "category": "action",
            "definition": "look_up_records",
            "order": 1,
            "annotation": "find the incidents of that user",
            "inputs": [
                {"name": "table", "value": "incident"},
                {"name": "conditions", "value": "assigned_to={{trigger.current.sys_id}}"},
            ],
        },
        {
            "category": "flowlogic",
            "definition": "FOREACH",
            "order": 2,
            "annotation": "for each of them",
            "inputs": [{"name": "items", "value": "{{step_1.records}}"}],
        },
        {
            "category": "action",
            "definition": "update_record",
            "order": 3,
            "block": 2,
            "annotation": "assign it to the manager",
            "inputs": [
                {"name": "table_name", "value": "incident"},
                {"name": "record", "value": "{{step_2.item}}"},
                {"name": "values", "value": "assigned_to={{trigger.current.manager}}"},
            ],
        },
        {
            "category": "action",
            "definition": "log",
            "order": 4,
            "annotation": "log it",
            "inputs": [{"name": "log_message", "value": "done {{step_1.count}}"}],
        },
    ],
}


def inactive_user() -> Flow:
    """Return the example flow of flow-format §1 plus a trailing log step."""
    return Flow.model_validate(INACTIVE_USER)
