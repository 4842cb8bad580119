"""The demo instance holds what the spec names, with real ServiceNow names and values."""

from __future__ import annotations

import pytest

from catalog import check_catalog, demo_catalog, load_catalog
from schemas.catalog import Catalog, Column

# servicenow-core-catalog.md §1 (definition column), literally.
CORE_ACTIONS = [
    "add_worknote_link_to_context",
    "ask_for_approval",
    "associate_record_to_email",
    "copy_attachment",
    "create_catalog_task",
    "create_or_update_record",
    "create_record",
    "create_task",
    "delete_attachment",
    "delete_record",
    "fire_event",
    "get_attachments_on_record",
    "get_catalog_variables",
    "get_email_header",
    "get_latest_response_text_from_email",
    "log",
    "look_up_email_attachments",
    "look_up_record",
    "look_up_records",
    "look_up_attachment",
    "move_attachment",
    "move_email_attachments_to_record",
    "record_producer",
    "send_email",
    "send_notification",
    "send_sms",
    "sla_percentage_timer",
    "submit_catalog_item_request",
    "update_multiple_records",
    "update_record",
    "wait_for_condition",
    "wait_for_email_reply",
    "wait_for_message",
]
# flow-format.md §1 trigger types and §2 tokens.
TRIGGERS = [
    "record_create",
    "record_update",
    "record_create_or_update",
    "daily",
    "weekly",
    "monthly",
    "repeat",
    "run_once",
    "email",
    "sla_task",
    "service_catalog",
    "metric",
    "rest_async",
]
TOKENS = [
    "IF",
    "ELSEIF",
    "ELSE",
    "FOREACH",
    "DOUNTIL",
    "PARALLEL",
    "PATH",
    "TRY",
    "CATCH",
    "EXITLOOP",
    "SKIPITERATION",
    "ENDFLOW",
    "WAITFORADURATION",
    "SETFLOWVARIABLES",
    "APPENDTOFLOWVARIABLES",
    "ASSIGNSUBFLOWOUTPUTS",
]
NO_BODY = {
    "EXITLOOP",
    "SKIPITERATION",
    "ENDFLOW",
    "WAITFORADURATION",
    "SETFLOWVARIABLES",
    "APPENDTOFLOWVARIABLES",
    "ASSIGNSUBFLOWOUTPUTS",
}


@pytest.fixture(scope="module")
def demo() -> Catalog:
    """Return the demo catalog."""
    return demo_catalog()


def column(catalog: Catalog, table: str, name: str) -> Column:
    """Return a column that must exist."""
    found = catalog.column(table, name)
    assert found is not None, f"{table}.{name} missing"
    return found


def choices(catalog: Catalog, table: str, name: str) -> dict[str, str]:
    """Return a column's choices as value -> label."""
    return {c.value: c.label for c in column(catalog, table, name).choices}


def test_load_none_is_cached_demo() -> None:
    assert load_catalog(None) is demo_catalog()
    assert demo_catalog().instance == "demo"


def test_every_core_action_is_global(demo: Catalog) -> None:
    assert len(CORE_ACTIONS) == 33
    missing = [a for a in CORE_ACTIONS if demo.action(a) is None]
    assert missing == []
    assert {a.name for a in demo.actions if a.scope == "global"} == set(CORE_ACTIONS)


def test_every_trigger_and_token(demo: Catalog) -> None:
    assert {t.type for t in demo.triggers} == set(TRIGGERS)
    assert {f.token for f in demo.flow_logic} == set(TOKENS)
    for token in TOKENS:
        logic = demo.logic(token)
        assert logic is not None and logic.has_body == (token not in NO_BODY), token


def test_spoke_actions_in_their_scopes(demo: Catalog) -> None:
    assert demo.action("post_a_message", "sn_ms_teams_ah") is not None
    assert demo.action("post_message", "sn_slack_ah") is not None
    for name in ("create_issue", "update_issue", "get_issue"):
        assert demo.action(name, "sn_jira_spoke") is not None
    assert demo.action("post_a_message") is None  # not global


def test_enough_tables_and_nothing_dangling(demo: Catalog) -> None:
    assert len(demo.tables) >= 40
    assert check_catalog(demo) == []


def test_every_action_has_label_and_description(demo: Catalog) -> None:
    for action in demo.actions:
        assert action.label and action.description, action.key


