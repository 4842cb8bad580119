"""Count the CPU instructions one benchmark flow executes, under valgrind's cachegrind.

Wall time on a shared machine swings by half or more with the neighbours' load, and the
calibration loop of `bench_graph` does not see it (it never leaves the L1 cache). The number of
instructions a flow executes hardly moves (±1 % between runs): use it to compare two commits'
overhead, and `bench_graph` for what the overhead costs in time.

Two probes run the `bench_graph` flow under cachegrind, side by side: warm-up flows only, then
the same warm-up plus N flows. The difference over N is the instructions per flow; start-up,
imports and warm-up cancel out. Hash randomisation is off so both probes build the same dicts.

Run: ``python -m benchmarks.instructions [--config repeated|new|graph] [--flows N]``. Needs
valgrind (Debian: ``apt install valgrind``); a probe takes under a minute.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from typing import Any

CONFIGS = {
    "repeated": "sqlite retrieval (repeated flow)",
    "new": "sqlite retrieval, lookups forgotten per run",
    "graph": "null retrieval (graph only)",
}
"""Short names of `bench_graph`'s configurations."""
_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


class InstrumentError(RuntimeError):
    """Valgrind is missing, or a probe failed or printed no instruction count."""


def instruction_refs(report: str) -> int:
    """Return the instruction count ("I refs") from cachegrind's summary on stderr.

    Raises:
        InstrumentError: the report has no count.
    """
    found = _REFS.search(report)
    if found is None:
        raise InstrumentError("cachegrind printed no instruction count")
    return int(found.group(1).replace(",", ""))


def probe_command(valgrind: str, config: str, flows: int, warmup: int) -> list[str]:
    """Return the command running `flows` flows of a configuration under cachegrind."""
    return [valgrind, "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
            sys.executable, "-m", "benchmarks.instructions", "--probe", "--config", config,
            "--flows", str(flows), "--warmup", str(warmup)]


def per_flow(config: str, flows: int, warmup: int) -> dict[str, Any]:
    """Count the instructions of one flow of a configuration (two probes, run in parallel).

    Raises:
        InstrumentError: valgrind is missing or a probe failed.
    """
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise InstrumentError("valgrind is not installed (Debian: apt install valgrind)")
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    probes = [subprocess.Popen(probe_command(valgrind, config, n, warmup), env=env, text=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
              for n in (0, flows)]
    counts = []
    for probe in probes:
        _, stderr = probe.communicate()
        if probe.returncode != 0:
            last = stderr.strip().splitlines()[-1:] or ["no output"]
            raise InstrumentError(f"probe exited with {probe.returncode}: {last[0]}")
        counts.append(instruction_refs(stderr))
    per = (counts[1] - counts[0]) / flows
    return {"config": CONFIGS[config], "flows": flows, "warmup": warmup,
            "instructions_per_flow": round(per), "millions_per_flow": round(per / 1e6, 1)}


def run_probe(config: str, flows: int, warmup: int) -> str:
    """Run warm-up plus `flows` flows of a configuration (what cachegrind watches).

    Returns the status of the last flow.
    """
    from benchmarks.bench_graph import benchmark_configs, run_once

    retriever, forget = benchmark_configs()[CONFIGS[config]]
    status = ""
    for _ in range(warmup + flows):
        status = run_once(retriever, forget)[2].status
    return status


def main() -> None:
    """Parse flags; count (or, with --probe, run) the flows."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", choices=sorted(CONFIGS), default="repeated")
    parser.add_argument("--flows", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = parser.parse_args()
    if args.probe:  # the warm-up-only probe runs zero flows
        run_probe(args.config, args.flows, args.warmup)
        return
    if args.flows < 1 or args.warmup < 0:
        parser.error("--flows must be at least 1 and --warmup at least 0")
    try:
        numbers = per_flow(args.config, args.flows, args.warmup)
    except InstrumentError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    if args.json:
        print(json.dumps(numbers, indent=2))
        return
    print(f"{numbers['config']}: {numbers['millions_per_flow']} M instructions per flow "
          f"({numbers['flows']} flows after {numbers['warmup']} warm-up)")


if __name__ == "__main__":
    main()
