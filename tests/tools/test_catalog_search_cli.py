"""`flowgen catalog search|index` through the real CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.main import main


@pytest.fixture(autouse=True)
def _private_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLOWGEN_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.delenv("WEAVIATE_URL", raising=False)


def test_search_prints_ranked_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "search", "columns", "assign it to the network team",
                 "--table", "incident", "-k", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["#", "score", "table", "column", "label", "type", "reference",
                                "owner"]
    assert lines[1].split()[2:4] == ["incident", "assignment_group"]
    assert 2 <= len(lines) <= 4


def test_search_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "search", "choices", "resolved", "--table", "incident",
                 "--column", "state", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits[0]["value"] == "6" and hits[0]["label"] == "Resolved"


def test_search_steps_and_triggers(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "search", "steps", "ask the manager to approve", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["definition"] == "ask_for_approval"
    assert main(["catalog", "search", "triggers", "every monday at 9", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["type"] == "weekly"


def test_no_matches_is_not_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "search", "tables", '"*" NEAR(']) == 0
    assert capsys.readouterr().out.strip() == "no matches"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["catalog", "search", "choices", "resolved"], "needs --table (or a #table tag)"),
        (["catalog", "search", "columns", "state", "--table", "u_nope"], "unknown table"),
        (["catalog", "search", "tables", "x", "-k", "0"], "-k must be at least 1"),
        (["catalog", "search", "tables", "x", "--catalog", "/nonexistent/cat.json"],
         "cannot load catalog"),
        (["catalog", "search", "tables", "x", "--backend", "weaviate"], "WEAVIATE_URL not set"),
        (["catalog", "index", "--backend", "weaviate"], "WEAVIATE_URL not set"),
    ],
)
def test_bad_input_is_one_line_exit_2(argv: list[str], message: str,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_index_builds_then_reports_up_to_date(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "explicit"
    assert main(["catalog", "index", "--index-dir", str(target)]) == 0
    assert capsys.readouterr().out.startswith(f"built: {target}")
    assert main(["catalog", "index", "--index-dir", str(target)]) == 0
    assert capsys.readouterr().out.startswith("up to date:")


def test_table_tag_picks_the_table_and_unknown_tags_warn(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "search", "columns", "who reported the #Incident #nope",
                 "--json"]) == 0
    captured = capsys.readouterr()
    hits = json.loads(captured.out)
    assert hits[0]["table"] == "incident" and hits[0]["column"] == "caller_id"
    assert {h["table"] for h in hits} == {"incident"}
    assert "#nope names no table" in captured.err