def test_action_signatures_follow_spec(demo: Catalog) -> None:
    update = demo.action("update_record")
    assert update is not None
    inputs = {p.name: p for p in update.inputs}
    assert [p.name for p in update.inputs] == ["table_name", "record", "values"]
    assert all(p.mandatory for p in update.inputs)
    assert inputs["values"].type == "template_value" and inputs["values"].table_from == "table_name"
    records = demo.action("look_up_records")
    assert records is not None
    params = {p.name: p for p in records.inputs}
    assert params["conditions"].table_from == "table" and params["max_results"].default == "1000"
    assert {o.name: o.type for o in records.outputs} == {
        "records": "records",
        "count": "integer",
        "table": "table_name",
    }
    task = demo.action("create_catalog_task")
    assert task is not None
    fields = next(p for p in task.inputs if p.name == "ah_fields")
    assert fields.reference == "sc_task"
    assert [o.name for o in task.outputs] == ["catalog_task"]


def test_trigger_pills(demo: Catalog) -> None:
    update = demo.trigger("record_update")
    assert update is not None and update.record_based
    outputs = {o.name: o for o in update.outputs}
    assert outputs["current"].table_from == "table"
    assert "changed_fields" in outputs
    email = demo.trigger("email")
    assert email is not None
    assert {"inbound_email", "subject", "body_text", "user", "from_address", "target_record"} <= {
        o.name for o in email.outputs
    }
    catalog_trigger = demo.trigger("service_catalog")
    assert catalog_trigger is not None
    assert {o.name: o.reference for o in catalog_trigger.outputs}["request_item"] == "sc_req_item"
    sla = demo.trigger("sla_task")
    assert sla is not None and sla.outputs[0].reference == "task_sla"


def test_flow_logic_inputs(demo: Catalog) -> None:
    foreach = demo.logic("FOREACH")
    assert foreach is not None
    assert [o.name for o in foreach.outputs] == ["item"]
    assert foreach.inputs[0].type in {"records", "array"} and foreach.inputs[0].mandatory
    for token in ("IF", "ELSEIF", "DOUNTIL"):
        logic = demo.logic(token)
        assert logic is not None and logic.inputs[0].type == "conditions"
    for token in ("SETFLOWVARIABLES", "APPENDTOFLOWVARIABLES", "ASSIGNSUBFLOWOUTPUTS"):
        logic = demo.logic(token)
        assert logic is not None and logic.variadic_inputs


def test_incident_inherits_from_task(demo: Catalog) -> None:
    assert column(demo, "incident", "number").type == "string"
    assert column(demo, "incident", "assigned_to").reference == "sys_user"
    assert column(demo, "incident", "work_notes").type == "journal_input"
    assert choices(demo, "incident", "state") == {
        "1": "New",
        "2": "In Progress",
        "3": "On Hold",
        "6": "Resolved",
        "7": "Closed",
        "8": "Canceled",
    }
    assert choices(demo, "task", "state")["-5"] == "Pending"
    incident = demo.table("incident")
    assert incident is not None and all(c.name != "number" for c in incident.columns)


def test_real_choice_values(demo: Catalog) -> None:
    assert choices(demo, "change_request", "type") == {
        "standard": "Standard",
        "normal": "Normal",
        "emergency": "Emergency",
    }
    assert choices(demo, "change_request", "state")["-1"] == "Implement"
    assert choices(demo, "problem", "state")["107"] == "Closed"
    assert choices(demo, "incident", "priority")["1"] == "1 - Critical"
    assert choices(demo, "change_request", "approval")["not requested"] == "Not Yet Requested"
    assert "fulfillment" in choices(demo, "sc_req_item", "stage")


def test_real_references(demo: Catalog) -> None:
    assert column(demo, "sys_user", "manager").reference == "sys_user"
    assert column(demo, "sc_req_item", "request").reference == "sc_request"
    assert column(demo, "sc_task", "request_item").reference == "sc_req_item"
    assert column(demo, "task_sla", "task").reference == "task"
    assert column(demo, "cmdb_ci_win_server", "os").type == "string"
    assert [t.name for t in demo.lineage("cmdb_ci_linux_server")] == [
        "cmdb_ci_linux_server",
        "cmdb_ci_server",
        "cmdb_ci_computer",
        "cmdb_ci_hardware",
        "cmdb_ci",
    ]
    assert column(demo, "incident", "sys_class_name").type == "sys_class_name"
