"""Loader behaviour: merging files, system columns, and one clear error per bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from catalog import DEMO_DIR, CatalogError, check_catalog, load_catalog

TABLES = {
    "tables": [
        {
            "name": "task",
            "label": "Task",
            "columns": [{"name": "number", "label": "Number", "type": "string"}],
        },
        {"name": "incident", "label": "Incident", "parent": "task", "columns": []},
    ]
}
ACTION = {"name": "log", "label": "Log", "inputs": [{"name": "log_message", "type": "string"}]}


def write(path: Path, data: object) -> Path:
    """Write `data` as JSON to `path` (creating folders) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def load_error(path: Path) -> str:
    """Return the CatalogError message that loading `path` raises."""
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_folder_merges_json_and_yaml_files(tmp_path: Path) -> None:
    write(tmp_path / "tables" / "task.json", TABLES)
    (tmp_path / "actions.yaml").write_text(
        "instance: acme\nactions:\n  - name: log\n    label: Log\n", encoding="utf-8"
    )
    catalog = load_catalog(tmp_path)
    assert catalog.instance == "acme"
    assert [t.name for t in catalog.tables] == ["task", "incident"]
    assert catalog.action("log") is not None
    assert catalog.column("incident", "number") is not None


def test_single_file_and_default_instance_name(tmp_path: Path) -> None:
    catalog = load_catalog(write(tmp_path / "shop.json", TABLES))
    assert catalog.instance == "shop"


def test_system_columns_added_to_root_tables_only(tmp_path: Path) -> None:
    data = {"tables": [*TABLES["tables"], {"name": "sys_user", "label": "User"}]}
    catalog = load_catalog(write(tmp_path / "c.json", data))
    task = catalog.table("task")
    incident = catalog.table("incident")
    assert task is not None and incident is not None
    assert {"sys_id", "sys_created_on", "sys_class_name"} <= {c.name for c in task.columns}
    assert incident.columns == ()
    assert catalog.column("incident", "sys_updated_by") is not None
    assert catalog.column("sys_user", "sys_id") is not None
    # sys_class_name exists only where some table extends the root.
    assert catalog.column("sys_user", "sys_class_name") is None


def test_own_system_column_wins(tmp_path: Path) -> None:
    own = {"name": "sys_id", "label": "Identifier", "type": "GUID"}
    catalog = load_catalog(
        write(tmp_path / "c.json", {"tables": [{"name": "t", "label": "T", "columns": [own]}]})
    )
    column = catalog.column("t", "sys_id")
    assert column is not None and column.label == "Identifier"


def test_missing_path(tmp_path: Path) -> None:
    assert "no such file or folder" in load_error(tmp_path / "nope.json")


def test_empty_folder(tmp_path: Path) -> None:
    assert "holds no .json, .yaml or .yml" in load_error(tmp_path)


def test_invalid_json_names_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"tables": [\n  {"name": }\n]}', encoding="utf-8")
    message = load_error(path)
    assert "bad.json" in message and "invalid JSON at line 2" in message


