"""Flows and a scripted chat session shared by the chat tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from langgraph.checkpoint.memory import InMemorySaver

from agent.api import make_context
from agent.chat.session import ChatSession
from agent.scripted import ScriptedChatModel
from agent.settings import load_settings
from catalog import demo_catalog
from chat_graph import build_chat_graph
from schemas.flow import Flow

SCRIPT = Path(__file__).parent / "scripts" / "three_turns.json"
REQUIREMENT = "When a user becomes inactive, reassign their open incidents to their manager"
SPEC = "scripted:test"

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


def scripted_session(
    edits: list[Any] | None = None, saver: Any = None, thread: str = "t"
) -> ChatSession:
    """Return a chat session over the three-turn script (edit outputs replaceable)."""
    script = json.loads(SCRIPT.read_text())
    if edits is not None:
        script["edit"] = edits
    model = ScriptedChatModel(script=script)
    settings = load_settings({"model": SPEC})
    ctx = make_context(settings, catalog=demo_catalog(), models={SPEC: model})
    graph = build_chat_graph(checkpointer=saver or InMemorySaver())
    return ChatSession(graph, thread, ctx)
