"""`flowgen batch` over the real generator graph with a scripted model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.main import main

SCRIPT = Path(__file__).resolve().parents[1] / "agent" / "chat" / "scripts" / "three_turns.json"
REQUIREMENT = "When a user becomes inactive, reassign their open incidents to their manager"


def _batch(*args: str) -> int:
    return main(["batch", *args, "--model", f"scripted:{SCRIPT}", "--no-progress"])


def test_batch_writes_one_record_per_line_and_resumes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "reqs.jsonl"
    rows = [{"id": f"r{i}", "requirement": REQUIREMENT} for i in range(3)]
    src.write_text("".join(json.dumps(r) + "\n" for r in rows) + "{broken\n")
    out = tmp_path / "flows.jsonl"
    assert _batch(str(src), "-o", str(out), "--concurrency", "2") == 1  # the broken line
    summary = capsys.readouterr().out
    assert "status: failed 1, valid 3" in summary
    records = [json.loads(line) for line in out.read_text().splitlines()]
    by_id = {r["id"]: r for r in records}
    assert set(by_id) == {"r0", "r1", "r2", "line-4"}
    assert by_id["r1"]["status"] == "valid"
    assert [c["definition"] for c in by_id["r1"]["flow"]["components"]] == [
        "look_up_records",
        "FOREACH",
        "update_record",
    ]
    assert by_id["r1"]["timings"]["plan"] >= 0 and by_id["r1"]["repairs_used"] == 0
    assert _batch(str(src), "-o", str(out)) == 1
    assert "0 written this run, 4 already done" in capsys.readouterr().out
    assert len(out.read_text().splitlines()) == 4


def test_retry_failed_reruns_only_failed_records(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "reqs.csv"
    src.write_text(f'id,requirement\na,"{REQUIREMENT}"\n')
    out = tmp_path / "flows.jsonl"
    failed = {"id": "a", "requirement": REQUIREMENT, "status": "failed", "reason": "server down"}
    out.write_text(json.dumps(failed) + "\n")
    assert _batch(str(src), "-o", str(out), "--retry-failed") == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["id"], r["status"]) for r in records] == [("a", "valid")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.jsonl", "-o", "x.jsonl"], "no such input file"),
        (["IN", "-o", "x.jsonl", "--concurrency", "0"], "--concurrency must be at least 1"),
        (["IN", "-o", "NOTOURS"], "is not a batch record"),
    ],
)
def test_unusable_input_is_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "requirement": REQUIREMENT}) + "\n")
    theirs = tmp_path / "theirs.jsonl"
    theirs.write_text("hello\nworld\n")
    args = [str(src) if a == "IN" else str(theirs) if a == "NOTOURS" else a for a in args]
    args = [str(tmp_path / a) if a.endswith(".jsonl") and "/" not in a else a for a in args]
    assert _batch(*args) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
