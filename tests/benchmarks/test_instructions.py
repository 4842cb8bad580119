"""Instruction counting: cachegrind's report is read, probes run the benchmark flow, and a
missing valgrind is a one-line error."""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
import threading
from typing import Any

import pytest

import graph as graph_module
from benchmarks import instructions
from benchmarks.instructions import (
    CONFIGS,
    STUBS,
    InstrumentError,
    instruction_refs,
    per_flow,
    run_probe,
)

STUB_TARGETS = {"render": "render_messages", "wrapper": "invoke_with_retries",
                "toolnode": "run_tool_calls"}
"""The attribute each stub replaces."""
REPORT = """==20163== Cachegrind, a high-precision tracing profiler
==20163== Command: python /tmp/icount.py 0
==20163==
==20163== I   refs:      6,547,318,306
"""


def test_the_instruction_count_is_read_from_the_summary() -> None:
    assert instruction_refs(REPORT) == 6_547_318_306
    with pytest.raises(InstrumentError, match="no instruction count"):
        instruction_refs("==1== Command: python\n")


@pytest.mark.parametrize("config", sorted(set(CONFIGS) - {"floor"}))
def test_a_probe_runs_the_benchmark_flow(config: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_probe(config, flows=1, warmup=0, patch=monkeypatch.setattr) == "valid"


def test_the_floor_probe_runs_the_no_op_graph(monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_probe("floor", flows=1, warmup=0, patch=monkeypatch.setattr) == ""


def test_a_probe_runs_langgraph_tasks_in_its_own_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    # Thread interleaving under valgrind is what made counts wander; probes have none.
    threads: set[int] = set()
    real = graph_module.fill_step

    @functools.wraps(real)
    def recording(*args: Any, **kwargs: Any) -> Any:
        threads.add(threading.get_ident())
        return real(*args, **kwargs)

    monkeypatch.setattr(graph_module, "fill_step", recording)
    monkeypatch.setattr(graph_module, "graph", graph_module.build_graph())
    assert run_probe("repeated", flows=1, warmup=0, patch=monkeypatch.setattr) == "valid"
    assert threads == {threading.get_ident()}


@pytest.mark.parametrize("stub", sorted(STUBS))
def test_a_stubbed_flow_stays_valid(stub: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # A stand-in that broke the flow would price a different flow, not the part it replaces.
    patched: list[str] = []

    def patch(target: object, name: str, value: object) -> None:
        patched.append(name)
        monkeypatch.setattr(target, name, value)

    assert run_probe("repeated", flows=1, warmup=1, stubs=[stub], patch=patch) == "valid"
    assert patched == [STUB_TARGETS[stub]]


def test_without_valgrind_the_command_fails_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr("sys.argv", ["instructions", "--flows", "2"])
    with pytest.raises(SystemExit) as exit_info:
        instructions.main()
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err == "error: valgrind is not installed (Debian: apt install valgrind)"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_flows_cost_instructions_under_cachegrind() -> None:
    numbers = per_flow("graph", flows=1, warmup=1)
    # A flow of the graph alone runs tens of millions of instructions; 1 M would mean the
    # probes ran no flow at all.
    assert numbers["instructions_per_flow"] > 1_000_000


def test_a_failed_probe_stops_the_other(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[subprocess.Popen[str]] = []
    real_popen = subprocess.Popen

    def fake_command(valgrind: str, config: str, flows: int, *rest: Any) -> list[str]:
        code = ("import sys; print('boom', file=sys.stderr); "
                "print('==12== I   refs: 5', file=sys.stderr); sys.exit(3)") if flows == 0 else (
            "import time; time.sleep(60)")
        return [sys.executable, "-c", code]

    def recording_popen(*args: Any, **kwargs: Any) -> subprocess.Popen[str]:
        started.append(real_popen(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/valgrind")
    monkeypatch.setattr(instructions, "probe_command", fake_command)
    monkeypatch.setattr(subprocess, "Popen", recording_popen)
    with pytest.raises(InstrumentError, match="probe exited with 3: boom"):
        per_flow("graph", flows=2, warmup=0)
    assert len(started) == 2
    assert all(p.poll() is not None for p in started)  # the sleeping probe was killed
