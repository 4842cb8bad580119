"""Regression gate: a fixed subset with recorded model answers must keep its known scores.

The four cases are dev cases (`tests/fixtures/evals/gate.jsonl`); the "model" replays
`gate_script.json` through the real runner, scorer and metrics. Every expected number below is
derived by hand from flow-format §6, so a change to FlowSim, the companion metrics, scoring or
the runner's failure handling fails this test.

FlowSim = 1 − TED / (|T(pred)| + |T(gold)|); |T| counts every node except the free structural
ones (flow, trigger, components, inputs, condition(s), values…); delete/insert cost 1, renaming
a trigger type or component label costs 2.

- dev-016 (weekly → look_up_records, send_email): the prediction is the reference. Every
  score is 1.
- dev-003 (record_update → look_up_record, send_email, update_record): the prediction drops the
  last step. Outline: |T| = 4 (trigger type + 3 components) vs 3, TED = 1 → 1 − 1/7.
  Full: |T(gold)| = 22; the dropped update_record subtree counts 6 nodes (the component,
  `record: …`, `table_name: …`, and `work_notes` → `=`, `Requester notified…`; `values` is
  free) so |T(pred)| = 16 and TED = 6 → 1 − 6/38. Components {look_up_record, send_email} vs
  three → Jaccard 2/3. The trigger is right. TreeBLEU is the share of the gold tree's distinct
  (parent, child) label edges found in the prediction: outline 3 of 4 (components →
  update_record is missing); full 21 of 27 (the six edges inside the dropped subtree:
  components→update_record, update_record→inputs, inputs→values, values→work_notes,
  work_notes→'=', work_notes→text; its `record`/`table_name` edges also occur in send_email).
- dev-001 (record_update → look_up_records, FOREACH, update_record): the prediction has
  `record_create` instead; renaming a trigger type costs 2. Outline: 4 vs 4 nodes → 1 − 2/8.
  Full: 22 vs 22 → 1 − 2/44. Trigger match 0, Jaccard 1. TreeBLEU loses the edges through the
  trigger type: outline trigger→record_update (3 of 4), full also record_update→inputs (25 of
  27). Its first draft had a structural error that one repair fixed: structural before yes,
  after no.
- dev-026: the model timed out → a failure with its reason, every score 0.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from catalog import demo_catalog
from evals.config import EvalConfig
from evals.dataset import load_dataset
from evals.replay import ReplayGenerator
from evals.runner import DatasetRun, run_eval

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "evals"

EXPECTED: dict[str, dict[str, float]] = {
    "dev-016": {
        "flowsim_outline": 1.0,
        "flowsim_full": 1.0,
        "trigger_match": 1.0,
        "component_jaccard": 1.0,
        "tree_bleu": 1.0,
        "tree_bleu_outline": 1.0,
    },
    "dev-003": {
        "flowsim_outline": 1 - 1 / 7,
        "flowsim_full": 1 - 6 / 38,
        "trigger_match": 1.0,
        "component_jaccard": 2 / 3,
        "tree_bleu": 21 / 27,
        "tree_bleu_outline": 3 / 4,
    },
    "dev-001": {
        "flowsim_outline": 1 - 2 / 8,
        "flowsim_full": 1 - 2 / 44,
        "trigger_match": 0.0,
        "component_jaccard": 1.0,
        "tree_bleu": 25 / 27,
        "tree_bleu_outline": 3 / 4,
    },
    "dev-026": {
        "flowsim_outline": 0.0,
        "flowsim_full": 0.0,
        "trigger_match": 0.0,
        "component_jaccard": 0.0,
        "tree_bleu": 0.0,
        "tree_bleu_outline": 0.0,
    },
}


@pytest.fixture(scope="module")
def gate(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    cases = load_dataset(FIXTURES / "gate.jsonl")
    replay = ReplayGenerator.from_file(FIXTURES / "gate_script.json")
    out = tmp_path_factory.mktemp("gate")
    doc = run_eval(
        [DatasetRun("gate", cases)],
        [EvalConfig(name="scripted")],
        lambda config, catalog: replay,
        demo_catalog(),
        out,
        progress=False,
    )
    entry: dict[str, Any] = doc["datasets"]["gate"]["configs"]["scripted"]
    return entry


def test_each_case_keeps_its_known_scores(gate: dict[str, Any]) -> None:
    records = {r["case_id"]: r for r in gate["cases"]}
    assert list(records) == ["dev-001", "dev-003", "dev-016", "dev-026"]
    for case_id, expected in EXPECTED.items():
        for metric, value in expected.items():
            assert records[case_id][metric] == pytest.approx(value, abs=1e-9), (case_id, metric)


def test_the_aggregate_keeps_its_known_numbers(gate: dict[str, Any]) -> None:
    agg = gate["aggregate"]
    outline = (1 - 2 / 8) + (1 - 1 / 7) + 1.0 + 0.0
    full = (1 - 2 / 44) + (1 - 6 / 38) + 1.0 + 0.0
    assert agg["flowsim_outline"] == pytest.approx(outline / 4)
    assert agg["flowsim_full"] == pytest.approx(full / 4)
    assert agg["flowsim_outline_ok"] == pytest.approx(outline / 3)
    assert agg["trigger_match"] == pytest.approx(2 / 4)
    assert agg["component_jaccard"] == pytest.approx((1 + 2 / 3 + 1) / 4)
    assert agg["tree_bleu"] == pytest.approx((25 / 27 + 21 / 27 + 1) / 4)
    assert (agg["n"], agg["n_failed"]) == (4, 1)
    # Over the three produced flows: dev-001's draft was broken, and every final flow is valid.
    assert agg["structural_before"] == pytest.approx(1 / 3)
    assert agg["structural_after"] == 0.0
    assert agg["valid_rate"] == 1.0
    assert agg["repairs_mean"] == pytest.approx(1 / 3)
    # Only dev-001 reports tokens: planner 120/30 plus filler 200/50.
    assert (agg["tokens_in_mean"], agg["tokens_out_mean"]) == (320.0, 80.0)
    assert agg["grounding_total"] == {"steps": 0, "tables": 0, "columns": 0, "choice_values": 0}


def test_the_failure_keeps_its_reason(gate: dict[str, Any]) -> None:
    failed = next(r for r in gate["cases"] if not r["ok"])
    assert failed["case_id"] == "dev-026"
    assert "TimeoutError: model call timed out after 120 s" in failed["reason"]
