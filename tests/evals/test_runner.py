"""The eval runner: resume after a kill, failing cases, cache keys, concurrency, the CLI."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from catalog import demo_catalog
from cli.main import main
from evals.config import EvalConfig
from evals.dataset import EvalCase, load_dataset
from evals.perfect_retrieval import PerfectRetriever
from evals.replay import ReplayGenerator
from evals.runner import DatasetRun, GenerateFn, run_eval
from schemas.catalog import Catalog
from schemas.result import GenerationResult
from tools.retriever import ChoiceHit, ColumnHit, Retriever, StepHit, TableHit, TriggerHit

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "evals"
DEV_SUBSET = 8


@pytest.fixture(scope="module")
def cases() -> list[EvalCase]:
    return load_dataset("dev")[:DEV_SUBSET]


def _perturbed(case: EvalCase) -> dict[str, Any]:
    """Return the reference flow with its last component dropped (a deterministic 'model')."""
    flow = case.gold()
    flow["components"] = [c for c in flow["components"] if c["order"] < len(flow["components"])]
    return flow


def _generator(fail_on: dict[str, BaseException] | None = None) -> Callable[..., GenerateFn]:
    """Return a factory of a generator that drops the last step, raising for chosen cases."""
    calls: list[str] = []

    def factory(config: EvalConfig, catalog: Catalog) -> GenerateFn:
        def run(case: EvalCase, seed: int) -> GenerationResult:
            calls.append(case.id)
            if fail_on and case.id in fail_on:
                raise fail_on[case.id]
            return GenerationResult(
                requirement=case.requirement, flow=_perturbed(case), status="valid"
            )

        return run

    factory.calls = calls  # type: ignore[attr-defined]
    return factory


def _without_latency(doc: dict[str, Any]) -> dict[str, Any]:
    """Drop wall-clock fields, the only numbers two independent runs may not share."""
    out = json.loads(json.dumps(doc["datasets"]))
    for section in out.values():
        for entry in section["configs"].values():
            for key in ("latency_p50", "latency_p95"):
                entry["aggregate"].pop(key)
            for record in entry["cases"]:
                record.pop("latency_s")
    return out


def _run(cases: list[EvalCase], out: Path, factory: Any, **cfg: Any) -> dict[str, Any]:
    config = EvalConfig(name=cfg.pop("name", "fake"), **cfg)
    return run_eval([DatasetRun("dev", cases)], [config], factory, demo_catalog(), out, False)


def test_resume_after_a_killed_run_gives_the_same_final_numbers(
    cases: list[EvalCase], tmp_path: Path
) -> None:
    reference = _run(cases, tmp_path / "uninterrupted", _generator())
    killed = _generator(fail_on={cases[5].id: KeyboardInterrupt()})
    with pytest.raises(KeyboardInterrupt):
        _run(cases, tmp_path / "run", killed)
    cache = tmp_path / "run" / "cache" / "dev" / "fake.jsonl"
    assert len(cache.read_text().splitlines()) == 5
    # The process died in the middle of writing a sixth line: that line must be ignored.
    with cache.open("a") as handle:
        handle.write('{"fingerprint": "torn')
    resumed_factory = _generator()
    resumed = _run(cases, tmp_path / "run", resumed_factory)
    assert resumed_factory.calls == [c.id for c in cases[5:]]  # type: ignore[attr-defined]
    assert _without_latency(resumed) == _without_latency(reference)
    # A third run is served entirely from the cache, latencies included.
    again_factory = _generator()
    again = _run(cases, tmp_path / "run", again_factory)
    assert again_factory.calls == []  # type: ignore[attr-defined]
    assert again["datasets"] == resumed["datasets"]


_KILLED_RUN = """
import os, signal, sys
from catalog import demo_catalog
from evals.config import EvalConfig
from evals.dataset import load_dataset
from evals.runner import DatasetRun, run_eval
from schemas.result import GenerationResult

cases = load_dataset("dev")[:{n}]

def factory(config, catalog):
    def run(case, seed):
        if case.id == cases[{kill_at}].id:
            os.kill(os.getpid(), signal.SIGKILL)  # no cleanup, no finally: a real crash
        flow = case.gold()
        flow["components"] = [c for c in flow["components"] if c["order"] < len(flow["components"])]
        return GenerationResult(requirement=case.requirement, flow=flow, status="valid")
    return run

run_eval([DatasetRun("dev", cases)], [EvalConfig(name="fake")], factory, demo_catalog(),
         __import__("pathlib").Path(sys.argv[1]), False)
