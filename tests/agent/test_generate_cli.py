"""`flowgen generate`: tree output, JSON, files, exit codes, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.main import main
from tests.agent.scripted_runs import REQUIREMENT, SCRIPTS


@pytest.fixture(autouse=True)
def _no_flowgen_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("FLOWGEN_MODEL", "FLOWGEN_PLANNER_MODEL", "FLOWGEN_MAX_REPAIRS",
                 "FLOWGEN_CATALOG_PATH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FLOWGEN_BACKOFF_S", "0")


def model(name: str) -> list[str]:
    """Return the flag that puts every role on a scripted model."""
    return ["--model", f"scripted:{SCRIPTS / name}"]


def test_tree_output_and_exit_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", REQUIREMENT, *model("clean.yaml")]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[1].startswith("trigger record_update")
    assert "    table = sys_user" in lines
    assert any(line.startswith("2. FOREACH") for line in lines)
    assert any(line.startswith("  3. action update_record") for line in lines)  # nested
    assert "status: valid" in out


def test_json_and_output_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "flow.json"
    assert main(["generate", REQUIREMENT, *model("clean.yaml"), "--json", "-o", str(target)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "valid"
    assert json.loads(target.read_text()) == result["flow"]


def test_requirement_from_file(tmp_path: Path) -> None:
    req = tmp_path / "req.txt"
    req.write_text(REQUIREMENT + "\n")
    assert main(["generate", "-f", str(req), *model("clean.yaml")]) == 0


def test_invalid_after_repairs_exits_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", REQUIREMENT, *model("never_fixes.yaml"), "--max-repairs", "1"]) == 1
    out = capsys.readouterr().out
    assert "status: invalid_after_repairs" in out and "[unknown_column] step 1" in out


def test_no_repair_flag(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", REQUIREMENT, *model("never_fixes.yaml"), "--no-repair"]) == 1
    assert "repairs used: 0" in capsys.readouterr().out


def test_last_resort_fixes_are_listed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", REQUIREMENT, *model("lone_path.yaml"), "--no-repair"]) == 0
    out = capsys.readouterr().out
    assert "status: valid" in out
    assert "last-resort fix: step 1: PARALLEL with one PATH run in sequence" in out


def test_failed_run_exits_three(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", REQUIREMENT, *model("model_error.yaml")]) == 3
    assert "status: failed" in capsys.readouterr().out


def test_missing_api_key_exits_three(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("FLOWGEN_BASE_URL", raising=False)
    assert main(["generate", REQUIREMENT, "--model", "openai:gpt-4o-mini"]) == 3
    assert "missing API key: set OPENAI_API_KEY" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [["generate"], ["generate", "x", "-f", "y"], ["generate", "   "],
     ["generate", "-f", "/no/such/file"], ["generate", "x", "--model", "gpt-4"],
     ["generate", "x", "--planner", "openai:"], ["generate", "x", "--catalog", "/no/such"],
     ["generate", "x", "--filler", "hf:/no/such/model"],
     ["generate", "x", "--model", "scripted:/no/such.yaml"]],
)
def test_unusable_input_is_one_line_and_exit_two(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("flowgen generate: error: ") and err.count("\n") == 1


def test_unwritable_output_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["generate", REQUIREMENT, *model("clean.yaml"), "-o", "/no/such/dir/f.json"])
    assert code == 2
    assert "cannot write" in capsys.readouterr().err
