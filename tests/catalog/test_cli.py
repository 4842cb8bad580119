"""`flowgen catalog` output and exit codes, run through the real dispatcher."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.main import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run `flowgen catalog ARGV…` and return (exit code, stdout, stderr)."""
    code = main(["catalog", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_tables_lists_demo_tables(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "tables")
    assert code == 0
    assert out.splitlines()[0].split() == ["NAME", "LABEL", "EXTENDS", "COLUMNS"]
    assert any(line.split()[:3] == ["incident", "Incident", "task"] for line in out.splitlines())


def test_tables_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "tables", "--json")
    rows = {r["name"]: r for r in json.loads(out)}
    assert code == 0 and len(rows) >= 40
    assert rows["incident"]["parent"] == "task"
    assert rows["incident"]["columns"] > rows["incident"]["own_columns"]


def test_table_marks_inherited_columns(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "table", "incident", "--json")
    columns = {c["name"]: c for c in json.loads(out)["columns"]}
    assert code == 0
    assert columns["number"]["inherited_from"] == "task"
    assert columns["sys_id"]["inherited_from"] == "task"
    assert "inherited_from" not in columns["state"]
    assert {"value": "6", "label": "Resolved"} in columns["state"]["choices"]


def test_table_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "table", "incident")
    assert code == 0
    assert out.startswith("incident: Incident\nextends: task")
    number = next(line for line in out.splitlines() if line.startswith("number "))
    assert number.split()[-1] == "task"
    assert "6=Resolved" in out


def test_unknown_table_suggests(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "table", "incidnet")
    assert code == 2 and out == ""
    assert err.strip() == (
        "flowgen catalog: error: unknown table 'incidnet'; did you mean: incident, incident_task?"
    )


def test_actions_by_scope(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "actions", "--scope", "sn_jira_spoke", "--json")
    assert code == 0
    assert {a["name"] for a in json.loads(out)} == {"create_issue", "update_issue", "get_issue"}
    code, _, err = run(capsys, "actions", "--scope", "nope")
    assert code == 2 and "no actions in scope 'nope'" in err


def test_action_detail(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "action", "update_record", "--json")
    view = json.loads(out)
    assert code == 0 and view["scope"] == "global"
    assert [(p["name"], p["type"]) for p in view["inputs"]] == [
        ("table_name", "table_name"),
        ("record", "reference"),
        ("values", "template_value"),
    ]
    code, out, _ = run(capsys, "action", "post_a_message")
    assert code == 0 and out.startswith("sn_ms_teams_ah/post_a_message (action)")


def test_unknown_action_suggests(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "action", "look_up_recrd")
    assert code == 2 and "did you mean: look_up_record" in err
    code, _, err = run(capsys, "action", "log", "--scope", "sn_slack_ah")
    assert code == 2 and "unknown action in scope 'sn_slack_ah'" in err


def test_action_in_several_scopes_needs_scope(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "action", "post_incident_details")
    assert code == 2
    assert "add --scope sn_ms_teams_ah or sn_slack_ah" in err
    code, out, _ = run(capsys, "action", "post_incident_details", "--scope", "sn_slack_ah")
    assert code == 0 and out.startswith("sn_slack_ah/post_incident_details")


def test_triggers_and_trigger(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "triggers", "--json")
    assert code == 0 and len(json.loads(out)) == 13
    code, out, _ = run(capsys, "trigger", "record_update")
    assert code == 0 and "trigger_strategy" in out and "changed_fields" in out
    code, _, err = run(capsys, "trigger", "record_updated")
    assert code == 2 and "did you mean: record_update" in err


def test_logic(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "logic", "--json")
    assert code == 0 and len(json.loads(out)) == 16
    code, out, _ = run(capsys, "logic", "foreach", "--json")
    assert code == 0 and json.loads(out)["outputs"][0]["name"] == "item"


def test_custom_catalog_and_bad_catalog(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "acme.yaml"
    path.write_text("tables:\n  - name: u_thing\n    label: Thing\n", encoding="utf-8")
    code, out, _ = run(capsys, "tables", "--catalog", str(path))
    assert code == 0 and "u_thing" in out and "incident" not in out
    code, out, err = run(capsys, "tables", "--catalog", str(tmp_path / "missing"))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "cannot load catalog" in err and "no such file" in err


def test_catalog_without_subcommand_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys)
    assert code == 2 and "tables" in out and "logic" in out


def test_check_reports_dangling_references(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "check")
    assert code == 0 and out.startswith("demo: ") and "0 warning(s)" in out
    path = tmp_path / "c.json"
    column = {"name": "caller_id", "label": "Caller", "type": "reference", "reference": "sys_user"}
    path.write_text(json.dumps({"tables": [{"name": "t", "label": "T", "columns": [column]}]}))
    code, out, _ = run(capsys, "check", "--catalog", str(path), "--json")
    assert code == 1
    assert json.loads(out)["warnings"] == [
        "column t.caller_id references table 'sys_user', which is not in the catalog"
    ]
