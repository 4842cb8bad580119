"""Count the CPU instructions one benchmark flow executes, under valgrind's cachegrind.

Wall time on a shared machine swings by half or more with the neighbours' load, and the
calibration loop of `bench_graph` does not see it (it never leaves the L1 cache). The number of
user-space instructions a flow executes does not move (two runs agree to a few thousand): use it
to compare two commits' overhead, and `bench_graph` for what the overhead costs in time. It
leaves out what the kernel does for the process (system calls) and the thread handoffs, since
a probe runs LangGraph's tasks in its own thread.

Two probes run the `bench_graph` flow under cachegrind, side by side: warm-up flows only, then
the same warm-up plus N flows. The difference over N is the instructions per flow; start-up,
imports and warm-up cancel out. Hash randomisation is off so both probes build the same dicts.

To see where the instructions go, `--stub PART` replaces one part of the flow with a stand-in
that costs next to nothing (the flow stays valid) and `--config floor` runs the LangGraph floor
(`benchmarks.graph_floor`); the difference to the plain count is that part's price. Stubs:
``render`` (each prompt rendered once, then reused), ``wrapper`` (the chat model's `_generate`
called without LangChain's `invoke` around it), ``toolnode`` (the lookup tools answered
without ToolNode around them).

Run: ``python -m benchmarks.instructions [--config repeated|new|graph|floor] [--flows N]
[--stub PART]...``. Needs valgrind (Debian: ``apt install valgrind``); a probe takes under a
minute.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

CONFIGS = {
    "repeated": "sqlite retrieval (repeated flow)",
    "new": "sqlite retrieval, lookups forgotten per run",
    "graph": "null retrieval (graph only)",
    "floor": "langgraph floor (same shape and state, no-op nodes)",
}
"""Short names of `bench_graph`'s configurations, and of the LangGraph floor."""
REPO_ROOT = Path(__file__).resolve().parent.parent
"""Where the probes run, so `-m benchmarks.instructions` imports this checkout from any cwd."""
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


def probe_command(valgrind: str, config: str, flows: int, warmup: int,
                  stubs: Sequence[str] = ()) -> list[str]:
    """Return the command running `flows` flows of a configuration under cachegrind."""
    return [valgrind, "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
            sys.executable, "-m", "benchmarks.instructions", "--probe", "--config", config,
            "--flows", str(flows), "--warmup", str(warmup),
            *(arg for stub in stubs for arg in ("--stub", stub))]