"""


@pytest.mark.slow  # a fresh interpreter importing numba and the catalog: ~5 s on 2 cores
def test_resume_after_a_hard_kill_of_the_process(cases: list[EvalCase], tmp_path: Path) -> None:
    script = _KILLED_RUN.format(n=DEV_SUBSET, kill_at=3)
    repo = Path(__file__).resolve().parents[2]
    proc = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "run")],
        cwd=repo,
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-500:]
    cache = tmp_path / "run" / "cache" / "dev" / "fake.jsonl"
    assert len(cache.read_text().splitlines()) == 3
    resumed_factory = _generator()
    resumed = _run(cases, tmp_path / "run", resumed_factory)
    assert resumed_factory.calls == [c.id for c in cases[3:]]  # type: ignore[attr-defined]
    reference = _run(cases, tmp_path / "uninterrupted", _generator())
    assert _without_latency(resumed) == _without_latency(reference)


def test_failing_cases_are_recorded_with_reasons_and_the_rest_still_score(
    cases: list[EvalCase], tmp_path: Path
) -> None:
    factory = _generator(fail_on={cases[1].id: RuntimeError("HTTP 500 from model server")})
    doc = _run(cases, tmp_path, factory)
    entry = doc["datasets"]["dev"]["configs"]["fake"]
    by_id = {r["case_id"]: r for r in entry["cases"]}
    failed = by_id[cases[1].id]
    assert failed["ok"] is False
    reason = failed["reason"]
    assert reason.startswith("RuntimeError: HTTP 500 from model server (at test_runner.py:")
    assert failed["flowsim_outline"] == 0.0
    scored = [r for r in entry["cases"] if r["ok"]]
    assert len(scored) == DEV_SUBSET - 1
    assert all(0.0 < r["flowsim_outline"] < 1.0 for r in scored)  # one step dropped each
    agg = entry["aggregate"]
    assert agg["n_failed"] == 1
    assert agg["failure_rate"] == pytest.approx(1 / DEV_SUBSET)
    ok_mean = sum(r["flowsim_outline"] for r in scored) / len(scored)
    assert agg["flowsim_outline_ok"] == pytest.approx(ok_mean)
    assert agg["flowsim_outline"] == pytest.approx(ok_mean * len(scored) / DEV_SUBSET)
    report = (tmp_path / "results.json").read_text()
    assert "HTTP 500 from model server" in report


def test_generator_status_failed_is_a_failure_with_its_reason(
    cases: list[EvalCase], tmp_path: Path
) -> None:
    replay = ReplayGenerator(
        {cases[0].id: {"status": "failed", "reason": "planner output never parsed", "flow": None}}
    )
    doc = _run(cases[:1], tmp_path, lambda config, catalog: replay)
    record = doc["datasets"]["dev"]["configs"]["fake"]["cases"][0]
    assert (record["ok"], record["status"]) == (False, "failed")
    assert record["reason"] == "planner output never parsed"


def test_a_changed_configuration_does_not_reuse_cached_answers(
    cases: list[EvalCase], tmp_path: Path
) -> None:
    _run(cases[:3], tmp_path, _generator(), max_repairs=3)
    same = _generator()
    _run(cases[:3], tmp_path, same, max_repairs=3, concurrency=2, description="speed only")
    assert same.calls == []  # type: ignore[attr-defined]
    changed = _generator()
    _run(cases[:3], tmp_path, changed, max_repairs=1)
    assert sorted(changed.calls) == sorted(c.id for c in cases[:3])  # type: ignore[attr-defined]


def test_concurrent_run_gives_the_sequential_results_in_dataset_order(
    cases: list[EvalCase], tmp_path: Path
) -> None:
    sequential = _run(cases, tmp_path / "seq", _generator())
    parallel = _run(cases, tmp_path / "par", _generator(), concurrency=4)
    assert _without_latency(parallel) == _without_latency(sequential)
    ids = [r["case_id"] for r in parallel["datasets"]["dev"]["configs"]["fake"]["cases"]]
    assert ids == [c.id for c in cases]


def test_scoring_counts_grounding_errors_placeholders_tokens_and_repairs(
    cases: list[EvalCase], tmp_path: Path
) -> None:
    flow = cases[0].gold()  # dev-001: look_up_records on incident, FOREACH, update_record
    flow["components"][0]["inputs"][0]["value"] = "incidnt"
    flow["components"].append(
        {"category": "placeholder", "definition": "PLACEHOLDER", "order": 4, "annotation": "x"}
    )
    entry = {
        "status": "invalid_after_repairs",
        "flow": flow,
        "repairs_used": 2,
        "fixes": ["step 5: PARALLEL with one path unwrapped"],
        "tokens": {"planner": {"input_tokens": 100, "output_tokens": 10}},
    }
    doc = _run(cases[:1], tmp_path, lambda c, k: ReplayGenerator({cases[0].id: entry}))
    record = doc["datasets"]["dev"]["configs"]["fake"]["cases"][0]
    assert record["grounding"]["tables"] == 1
    assert record["placeholders"] == 1
    assert (record["repairs_used"], record["tokens_in"], record["tokens_out"]) == (2, 100, 10)
    assert record["fixes"] == ["step 5: PARALLEL with one path unwrapped"]
    agg = doc["datasets"]["dev"]["configs"]["fake"]["aggregate"]
    assert agg["last_resort_rate"] == 1.0
    assert agg["grounding_rate"]["tables"] == 1.0
    assert agg["grounding_rate"]["steps"] == 0.0
    assert agg["valid_rate"] == 0.0


# --- the CLI ------------------------------------------------------------------------------


def _write_config(tmp_path: Path, name: str, replay: dict[str, Any]) -> Path:
    (tmp_path / f"{name}.json").write_text(json.dumps(replay))
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"name: {name}\nreplay: {name}.json\n")
    return path


def test_cli_runs_writes_report_and_plots_and_compares(
    cases: list[EvalCase], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gold = {c.id: {"status": "valid", "flow": c.gold()} for c in cases[:3]}
    worse = {c.id: {"status": "valid", "flow": _perturbed(c)} for c in cases[:3]}
    dataset = tmp_path / "mini.jsonl"
    dataset.write_text("".join(c.model_dump_json() + "\n" for c in cases[:3]))
    args = ["eval", "--dataset", str(dataset), "--no-progress"]
    code_a = main(
        [
            *args,
            "--config",
            str(_write_config(tmp_path, "worse", worse)),
            "--out",
            str(tmp_path / "a"),
        ]
    )
    code_b = main(
        [
            *args,
            "--config",
            str(_write_config(tmp_path, "gold", gold)),
            "--out",
            str(tmp_path / "b"),
        ]
    )
    assert (code_a, code_b) == (0, 0)
    report = (tmp_path / "b" / "report.md").read_text()
    assert "## Dataset `mini` (3 cases)" in report
    assert (tmp_path / "b" / "mini-flowsim-per-feature.png").stat().st_size > 1000
    limited = [*args, "--config", str(tmp_path / "gold.yaml"), "--limit", "2"]
    assert main([*limited, "--out", str(tmp_path / "c")]) == 0
    assert (
        "## Dataset `mini` (the first 2 of 3 cases)" in (tmp_path / "c" / "report.md").read_text()
    )
    capsys.readouterr()
    assert main(["eval", "compare", str(tmp_path / "a"), str(tmp_path / "b")]) == 0
    out = capsys.readouterr().out
    assert "`worse` → `gold`" in out
    assert "| FlowSim outline |" in out and "| 1.000 |" in out
    notes = tmp_path / "notes.md"
    notes.write_text("Run on a laptop.")
    assert (
        main(["eval", "report", str(tmp_path / "b"), "--title", "Gold", "--notes", str(notes)]) == 0
    )
    rerendered = (tmp_path / "b" / "report.md").read_text()
    assert rerendered.startswith("# Gold\n\nRun on a laptop.\n")
    assert "## Dataset `mini` (3 cases)" in rerendered


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["eval", "--dataset", "nope", "--config", "builtin"], "no dataset 'nope'"),
        (["eval", "--dataset", "dev", "--config", "nope"], "no configuration 'nope'"),
        (["eval", "--dataset", "dev"], "give at least one --dataset and one --config"),
        (["eval", "--dataset", "dev", "--config", "builtin", "--limit", "0"], "--limit"),
        (["eval", "compare", "/nonexistent/a", "/nonexistent/b"], "cannot read eval results"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1


# --- perfect retrieval ----------------------------------------------------------------------


class _FixedRetriever:
    """A retriever that always answers with the same distractors."""

    def search_steps(self, query: str, k: int = 10, kinds: Any = None) -> list[StepHit]:
        hits = [StepHit("action", "log", "global", "Log", "", 3.0)]
        hits.append(StepHit("action", "look_up_records", "global", "Look Up Records", "", 2.0))
        return hits[:k]

    def search_tables(self, query: str, k: int = 10) -> list[TableHit]:
        return [TableHit("problem", "Problem", "task", "", 5.0)][:k]

    def search_columns(self, query: str, table: str | None = None, k: int = 10) -> list[ColumnHit]:
        return [ColumnHit("incident", "urgency", "Urgency", "integer", None, "task", 1.0)][:k]

    def get_table_schema(self, table: str) -> None:
        return None

    def search_choices(self, table: str, column: str, query: str, k: int = 10) -> list[ChoiceHit]:
        return [ChoiceHit(table, column, "1", "New", 1.0)][:k]

    def search_triggers(self, query: str, k: int = 5) -> list[TriggerHit]:
        return [TriggerHit("daily", "Daily", "", False, 9.0)][:k]

    def close(self) -> None:
        self.closed = True


def test_perfect_retrieval_puts_the_reference_items_first(cases: list[EvalCase]) -> None:
    # dev-001: record_update on sys_user (active=false); look_up_records on incident with
    # assigned_to/active; FOREACH; update_record of incident setting assigned_to.
    perfect = PerfectRetriever(_FixedRetriever(), cases[0].flow, demo_catalog())
    assert isinstance(perfect, Retriever)
    steps = perfect.search_steps("anything", k=3)
    assert [h.definition for h in steps] == ["look_up_records", "FOREACH", "update_record"]
    assert [h.definition for h in perfect.search_steps("x", k=5)][3:] == ["log"]
    logic_only = perfect.search_steps("x", kinds=frozenset({"flowlogic"}))
    assert logic_only[0].definition == "FOREACH"  # the gold actions are filtered out by kind
    assert "update_record" not in [h.definition for h in logic_only]
    assert steps[0].score > steps[1].score > steps[2].score > 3.0
    assert [h.name for h in perfect.search_tables("x")] == ["sys_user", "incident", "problem"]
    columns = [(h.table, h.column) for h in perfect.search_columns("x", table="incident")]
    assert columns == [("incident", "assigned_to"), ("incident", "active"), ("incident", "urgency")]
    assert perfect.search_triggers("x")[0].type == "record_update"


def test_perfect_retrieval_injects_choice_values_of_the_reference(cases: list[EvalCase]) -> None:
    dev_004 = next(c for c in load_dataset("dev") if c.id == "dev-004")  # state=6 → state=7
    perfect = PerfectRetriever(_FixedRetriever(), dev_004.flow, demo_catalog())
    assert [h.value for h in perfect.search_choices("incident", "state", "resolved")] == [
        "6",
        "7",
        "1",
    ]


def test_not_applicable_scores_are_skipped_in_means(tmp_path: Path) -> None:
    # Two subflows have no trigger to match: trigger_match is None and left out of the mean,
    # while a failed case still counts as 0.
    subflow = {
        "name": "s",
        "trigger": None,
        "components": [{"category": "action", "definition": "log", "order": 1}],
    }
    cases = [EvalCase(id=i, requirement=i, flow=subflow) for i in ("sub", "failing")]
    replay = ReplayGenerator(
        {"sub": {"status": "valid", "flow": subflow}, "failing": {"error": "x"}}
    )
    doc = _run(cases, tmp_path, lambda config, catalog: replay)
    entry = doc["datasets"]["dev"]["configs"]["fake"]
    assert entry["cases"][0]["trigger_match"] is None
    assert entry["aggregate"]["trigger_match"] == 0.0  # only the failure's 0 is counted
    assert entry["aggregate"]["flowsim_outline"] == pytest.approx(0.5)


def test_dev_references_score_perfectly_against_themselves(tmp_path: Path) -> None:
    dev = load_dataset("dev")
    replay = ReplayGenerator({c.id: {"status": "valid", "flow": c.gold()} for c in dev})
    doc = _run(dev, tmp_path, lambda config, catalog: replay)
    agg = doc["datasets"]["dev"]["configs"]["fake"]["aggregate"]
    for metric in (
        "flowsim_outline",
        "flowsim_full",
        "tree_bleu",
        "trigger_match",
        "component_jaccard",
    ):
        assert agg[metric] == 1.0, metric
    assert (agg["structural_after"], agg["valid_rate"], agg["n_failed"]) == (0.0, 1.0, 0)
    assert sum(agg["grounding_total"].values()) == 0


def test_a_run_without_a_usable_flow_is_a_structural_miss_not_a_failure(
    cases: list[EvalCase], tmp_path: Path
) -> None:
    issue = {
        "code": "invalid_json",
        "severity": "error",
        "kind": "schema",
        "path": "",
        "message": "the planner output is not JSON",
        "hint": "Return one JSON object.",
    }
    entry = {"status": "invalid_after_repairs", "flow": None, "issues": [issue], "repairs_used": 3}
    doc = _run(cases[:1], tmp_path, lambda c, k: ReplayGenerator({cases[0].id: entry}))
    section = doc["datasets"]["dev"]["configs"]["fake"]
    record = section["cases"][0]
    assert (record["ok"], record["unusable"], record["flowsim_full"]) == (True, True, 0.0)
    assert record["reason"] == "no usable flow (invalid_json: the planner output is not JSON)"
    agg = section["aggregate"]
    assert (agg["n_failed"], agg["unusable_rate"]) == (0, 1.0)
    assert (agg["structural_before"], agg["structural_after"]) == (1.0, 1.0)
    assert "no usable flow (invalid_json" in (tmp_path / "results.json").read_text()
