"""The retrieval eval: dataset checks, metric arithmetic, and the goals on the demo catalog."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog import demo_catalog
from evals.retrieval_eval import (
    DatasetError,
    RetrievalCase,
    check_cases,
    evaluate,
    load_cases,
    main,
    score,
)
from tools.sqlite_fts import SqliteRetriever


def test_score_arithmetic() -> None:
    s = score([1, 2, None, 6])
    assert (s.n, s.recall_at_1, s.recall_at_5) == (4, 0.25, 0.5)
    assert s.mrr == pytest.approx((1 + 0.5 + 1 / 6) / 4)
    assert score([]).n == 0


def test_labelled_set_is_large_balanced_and_grounded() -> None:
    cases = load_cases()
    kinds = {c.kind for c in cases}
    assert len(cases) >= 150 and kinds == {"step", "table", "column", "choice", "trigger"}
    assert min(sum(c.kind == k for c in cases) for k in kinds) >= 25
    assert len({c.id for c in cases}) == len(cases)
    check_cases(cases, demo_catalog())


def test_goals_hold_on_the_demo_catalog(tmp_path: Path) -> None:
    with SqliteRetriever(demo_catalog(), index_dir=tmp_path) as r:
        scores, _ = evaluate(r, load_cases())
    assert scores["table"].recall_at_5 >= 0.9
    assert scores["step"].recall_at_5 >= 0.9
    assert scores["column"].recall_at_5 >= 0.8


def test_dataset_errors_are_reported(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "kind": "table"}\n')
    with pytest.raises(DatasetError, match=r"bad\.jsonl:1"):
        load_cases(bad)
    with pytest.raises(DatasetError, match="u_missing"):
        check_cases([RetrievalCase("c", "table", "q", ("u_missing",))], demo_catalog())
    with pytest.raises(DatasetError, match=r"incident\.state=99"):
        check_cases([RetrievalCase("c", "choice", "q", ("incident.state=99",))], demo_catalog())


def test_cli_json_and_bad_dataset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("FLOWGEN_INDEX_DIR", str(tmp_path))
    small = tmp_path / "small.jsonl"
    small.write_text(json.dumps({"id": "t1", "kind": "table", "query": "incidents",
                                 "expected": ["incident"]}) + "\n")
    assert main(["--dataset", str(small), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["table"]["recall_at_1"] == 1.0 and out["all"]["n"] == 1
    assert main(["--dataset", str(tmp_path / "missing.jsonl")]) == 2
    assert "retrieval_eval: error" in capsys.readouterr().err
