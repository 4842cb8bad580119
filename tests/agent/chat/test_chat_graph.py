"""The chat graph end to end with a scripted model: generate, edit, accept, undo, resume."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from langgraph.checkpoint.sqlite import SqliteSaver

from agent.chat.session import ChatSession
from agent.chat.versions import current_version, pending_version
from agent.scripted import ScriptedChatModel
from catalog import demo_catalog
from schemas.flow import Flow
from tests.agent.chat.helpers import REQUIREMENT, SPEC, scripted_session
from validator import validate


def _flow(session: ChatSession) -> Flow:
    version = current_version(session.state())
    assert version is not None
    return version.as_flow()


def _errors(flow: Flow) -> list[str]:
    issues = validate(flow.model_dump(mode="json", exclude_none=True), demo_catalog())
    return [i.code for i in issues if i.is_error]


def test_three_turns_change_only_what_was_asked() -> None:
    chat = scripted_session()
    chat.send(REQUIREMENT)
    assert current_version(chat.state()) is None  # nothing replaces the flow before /accept
    assert chat.send("/accept") == "accepted as version 1"
    v1 = _flow(chat)
    assert [c.definition for c in v1.components] == ["look_up_records", "FOREACH", "update_record"]

    reply = chat.send("also email the user about each reassigned incident")
    assert "+ step 4 action send_email" in reply
    chat.send("/accept")
    v2 = _flow(chat)
    assert v2.components[:3] == v1.components and v2.trigger == v1.trigger
    email = v2.components[3]
    assert (email.definition, email.block) == ("send_email", 2)
    assert {i.name: i.value for i in email.inputs}["ah_subject"] == "Incident reassigned"
    assert _errors(v2) == []

    chat.send("use the problem table instead")
    chat.send("/accept")
    v3 = _flow(chat)
    assert v3.components[0].inputs[0].value == "problem"
    assert v3.components[2].inputs[0].value == "problem"
    assert v3.components[1] == v2.components[1] and v3.components[3] == v2.components[3]
    assert v3.trigger == v2.trigger
    assert _errors(v3) == []


def test_undo_restores_an_earlier_version_as_a_new_one() -> None:
    chat = scripted_session()
    for text in (REQUIREMENT, "/accept", "also email the user", "/accept"):
        chat.send(text)
    v1 = chat.state()["versions"][0]["flow"]
    assert chat.send("/undo") == "version 3 restores an earlier flow"
    assert _flow(chat).model_dump(mode="json", exclude_none=True) == v1
    assert chat.send("/undo 2").startswith("version 4")
    assert len(_flow(chat).components) == 4
    assert chat.send("/undo 9").startswith("error: no version 9")
    history = chat.send("/history")
    assert history.splitlines()[-1] == "* v4 [valid] /undo 2"


def test_message_before_accept_edits_the_proposal() -> None:
    chat = scripted_session()
    chat.send(REQUIREMENT)
    chat.send("/accept")
    chat.send("also email the user")
    chat.send("use the problem table instead")
    state = chat.state()
    proposal = pending_version(state)
    assert proposal is not None and proposal.message.endswith("+ use the problem table instead")
    assert len(state["versions"]) == 1
    diff = chat.send("/diff")
    assert "send_email" in diff and "'incident' -> 'problem'" in diff
    assert chat.send("/reject") == "proposal dropped"
    assert pending_version(chat.state()) is None


def test_an_edit_that_breaks_the_flow_gets_a_repair_round() -> None:
    lonely = {"reply": "parallel", "ops": [{"op": "wrap", "refs": [3], "logic": "PARALLEL"}]}
    path = {
        "category": "flowlogic",
        "definition": "PATH",
        "children": [
            {
                "category": "action",
                "definition": "log",
                "annotation": "log it",
                "inputs": [{"name": "log_message", "value": "reassigned"}],
            }
        ],
    }
    fix = {
        "reply": "second path",
        "ops": [{"op": "add", "step": path, "where": {"position": "last_in", "ref": 3}}],
    }
    chat = scripted_session(edits=[lonely, fix])
    chat.send(REQUIREMENT)
    chat.send("/accept")
    chat.send("run the reassignment in parallel with a log")
    model = chat.context.models[SPEC]
    assert isinstance(model, ScriptedChatModel)
    assert len(model.calls_for("edit")) == 2
    assert "parallel_too_few_paths" in model.calls_for("edit")[1].prompt
    proposal = pending_version(chat.state())
    assert proposal is not None and proposal.status == "valid"
    assert [c.definition for c in proposal.as_flow().components] == [
        "look_up_records",
        "FOREACH",
        "PARALLEL",
        "PATH",
        "update_record",
        "PATH",
        "log",
    ]


def test_unusable_model_output_leaves_the_flow_alone() -> None:
    chat = scripted_session(edits=["this is not json"])
    chat.send(REQUIREMENT)
    chat.send("/accept")
    reply = chat.send("do something")
    assert "no changes" in reply and "model output unusable" in reply
    assert pending_version(chat.state()) is None


def test_conversation_survives_a_restart_on_sqlite(tmp_path: Path) -> None:
    db = tmp_path / "chat.sqlite"
    with sqlite3.connect(db, check_same_thread=False) as conn:
        first = scripted_session(saver=SqliteSaver(conn), thread="abc")
        first.send(REQUIREMENT)
        first.send("/accept")
        first.send("also email the user")
    conn.close()
    with sqlite3.connect(db, check_same_thread=False) as conn:
        again = scripted_session(saver=SqliteSaver(conn), thread="abc")
        assert again.status_line() == (
            "thread abc: version 1, a proposal is pending (/diff, /accept)"
        )
        assert again.send("/accept") == "accepted as version 2"
        assert len(_flow(again).components) == 4
        other = scripted_session(saver=SqliteSaver(conn), thread="other")
        assert other.status_line() == "thread other: new conversation"
    conn.close()


@pytest.mark.parametrize("command", ["/accept", "/reject", "/diff", "/show", "/frobnicate"])
def test_commands_on_an_empty_conversation_answer_with_an_error(command: str) -> None:
    assert scripted_session().send(command).startswith("error: ")


def test_a_failing_model_call_is_reported_and_changes_nothing() -> None:
    chat = scripted_session(edits=[{"error": "auth"}])
    chat.send(REQUIREMENT)
    chat.send("/accept")
    reply = chat.send("add a log step")
    assert reply.startswith("could not edit the flow: ")
    assert pending_version(chat.state()) is None
    assert chat.send("/history").splitlines()[-1].startswith("* v1")


def test_new_trigger_without_inputs_is_filled_and_steps_stay() -> None:
    edit = {"reply": "on create", "ops": [{"op": "set_trigger", "type": "record_create"}]}
    chat = scripted_session(edits=[edit])
    chat.send(REQUIREMENT)
    chat.send("/accept")
    before = _flow(chat)
    reply = chat.send("run it when the user is created instead")
    assert "~ trigger: 'record_update' -> 'record_create'" in reply
    proposal = pending_version(chat.state())
    assert proposal is not None and proposal.status == "valid"
    flow = proposal.as_flow()
    assert flow.trigger is not None
    assert [(i.name, i.value) for i in flow.trigger.inputs] == [
        ("table", "sys_user"),
        ("condition", "active=false"),
    ]
    assert flow.components == before.components


def test_unusable_answer_is_shown_to_the_model_and_retried() -> None:
    add = {
        "reply": "logged",
        "ops": [
            {
                "op": "add",
                "step": {
                    "category": "action",
                    "definition": "log",
                    "annotation": "log it",
                    "inputs": [{"name": "log_message", "value": "done"}],
                },
            }
        ],
    }
    chat = scripted_session(edits=["{not json", add])
    chat.send(REQUIREMENT)
    chat.send("/accept")
    reply = chat.send("add a log step")
    model = chat.context.models[SPEC]
    assert isinstance(model, ScriptedChatModel)
    calls = model.calls_for("edit")
    assert len(calls) == 2 and "invalid_json" in calls[1].prompt
    assert "+ step 4 action log" in reply
    proposal = pending_version(chat.state())
    assert proposal is not None and proposal.status == "valid"