def per_flow(config: str, flows: int, warmup: int, stubs: Sequence[str] = ()) -> dict[str, Any]:
    """Count the instructions of one flow of a configuration (two probes, run in parallel).

    Raises:
        InstrumentError: valgrind is missing or a probe failed.
    """
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise InstrumentError("valgrind is not installed (Debian: apt install valgrind)")
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    probes = [subprocess.Popen(probe_command(valgrind, config, n, warmup, stubs), env=env,
                               cwd=REPO_ROOT, text=True, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
              for n in (0, flows)]
    try:
        counts = [_count(probe) for probe in probes]
    finally:
        for probe in probes:  # a failed probe leaves no other running
            if probe.poll() is None:
                probe.kill()
                probe.wait()
    per = (counts[1] - counts[0]) / flows
    return {"config": CONFIGS[config], "stubs": list(stubs), "flows": flows, "warmup": warmup,
            "instructions_per_flow": round(per), "millions_per_flow": round(per / 1e6, 1)}


_VALGRIND_LINE = re.compile(r"^(==|--)\d+(==|--)")


def _count(probe: subprocess.Popen[str]) -> int:
    _, stderr = probe.communicate()
    if probe.returncode != 0:
        # valgrind's own lines start with ==pid== or --pid--; the probe's error is the last other.
        own = [line for line in stderr.strip().splitlines() if not _VALGRIND_LINE.match(line)]
        raise InstrumentError(f"probe exited with {probe.returncode}: "
                              f"{own[-1] if own else 'no output'}")
    return instruction_refs(stderr)


Patch = Callable[[Any, str, Any], None]
"""Sets a module attribute: `setattr` in a probe, pytest's `monkeypatch.setattr` in tests."""


def run_probe(config: str, flows: int, warmup: int, stubs: Sequence[str] = (),
              patch: Patch = setattr) -> str:
    """Run warm-up plus `flows` flows of a configuration (what cachegrind watches).

    Returns the status of the last flow ("" for the floor, which makes none).
    """
    for stub in stubs:
        STUBS[stub](patch)
    # The flows run LangGraph's tasks in the calling thread, as the generator does for an
    # in-process model (`agent.execution`), and so does the floor, given the flows' config:
    # under valgrind, thread interleaving made counts wander (±100 M at start-up, ±10 M per
    # flow). The count leaves out what a thread pool would add (docs/generator.md).
    if config == "floor":
        from agent.api import run_config
        from benchmarks.bench_graph import STEPS, bench_settings
        from benchmarks.graph_floor import floor_graph

        graph, run = floor_graph(len(STEPS)), run_config(bench_settings())
        for _ in range(warmup + flows):
            graph.invoke({"requirement": "x"}, run)
        return ""
    from benchmarks.bench_graph import TimedScriptedModel, benchmark_configs, run_once, script

    retriever, forget = benchmark_configs()[CONFIGS[config]]
    model = TimedScriptedModel(script=script())
    status = ""
    for _ in range(warmup + flows):
        status = run_once(retriever, forget, model)[-1].status
    return status


def _stub_render(patch: Patch) -> None:
    import agent.nodes.common as common

    real, known = common.render_messages, {}

    def render_once(node: str, style: str, **variables: Any) -> Any:
        key = (node, style, str(variables.get("step", {}).get("order")))
        if key not in known:
            known[key] = real(node, style, **variables)
        return known[key]

    patch(common, "render_messages", render_once)


def _stub_wrapper(patch: Patch) -> None:
    import agent.structured as structured

    def generate_only(model: Any, messages: Any, kwargs: Any, call: Any, settings: Any) -> Any:
        return model._generate(messages, **kwargs).generations[0].message

    patch(structured, "invoke_with_retries", generate_only)


def _stub_toolnode(patch: Patch) -> None:
    import agent.nodes.lookup as lookup

    def answer_directly(tool_node: Any, message: Any) -> Any:
        return [tool_node.tools_by_name[c["name"]]._fast(c) for c in message.tool_calls]

    patch(lookup, "run_tool_calls", answer_directly)


STUBS: dict[str, Callable[[Patch], None]] = {
    "render": _stub_render, "wrapper": _stub_wrapper, "toolnode": _stub_toolnode}
"""Stand-ins for one part of a flow, each costing next to nothing (see the module docstring)."""


def main() -> None:
    """Parse flags; count (or, with --probe, run) the flows."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", choices=sorted(CONFIGS), default="repeated")
    parser.add_argument("--flows", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--stub", action="append", choices=sorted(STUBS), default=[],
                        help="replace this part of the flow with a stand-in (repeatable)")
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = parser.parse_args()
    if args.probe:  # the warm-up-only probe runs zero flows
        run_probe(args.config, args.flows, args.warmup, args.stub)
        return
    if args.flows < 1 or args.warmup < 0:
        parser.error("--flows must be at least 1 and --warmup at least 0")
    try:
        numbers = per_flow(args.config, args.flows, args.warmup, args.stub)
    except InstrumentError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    if args.json:
        print(json.dumps(numbers, indent=2))
        return
    stubbed = f", stubbed: {', '.join(numbers['stubs'])}" if numbers["stubs"] else ""
    print(f"{numbers['config']}{stubbed}: {numbers['millions_per_flow']} M instructions per "
          f"flow ({numbers['flows']} flows after {numbers['warmup']} warm-up)")


if __name__ == "__main__":
    main()