def test_invalid_yaml(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("tables: [\n  - {name: x\n", encoding="utf-8")
    assert "invalid YAML" in load_error(path)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_bytes(b'{"instance": "\xff\xfe"}')
    assert "not UTF-8" in load_error(path)


@pytest.mark.parametrize(("content", "kind"), [("[1, 2]", "list"), ("", "empty"), ('"x"', "str")])
def test_wrong_top_level_type(tmp_path: Path, content: str, kind: str) -> None:
    path = tmp_path / ("c.yaml" if content == "" else "c.json")
    path.write_text(content, encoding="utf-8")
    message = load_error(path)
    assert "top level must be an object" in message and kind in message


def test_schema_violation_shows_location(tmp_path: Path) -> None:
    bad = {"actions": [{**ACTION, "inputs": [{"name": "x", "type": "text"}]}]}
    message = load_error(write(tmp_path / "c.json", bad))
    assert "actions.0.inputs.0.type" in message


def test_schema_violation_lists_first_few(tmp_path: Path) -> None:
    bad = {"tables": [{"name": f"t{i}"} for i in range(5)]}
    message = load_error(write(tmp_path / "c.json", bad))
    assert "tables.0.label" in message and "(+2 more)" in message


def test_unknown_top_level_key(tmp_path: Path) -> None:
    message = load_error(write(tmp_path / "c.json", {"tabels": []}))
    assert "tabels" in message


def test_duplicate_table_names_both_files(tmp_path: Path) -> None:
    first = write(tmp_path / "a.json", TABLES)
    second = write(tmp_path / "b.json", {"tables": [TABLES["tables"][0]]})
    message = load_error(tmp_path)
    assert "duplicate table 'task'" in message
    assert str(first) in message and str(second) in message


def test_duplicate_action_needs_same_scope(tmp_path: Path) -> None:
    write(tmp_path / "a.json", {"actions": [ACTION]})
    write(tmp_path / "b.json", {"actions": [{**ACTION, "scope": "x_acme"}]})
    assert len(load_catalog(tmp_path).actions_named("log")) == 2
    write(tmp_path / "c.json", {"actions": [ACTION]})
    assert "duplicate action 'global/log'" in load_error(tmp_path)


def test_duplicate_trigger_and_token(tmp_path: Path) -> None:
    write(tmp_path / "a.json", {"triggers": [{"type": "daily", "label": "Daily"}] * 2})
    assert "duplicate trigger 'daily'" in load_error(tmp_path)
    write(tmp_path / "a.json", {"flow_logic": [{"token": "IF", "label": "If"}]})
    write(tmp_path / "b.json", {"flow_logic": [{"token": "IF", "label": "If"}]})
    assert "duplicate flow-logic token 'IF'" in load_error(tmp_path)


def test_missing_parent(tmp_path: Path) -> None:
    data = {"tables": [{"name": "incident", "label": "Incident", "parent": "task"}]}
    message = load_error(write(tmp_path / "c.json", data))
    assert "'incident' extends 'task', which is not in the catalog" in message


def test_inheritance_loop(tmp_path: Path) -> None:
    data = {
        "tables": [
            {"name": "a", "label": "A", "parent": "b"},
            {"name": "b", "label": "B", "parent": "a"},
        ]
    }
    assert "inheritance loops" in load_error(write(tmp_path / "c.json", data))


def test_duplicate_column(tmp_path: Path) -> None:
    column = {"name": "x", "label": "X", "type": "string"}
    data = {"tables": [{"name": "t", "label": "T", "columns": [column, column]}]}
    assert "defines column 'x' twice" in load_error(write(tmp_path / "c.json", data))


def test_conflicting_instance_names(tmp_path: Path) -> None:
    write(tmp_path / "a.json", {"instance": "one"})
    write(tmp_path / "b.json", {"instance": "two"})
    assert "conflicting instance names" in load_error(tmp_path)


def test_dangling_references_are_warnings(tmp_path: Path) -> None:
    ref = {"name": "caller_id", "label": "Caller", "type": "reference", "reference": "sys_user"}
    action = {
        "name": "a",
        "label": "A",
        "inputs": [{"name": "record", "type": "reference", "table_from": "table"}],
        "outputs": [{"name": "email", "type": "reference", "reference": "sys_email"}],
    }
    data = {"tables": [{"name": "t", "label": "T", "columns": [ref]}], "actions": [action]}
    warnings = check_catalog(load_catalog(write(tmp_path / "c.json", data)))
    assert len(warnings) == 3
    assert any("t.caller_id" in w and "sys_user" in w for w in warnings)
    assert any("'record'" in w and "'table'" in w for w in warnings)
    assert any("'email'" in w and "sys_email" in w for w in warnings)


def test_docs_example_extends_a_copy_of_the_demo(tmp_path: Path) -> None:
    docs = Path(__file__).resolve().parents[2] / "docs" / "catalog.md"
    example = docs.read_text(encoding="utf-8").split("```yaml\n", 1)[1].split("```", 1)[0]
    shutil.copytree(DEMO_DIR, tmp_path / "my_catalog")
    (tmp_path / "my_catalog" / "acme.yaml").write_text(example, encoding="utf-8")
    catalog = load_catalog(tmp_path / "my_catalog")
    assert catalog.instance == "acme"
    assert catalog.column("u_laptop_request", "assigned_to") is not None
    assert catalog.action("order_laptop", "x_acme_procure") is not None
    assert check_catalog(catalog) == []
