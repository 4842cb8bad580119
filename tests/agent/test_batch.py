"""Resumable batch generation: one record per input line, nothing lost, nothing done twice."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from langchain_core.runnables import RunnableLambda

from agent.batch import BatchInterrupted, run_batch
from agent.batch_io import BatchItem, load_done, read_items
from schemas.result import GenerationResult

ROOT = Path(__file__).resolve().parents[2]


def fake_generate(state: dict) -> dict:
    """Stand in for the generator graph: a tiny flow per requirement, errors on 'boom'."""
    requirement = state["requirement"]
    if "boom" in requirement:
        raise RuntimeError("model server refused the request")
    flow = {"name": requirement[:20], "trigger": {"type": "daily", "inputs": []}, "components": []}
    result = GenerationResult(requirement=requirement, flow=flow, status="valid", repairs_used=1)
    return {"result": result}


def _items(n: int) -> list[BatchItem]:
    return [BatchItem(f"r{i}", f"requirement number {i}", i) for i in range(1, n + 1)]


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_every_item_gets_one_record_and_failures_do_not_stop_the_batch(tmp_path: Path) -> None:
    items = [*_items(5), BatchItem("bad", "boom now", 6)]
    out = tmp_path / "flows.jsonl"
    summary = run_batch(items, out, graph=RunnableLambda(fake_generate), concurrency=2)
    records = {r["id"]: r for r in _records(out)}
    assert set(records) == {"r1", "r2", "r3", "r4", "r5", "bad"}
    assert records["bad"]["status"] == "failed"
    assert records["bad"]["reason"] == "RuntimeError: model server refused the request"
    assert records["r3"]["flow"]["name"] == "requirement number 3"
    assert summary.statuses == {"valid": 5, "failed": 1}
    assert summary.processed == 6 and summary.mean_repairs == 1.0


def test_rerun_skips_done_ids(tmp_path: Path) -> None:
    out = tmp_path / "flows.jsonl"
    run_batch(_items(3), out, graph=RunnableLambda(fake_generate))
    calls: list[str] = []

    def counting(state: dict) -> dict:
        calls.append(state["requirement"])
        return fake_generate(state)

    summary = run_batch(_items(5), out, graph=RunnableLambda(counting))
    assert sorted(calls) == ["requirement number 4", "requirement number 5"]
    assert summary.skipped == 3 and summary.processed == 2 and summary.total == 5
    assert len(_records(out)) == 5


def test_keyboard_interrupt_at_item_k_then_resume(tmp_path: Path) -> None:
    out = tmp_path / "flows.jsonl"

    def interrupting(state: dict) -> dict:
        if state["requirement"].endswith(" 30"):
            raise KeyboardInterrupt
        return fake_generate(state)

    with pytest.raises(BatchInterrupted) as info:
        run_batch(_items(200), out, graph=RunnableLambda(interrupting), concurrency=1)
    assert info.value.summary.interrupted
    # Results finished in the same instant as item 30 may be dropped with it (they simply
    # run again on resume); item 30 itself never gets a record.
    written = [r["id"] for r in _records(out)]
    assert 0 < len(written) < 200 and "r30" not in written
    run_batch(_items(200), out, graph=RunnableLambda(fake_generate), concurrency=4)
    ids = [r["id"] for r in _records(out)]
    assert len(ids) == 200 and len(set(ids)) == 200


KILLED_RUN = """
import sys, time
from langchain_core.runnables import RunnableLambda
from agent.batch import run_batch
from agent.batch_io import BatchItem
from tests.agent.test_batch import fake_generate

def slow(state):
    time.sleep(0.02)
    return fake_generate(state)

items = [BatchItem(f"r{i}", f"requirement number {i}", i) for i in range(1, 201)]
run_batch(items, sys.argv[1], graph=RunnableLambda(slow), concurrency=4)
"""


def test_batch_killed_part_way_resumes_with_exactly_200_outputs(tmp_path: Path) -> None:
    out = tmp_path / "flows.jsonl"
    proc = subprocess.Popen([sys.executable, "-c", KILLED_RUN, str(out)], cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if out.exists() and out.read_text().count("\n") >= 40:
                break
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=10)
    before = out.read_text().count("\n")
    assert 40 <= before < 200, "the run must be killed part-way"
    with out.open("a") as handle:  # what a kill in the middle of a write leaves behind
        handle.write('{"id": "r199", "requirement": "requirem')
    summary = run_batch(_items(200), out, graph=RunnableLambda(fake_generate), concurrency=4)
    ids = [r["id"] for r in _records(out)]
    assert len(ids) == 200 and len(set(ids)) == 200
    assert summary.skipped == before and summary.processed == 200 - before


def test_torn_last_line_is_dropped(tmp_path: Path) -> None:
    out = tmp_path / "flows.jsonl"
    run_batch(_items(2), out, graph=RunnableLambda(fake_generate))
    out.write_text(out.read_text() + '{"id": "r3"')
    assert set(load_done(out)) == {"r1", "r2"}
    assert out.read_text().endswith("}\n")


def test_malformed_lines_and_empty_requirements_are_reported_per_line(tmp_path: Path) -> None:
    src = tmp_path / "reqs.jsonl"
    src.write_text(
        '{"id": "a", "requirement": "first"}\n'
        "{not json\n"
        '{"id": "b", "requirement": "   "}\n'
        "\n"
        '{"requirement": "no id here"}\n'
        '["a list"]\n'
        '{"id": "a", "requirement": "duplicate"}\n'
        '{"id": "c"}\n'
        '{"id": "d", "requirement": "last"}\n'
    )
    out = tmp_path / "flows.jsonl"
    summary = run_batch(src, out, graph=RunnableLambda(fake_generate))
    records = {r["id"]: r for r in _records(out)}
    assert {k: v["status"] for k, v in records.items()} == {
        "a": "valid",
        "line-2": "failed",
        "b": "failed",
        "line-5": "valid",
        "line-6": "failed",
        "a@line-7": "failed",
        "c": "failed",
        "d": "valid",
    }
    assert records["line-2"]["reason"].startswith("input line 2: malformed JSON")
    assert records["b"]["reason"] == "input line 3: empty requirement"
    assert records["a@line-7"]["reason"] == "input line 7: duplicate id 'a'"
    assert records["c"]["reason"] == "input line 8: no 'requirement' field"
    assert records["line-5"]["line"] == 5
    assert summary.statuses == {"valid": 3, "failed": 5}
    again = run_batch(src, out, graph=RunnableLambda(fake_generate))
    assert again.processed == 0 and len(_records(out)) == 8


def test_csv_input(tmp_path: Path) -> None:
    src = tmp_path / "reqs.csv"
    src.write_text('id,requirement\nx1,"When a user, inactive"\n,second one\nx3,\n')
    items, problems = read_items(src)
    assert [(i.id, i.requirement, i.line) for i in items] == [
        ("x1", "When a user, inactive", 2),
        ("line-3", "second one", 3),
    ]
    assert [(p.id, p.reason) for p in problems] == [("x3", "input line 4: empty requirement")]


def test_csv_without_requirement_column_is_unusable(tmp_path: Path) -> None:
    from agent.batch_io import BatchFileError

    src = tmp_path / "reqs.csv"
    src.write_text("id,text\n1,hello\n")
    with pytest.raises(BatchFileError, match="'requirement' column"):
        read_items(src)
