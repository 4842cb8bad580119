"""`flowgen chat` driven through stdin: scriptable, resumable, clean on EOF."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from cli.main import main

SCRIPT = Path(__file__).resolve().parents[1] / "agent" / "chat" / "scripts" / "three_turns.json"
REQUIREMENT = "When a user becomes inactive, reassign their open incidents to their manager"


def _chat(monkeypatch: pytest.MonkeyPatch, db: Path, lines: list[str], *extra: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO("".join(f"{line}\n" for line in lines)))
    argv = ["chat", "--thread", "t1", "--db", str(db), "--model", f"scripted:{SCRIPT}", *extra]
    return main(argv)


def test_conversation_resumes_after_restart_and_exports(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "chat.sqlite"
    assert _chat(monkeypatch, db, [REQUIREMENT, "/accept", "also email the user"]) == 0
    first = capsys.readouterr().out
    assert first.startswith("thread t1: new conversation")
    assert "accepted as version 1" in first and "+ step 4 action send_email" in first

    out_file = tmp_path / "flow.json"
    lines = ["/accept", "/history", f"/export {out_file}", "/quit", "never read"]
    assert _chat(monkeypatch, db, lines) == 0
    second = capsys.readouterr().out
    assert second.startswith("thread t1: version 1, a proposal is pending")
    assert "accepted as version 2" in second
    assert "* v2 [valid] also email the user" in second
    assert f"wrote version 2 to {out_file}" in second
    exported = json.loads(out_file.read_text())
    assert [c["definition"] for c in exported["components"]] == [
        "look_up_records",
        "FOREACH",
        "update_record",
        "send_email",
    ]


def test_export_before_any_flow_and_bad_commands_keep_the_session_going(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    lines = ["/export", f"/export {tmp_path / 'x.json'}", "/undo", "/bogus", "/help"]
    assert _chat(monkeypatch, tmp_path / "c.sqlite", lines) == 0
    out = capsys.readouterr().out
    assert "error: usage: /export FILE" in out
    assert "error: nothing to export yet" in out
    assert "error: nothing to undo" in out
    assert "error: unknown command /bogus" in out
    assert "/accept        commit the pending proposal" in out


def test_unusable_store_is_one_line_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert _chat(monkeypatch, blocker / "chat.sqlite", []) == 2
    err = capsys.readouterr().err
    assert err.startswith("flowgen chat: error: cannot open chat database")
    assert len(err.strip().splitlines()) == 1


def test_bad_model_spec_is_one_line_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = _chat(monkeypatch, tmp_path / "c.sqlite", [], "--model", "nonsense:thing")
    assert code == 2
    assert capsys.readouterr().err.startswith("flowgen chat: error: ")


def test_postgres_url_without_the_extra_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        import langgraph.checkpoint.postgres  # noqa: F401

        pytest.skip("the postgres extra is installed")
    except ImportError:
        pass
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    argv = ["chat", "--db", "postgresql://u:secret@localhost/db", "--model", f"scripted:{SCRIPT}"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "pip install 'flowgen[postgres]'" in err and "secret" not in err
