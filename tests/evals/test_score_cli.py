"""`flowgen score`: single files, JSONL matched by id, JSON output, and unusable input."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from cli.main import main
from tests.evals.test_flowsim import SPEC_EXAMPLE

NEAR_MISS = copy.deepcopy(SPEC_EXAMPLE)
NEAR_MISS["components"][2]["definition"] = "delete_record"


def _write(path: Path, value: Any) -> str:
    path.write_text(value if isinstance(value, str) else json.dumps(value), encoding="utf-8")
    return str(path)


def _jsonl(path: Path, records: list[dict[str, Any]]) -> str:
    return _write(path, "".join(json.dumps(r) + "\n" for r in records))


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["score", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_single_files_print_scores(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pred = _write(tmp_path / "pred.json", NEAR_MISS)
    gold = _write(tmp_path / "gold.json", SPEC_EXAMPLE)
    code, out, _ = _run(capsys, pred, gold)
    assert code == 0
    row = next(line for line in out.splitlines() if line.startswith("pred"))
    assert row.split()[1:3] == ["0.750", "0.955"]


def test_jsonl_pairs_by_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = _jsonl(
        tmp_path / "gold.jsonl",
        [{"id": "a", "flow": SPEC_EXAMPLE}, {"id": 2, **SPEC_EXAMPLE}, {"id": "c", "flow": {}}],
    )
    pred = _jsonl(
        tmp_path / "pred.jsonl",
        [{"id": "2", "flow": json.dumps(SPEC_EXAMPLE)}, {"id": "a", "flow": "not json"},
         {"id": "extra", "flow": NEAR_MISS}],
    )  # fmt: skip
    code, out, _ = _run(capsys, pred, gold, "--json")
    assert code == 0
    report = json.loads(out)
    by_id = {pair["id"]: pair for pair in report["pairs"]}
    assert by_id["2"]["flowsim_full"] == 1.0  # a line without "flow" is the flow itself
    assert by_id["a"]["flowsim_outline"] == 0.0 and "not valid JSON" in by_id["a"]["problem"]
    assert by_id["c"]["problem"] == "no prediction"
    assert report["missing_predictions"] == ["c"]
    assert report["unmatched_predictions"] == ["extra"]
    assert report["mean"]["flowsim_full"] == pytest.approx(1 / 3)


def test_unparseable_single_prediction_scores_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pred = _write(tmp_path / "pred.json", "")
    gold = _write(tmp_path / "gold.json", SPEC_EXAMPLE)
    code, out, _ = _run(capsys, pred, gold, "--json")
    assert code == 0
    assert json.loads(out)["mean"]["flowsim_outline"] == 0.0


@pytest.mark.parametrize(
    ("gold_text", "message"),
    [
        ("[1, 2]", "reference is not a JSON object"),
        ("{oops", "reference is not valid JSON"),
        ("[" * 100_000, "nested too deeply"),
    ],
)
def test_bad_gold_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], gold_text: str, message: str
) -> None:
    pred = _write(tmp_path / "pred.json", SPEC_EXAMPLE)
    gold = _write(tmp_path / "gold.json", gold_text)
    code, out, err = _run(capsys, pred, gold)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "gold.jsonl:2: not valid JSON"),
        ('{"flow": {}}', 'gold.jsonl:2: expected a JSON object with an "id"'),
        ('{"id": "a", "flow": {}}', "gold.jsonl:2: duplicate id 'a'"),
        ('{"id": true}', 'gold.jsonl:2: "id" must be'),
        ('{"id": "b", "flow": "text"}', "gold.jsonl:2: reference flow is not a JSON object"),
    ],
)
def test_bad_jsonl_line_names_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, message: str
) -> None:
    gold = _write(tmp_path / "gold.jsonl", json.dumps({"id": "a", "flow": {}}) + "\n" + line)
    pred = _jsonl(tmp_path / "pred.jsonl", [])
    code, _, err = _run(capsys, pred, gold)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1


def test_missing_file_and_mixed_kinds_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gold = _write(tmp_path / "gold.json", SPEC_EXAMPLE)
    code, _, err = _run(capsys, str(tmp_path / "absent.json"), gold)
    assert code == 2 and "absent.json: no such file" in err
    pred = _jsonl(tmp_path / "pred.jsonl", [{"id": "a", "flow": SPEC_EXAMPLE}])
    code, _, err = _run(capsys, pred, gold)
    assert code == 2 and "both JSONL" in err
    code, _, err = _run(capsys, pred, _write(tmp_path / "empty.jsonl", "\n"))
    assert code == 2 and "no reference flows" in err
