"""`flowgen validate`: output, exit codes and bad input, run through the real dispatcher."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from cli.main import main

FLOWS = Path(__file__).resolve().parents[1] / "fixtures" / "flows"
SPEC = FLOWS / "clean" / "spec_example.json"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["validate", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_clean_flow_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, str(SPEC))
    assert code == 0 and err == ""
    assert f"{SPEC}: ok" in out
    assert "1 flow checked: 0 with errors" in out


def test_broken_flow_prints_one_line_per_issue(capsys: pytest.CaptureFixture[str]) -> None:
    path = FLOWS / "broken" / "unknown_column__condition.json"
    code, out, _ = _run(capsys, str(path))
    assert code == 1
    line = next(x for x in out.splitlines() if "[unknown_column]" in x)
    assert line.strip().startswith("ERROR [unknown_column] step 1 (/components/0/inputs/1/value):")
    assert "assigned_too" in line and "— Did you mean assigned_to" in line


def test_warnings_alone_exit_zero(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, str(FLOWS / "broken" / "placeholder_step.json"))
    assert code == 0
    assert "WARNING [placeholder_step] step 1 (/components/0)" in out


def test_missing_file_is_unusable_input(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = _run(capsys, str(SPEC), str(tmp_path / "nope.json"))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "nope.json" in err and "Traceback" not in err


def test_directory_is_unusable_input(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = _run(capsys, str(tmp_path))
    assert code == 2 and "is a directory" in err


def test_bad_catalog_is_unusable_input(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = _run(capsys, str(SPEC), "--catalog", str(tmp_path / "missing"))
    assert code == 2 and err.count("\n") == 1


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "invalid_json"),
        (b"not json at all", "invalid_json"),
        (b"\xff\xfe\x00", "invalid_json"),
        (b"[1, 2, 3]", "schema_violation"),
        (b'"a string"', "schema_violation"),
        (b"null", "schema_violation"),
    ],
)
def test_unparseable_or_wrong_type_is_an_issue(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes, code: str
) -> None:
    path = tmp_path / "flow.json"
    path.write_bytes(content)
    status, out, err = _run(capsys, str(path))
    assert status == 1 and err == ""
    assert f"ERROR [{code}] flow" in out


def test_deeply_nested_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 200_000 + "]" * 200_000)
    status, out, _ = _run(capsys, str(path))
    assert status == 1 and "[invalid_json]" in out and "nested too deeply" in out


def test_ten_megabyte_flow(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    flow = json.loads(SPEC.read_text())
    flow["description"] = "d" * 5_000_000
    flow["components"].append(
        {
            "category": "action",
            "definition": "log",
            "order": 4,
            "inputs": [{"name": "log_message", "value": "x" * 5_000_000 + "{{step_9.record}}"}],
        }
    )
    path = tmp_path / "big.json"
    path.write_text(json.dumps(flow))
    assert path.stat().st_size > 10_000_000
    status, out, _ = _run(capsys, str(path))
    assert status == 1
    (line,) = [x for x in out.splitlines() if "[pill_unknown_step]" in x]
    assert len(line) < 2000


def test_json_output_is_machine_readable(capsys: pytest.CaptureFixture[str]) -> None:
    broken = FLOWS / "broken" / "pill_unknown_step.json"
    status, out, _ = _run(capsys, str(SPEC), str(broken), "--json")
    assert status == 1
    results: list[dict[str, Any]] = json.loads(out)
    assert [(r["source"], r["valid"]) for r in results] == [(str(SPEC), True), (str(broken), False)]
    assert results[1]["issues"][0]["code"] == "pill_unknown_step"
    assert set(results[1]["issues"][0]) == {
        "code",
        "severity",
        "kind",
        "order",
        "path",
        "message",
        "hint",
    }


def test_jsonl_validates_each_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    good = json.dumps(json.loads(SPEC.read_text()))
    path = tmp_path / "flows.jsonl"
    path.write_text(f"{good}\n\n{{broken\n{good}\n")
    status, out, _ = _run(capsys, str(path), "--json")
    assert status == 1
    assert [(r["line"], r["valid"]) for r in json.loads(out)] == [(1, True), (3, False), (4, True)]


def test_stdin_and_forced_jsonl(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    good = json.dumps(json.loads(SPEC.read_text()))
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(f"{good}\n{good}\n".encode())))
    status, out, _ = _run(capsys, "-", "--jsonl")
    assert status == 0
    assert "-:1: ok" in out and "-:2: ok" in out and "2 flows checked" in out


def test_json_file_with_jsonl_content_without_flag_is_invalid(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "two.json"
    shutil.copy(SPEC, path)
    path.write_text(
        path.read_text().replace("\n", " ") + "\n" + path.read_text().replace("\n", " ")
    )
    status, out, _ = _run(capsys, str(path))
    assert status == 1 and "[invalid_json]" in out
