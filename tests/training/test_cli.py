"""`flowgen train corpus|export|sft` from the command line: outputs and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.main import main


def test_corpus_then_export_writes_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "corpus"
    eval_file = tmp_path / "synthetic_test.jsonl"
    code = main(
        [
            "train",
            "corpus",
            "--n",
            "6",
            "--dev",
            "2",
            "--test",
            "3",
            "--seed",
            "1",
            "-o",
            str(out),
            "--eval-test",
            str(eval_file),
        ]
    )
    assert code == 0
    assert len((out / "train.jsonl").read_text().splitlines()) == 6
    assert {json.loads(x)["source"] for x in eval_file.read_text().splitlines()} == {"synthetic"}
    sft = tmp_path / "sft.jsonl"
    code = main(
        [
            "train",
            "export",
            "--data",
            str(out / "train.jsonl"),
            "--skip",
            "2",
            "--limit",
            "3",
            "--format",
            "messages",
            "-o",
            str(sft),
        ]
    )
    assert code == 0
    rows = [json.loads(x) for x in sft.read_text().splitlines()]
    assert {r["case"] for r in rows} == {"syn-train-00002", "syn-train-00003", "syn-train-00004"}
    assert all(r["messages"][-1]["role"] == "assistant" for r in rows)
    assert "rows" in capsys.readouterr().out


def test_bad_inputs_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            [
                "train",
                "export",
                "--data",
                str(tmp_path / "none.jsonl"),
                "-o",
                str(tmp_path / "x.jsonl"),
            ]
        )
        == 2
    )
    assert capsys.readouterr().err.strip().count("\n") == 0
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n", encoding="utf-8")
    assert (
        main(
            ["train", "sft", "--data", str(bad), "--output", str(tmp_path / "m"), "--from-scratch"]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "not JSON" in err and err.strip().count("\n") == 0
    assert (
        main(["train", "sft", "--data", str(bad), "--output", str(tmp_path / "m"), "--lora"]) == 2
    )
    assert "--lora needs --base-model" in capsys.readouterr().err
