"""Instruction counting: cachegrind's report is read, probes run the benchmark flow, and a
missing valgrind is a one-line error."""

from __future__ import annotations

import shutil

import pytest

from benchmarks import instructions
from benchmarks.instructions import CONFIGS, InstrumentError, instruction_refs, per_flow, run_probe

REPORT = """==20163== Cachegrind, a high-precision tracing profiler
==20163== Command: python /tmp/icount.py 0
==20163==
==20163== I   refs:      6,547,318,306
"""


def test_the_instruction_count_is_read_from_the_summary() -> None:
    assert instruction_refs(REPORT) == 6_547_318_306
    with pytest.raises(InstrumentError, match="no instruction count"):
        instruction_refs("==1== Command: python\n")


@pytest.mark.parametrize("config", sorted(CONFIGS))
def test_a_probe_runs_the_benchmark_flow(config: str) -> None:
    assert run_probe(config, flows=1, warmup=0) == "valid"


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
