"""Benchmark the generator's own overhead: a 10-step flow on a zero-latency scripted model.

Everything but model time is measured: the LangGraph machinery, prompt variables and rendering,
the ToolNode catalog lookups, the Send fan-out, validation and the result. The model answers
instantly from memory, so the time per flow is the price the graph adds to any real model.

Three configurations, run in rounds of ten flows each so that all see the same machine: SQLite
retrieval as a repeated flow sees it (the lookup tools and the plan candidates remember their
answers), SQLite with those answers forgotten before every run (every search runs, as for a new
requirement), and a retriever that finds nothing instantly (the graph alone). A fourth line
times LangGraph alone: the same graph shape and state with nodes that do nothing
(`benchmarks.graph_floor`), the part of the overhead flowgen cannot cut; a fifth prices one
LangChain chat-model call on an instant model.
The overhead of a flow is its wall time minus the model's own time: the CPU time the scripted
model spends producing its answers, measured inside it (about 0.1 ms a call). LangChain's wrapper
around each call stays in the overhead: every real model pays it too.
Besides wall time, the process CPU time per flow is reported, and the fastest run. On a shared
machine all of them swing with the neighbours' load (by half or more, over minutes);
`benchmarks.instructions` counts the instructions of a flow instead, which do not.

Run: ``python -m benchmarks.bench_graph [--repeat N] [--warmup N] [--json]``. A benchmark, not
a test: the numbers depend on the machine, so nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from typing import Any

from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatResult
from pydantic import Field

from agent.api import generate, run_config
from agent.candidates import PLAN_MEMO
from agent.context import lookup_tools
from agent.execution import task_mode
from agent.scripted import ScriptedChatModel
from agent.settings import FillTasks, Settings, load_settings
from benchmarks.graph_floor import measure_chat_call, measure_floor
from catalog import demo_catalog
from schemas.result import GenerationResult
from tools.lookup import clear_memos
from tools.retriever import Retriever, make_retriever

REQUIREMENT = (
    "When an incident is updated, look up its caller; if the incident is critical, set it in "
    "progress, email the caller and wait two hours, otherwise log it; then find the caller's "
    "other open incidents and for each of them add a work note and log it"
)
SPEC = "scripted:bench"
MODEL_CALLS = 11
"""Model calls per run of the benchmark flow: the plan, the trigger's fill and nine step fills
(the ELSE has no inputs to fill)."""
REPEATED = "sqlite retrieval (repeated flow)"
"""The configuration the 20 ms goal is about: a flow as a repeated requirement sees it."""
BLOCK = 10
"""Flows of one configuration run back to back within a round (see `measure_rounds`)."""
Config = tuple[Retriever, bool]
"""A retriever, and whether the lookup tools forget their answers before every run."""

# (category, definition, block, annotation, inputs) of the 10 steps, in order.
STEPS: tuple[tuple[str, str, int | None, str, dict[str, str]], ...] = (
    ("action", "look_up_record", None, "look up its caller",
     {"table": "sys_user", "conditions": "sys_id={{trigger.current.caller_id}}"}),
    ("flowlogic", "IF", None, "if the incident is critical",
     {"condition": "{{trigger.current.priority}}=1"}),
    ("action", "update_record", 2, "set it in progress",
     {"table_name": "incident", "record": "{{trigger.current}}", "values": "state=2"}),
    ("action", "send_email", 2, "email the caller",
     {"ah_to": "{{step_1.record.email}}", "ah_subject": "Your incident is being worked on"}),
    ("flowlogic", "WAITFORADURATION", 2, "wait two hours", {"duration": "2h"}),
    ("flowlogic", "ELSE", None, "otherwise", {}),
    ("action", "log", 6, "log it", {"log_message": "not critical"}),
    ("action", "look_up_records", None, "find the caller's other open incidents",
     {"table": "incident", "conditions": "caller_id={{step_1.record.sys_id}}^active=true"}),
    ("flowlogic", "FOREACH", None, "for each of them", {"items": "{{step_8.records}}"}),
    ("action", "update_record", 9, "add a work note",
     {"table_name": "incident", "record": "{{step_9.item}}",
      "values": "work_notes=Caller has a critical incident"}),
)


def script() -> dict[str, Any]:
    """Return the scripted answers of every node for the 10-step flow."""
    components = [
        {"category": c, "definition": d, "scope": "global", "order": i, "block": b,
         "annotation": note}
        for i, (c, d, b, note, _) in enumerate(STEPS, start=1)
    ]
    outline = {"name": "Critical incident follow-up",
               "trigger": {"type": "record_update", "annotation": "When an incident is updated"},
               "components": components}
    fills = {str(i): [{"inputs": [{"name": k, "value": v} for k, v in inputs.items()]}]
             for i, (*_, inputs) in enumerate(STEPS, start=1)}
    trigger = [{"inputs": [{"name": "table", "value": "incident"}]}]
    return {"plan": [outline], "fill": fills, "fill_trigger": trigger}


class TimedScriptedModel(ScriptedChatModel):
    """The scripted model, keeping the CPU time of each of its answers (the model time)."""

    spent: list[float] = Field(default_factory=list)
    """Seconds of the calling thread's CPU time per answer: thread time, because fills may
    answer on parallel threads (``--fill-tasks threads``) and a switch in mid-answer must not
    count the other thread's work."""

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: Any = None, **kwargs: Any) -> ChatResult:
        started = time.thread_time()
        try:
            return super()._generate(messages, stop, run_manager, **kwargs)
        finally:
            self.spent.append(time.thread_time() - started)


class NullRetriever:
    """A retriever that finds nothing instantly: isolates the graph from search cost."""

    def search_steps(self, query: str, k: int = 10, kinds: Any = None) -> list[Any]:
        """Find nothing."""
        return []

    def search_tables(self, query: str, k: int = 10) -> list[Any]:
        """Find nothing."""
        return []

    def search_columns(self, query: str, table: str | None = None, k: int = 10) -> list[Any]:
        """Find nothing."""
        return []

    def get_table_schema(self, table: str) -> None:
        """Know no table."""
        return None

    def search_choices(self, table: str, column: str, query: str, k: int = 10) -> list[Any]:
        """Find nothing."""
        return []

    def search_triggers(self, query: str, k: int = 5) -> list[Any]:
        """Find nothing."""
        return []

    def close(self) -> None:
        """Hold nothing."""


Run = tuple[float, float, float, GenerationResult]
"""One flow: wall seconds, process CPU seconds, the model's own seconds, the result."""


def bench_settings(fill_tasks: FillTasks = "auto") -> Settings:
    """Return the settings of the benchmark's runs: the scripted model, and where fills run."""
    return load_settings({"model": SPEC, "fill_tasks": fill_tasks}, env={})


def run_once(retriever: Retriever, forget: bool = False,
             model: TimedScriptedModel | None = None, settings: Settings | None = None) -> Run:
    """Generate the flow once; return its wall, CPU and model seconds and the result.

    With `forget`, the lookup tools and the plan candidates forget this retriever's remembered
    answers first (not timed); other retrievers keep theirs. `model` is the model to answer
    (default: a new one): a batch keeps one model for all its flows, and LangChain serialises
    a model on its first call only. `settings` default to `bench_settings()`.
    """
    settings = settings or bench_settings()
    model = model if model is not None else TimedScriptedModel(script=script())
    if forget:
        clear_memos(lookup_tools(retriever))
        PLAN_MEMO.forget(retriever)
    answered = len(model.spent)
    started, cpu = time.perf_counter(), time.process_time()
    result = generate(REQUIREMENT, settings=settings, catalog=demo_catalog(),
                      retriever=retriever, models={SPEC: model})
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return wall, cpu, sum(model.spent[answered:]), result


def measure(repeat: int, warmup: int, retriever: Retriever, forget: bool = False
            ) -> dict[str, Any]:
    """Run the benchmark on one configuration and return its numbers (milliseconds)."""
    return measure_rounds(repeat, warmup, {"only": (retriever, forget)})["only"]


def measure_rounds(repeat: int, warmup: int, configs: dict[str, Config], block: int = BLOCK,
                   settings: Settings | None = None) -> dict[str, Any]:
    """Run `repeat` flows of every configuration in rounds; return numbers per config.

    Each round runs a block of `block` flows of every configuration in turn, after one
    uncounted flow that brings the configuration's data back into the CPU caches. Rounds
    rather than one configuration after another: the neighbours' load on a shared machine
    drifts over minutes, and this way every configuration sees the same drift. Each
    configuration keeps one model for all its flows, as a batch does. `settings` default to
    `bench_settings()`.
    """
    settings = settings or bench_settings()
    models = {name: TimedScriptedModel(script=script()) for name in configs}
    for _ in range(warmup):
        for name, (retriever, forget) in configs.items():
            run_once(retriever, forget, models[name], settings)
    runs: dict[str, list[Run]] = {name: [] for name in configs}
    while any(len(found) < repeat for found in runs.values()):
        for name, (retriever, forget) in configs.items():
            run_once(retriever, forget, models[name], settings)
            count = min(block, repeat - len(runs[name]))
            runs[name].extend(run_once(retriever, forget, models[name], settings)
                              for _ in range(count))
    return {name: summarise(found) for name, found in runs.items()}


def summarise(runs: list[Run]) -> dict[str, Any]:
    """Return the numbers (milliseconds) of one configuration's runs.

    Wall and CPU times are the overhead: the model's own time is taken off both.
    """
    walls = sorted((wall - model) * 1000 for wall, _, model, _ in runs)
    cpus = [(cpu - model) * 1000 for _, cpu, model, _ in runs]
    nodes: dict[str, list[float]] = {}
    for *_, result in runs:
        for node, seconds in result.timings.items():
            nodes.setdefault(node, []).append(seconds * 1000)
    lookup = statistics.fmean(nodes.get("lookup", [0.0]))
    mean = statistics.fmean(walls)
    return {
        "steps": len(STEPS), "repeat": len(runs), "status": runs[-1][-1].status,
        "model_ms": round(statistics.fmean(model * 1000 for *_, model, _ in runs), 3),
        "wall_p50_ms": round(statistics.median(wall * 1000 for wall, *_ in runs), 2),
        "mean_ms": round(mean, 2), "p50_ms": round(statistics.median(walls), 2),
        "p95_ms": round(walls[int(0.95 * (len(walls) - 1))], 2), "min_ms": round(walls[0], 2),
        "cpu_p50_ms": round(statistics.median(cpus), 2),
        "mean_without_lookup_ms": round(mean - lookup, 2),
        "node_mean_ms": {k: round(statistics.fmean(v), 2) for k, v in nodes.items()},
    }


def benchmark_configs() -> dict[str, Config]:
    """Return the three configurations by name (see the module docstring).

    The two SQLite configurations get a retriever each: forgetting one's answers between
    interleaved runs must not make the other's flow new.
    """
    catalog = demo_catalog()
    return {
        REPEATED: (make_retriever(catalog), False),
        "sqlite retrieval, lookups forgotten per run": (make_retriever(catalog), True),
        "null retrieval (graph only)": (NullRetriever(), False),
    }


def calibration_us(repeat: int = 2000) -> float:
    """Return the p50 time of `sum(range(1000))` in µs: how fast this machine is right now."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        sum(range(1000))
        samples.append((time.perf_counter() - started) * 1e6)
    return statistics.median(samples)


def cpu_model(cpuinfo: str = "/proc/cpuinfo") -> str:
    """Return the processor's model name (Linux), else what `platform` knows, else "unknown".

    Hosts of one VM size differ: docs/generator.md saw the same instruction count take twice
    the time on one host as on another, so a report must say which processor it ran on.
    """
    try:
        with open(cpuinfo, encoding="utf-8") as lines:
            for line in lines:
                key, _, value = line.partition(":")
                if key.strip() == "model name" and value.strip():
                    return value.strip()
    except OSError:
        pass  # not Linux: fall back below
    return platform.processor() or platform.machine() or "unknown"


def machine_info(settings: Settings) -> dict[str, Any]:
    """Return what a reader needs to compare this run with others: speed, load, CPU, Python."""
    # The interpreter's build matters as much as the machine: on the shared VM of
    # docs/generator.md, Debian's python3.11 ran the flow a fifth to a quarter faster than a
    # pyenv build.
    return {"calibration_us": round(calibration_us(), 2),
            "load_average_1m": round(os.getloadavg()[0], 2), "cpus": os.cpu_count(),
            "cpu": cpu_model(),
            "python": f"{platform.python_version()} ({sys.executable})",
            "fill_tasks": task_mode(settings)}


def main() -> None:
    """Parse flags, run, print a table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--fill-tasks", choices=("auto", "threads", "inline"), default="auto",
                        help="where the fills run (setting fill_tasks; auto: inline for the "
                        "in-process scripted model)")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = parser.parse_args()
    if args.repeat < 1 or args.warmup < 0:
        parser.error("--repeat must be at least 1 and --warmup at least 0")
    settings = bench_settings(args.fill_tasks)
    results = measure_rounds(args.repeat, args.warmup, benchmark_configs(), settings=settings)
    floor = measure_floor(len(STEPS), args.repeat * 3, args.warmup, run_config(settings))
    call = measure_chat_call(args.repeat * 20)
    machine = machine_info(settings)
    if args.json:
        print(json.dumps({"machine": machine, **results, "langgraph floor": floor,
                          "langchain chat call": call}, indent=2))
        return
    print(f"machine: sum(range(1000)) p50 {machine['calibration_us']} µs, "
          f"load average {machine['load_average_1m']} on {machine['cpus']} CPUs "
          f"({machine['cpu']}), "
          f"python {machine['python']}; fills run {machine['fill_tasks']}")
    for name, numbers in results.items():
        print(f"{name}: {numbers['steps']}-step flow, zero-latency model, "
              f"{numbers['repeat']} runs (status {numbers['status']})")
        print(f"  overhead per flow (the model's own {numbers['model_ms']} ms taken off): "
              f"mean {numbers['mean_ms']} ms, p50 {numbers['p50_ms']} ms, "
              f"p95 {numbers['p95_ms']} ms, min {numbers['min_ms']} ms, "
              f"CPU p50 {numbers['cpu_p50_ms']} ms; "
              f"without the lookup node: {numbers['mean_without_lookup_ms']} ms")
        nodes = ", ".join(f"{k} {v:.1f}" for k, v in numbers["node_mean_ms"].items())
        print(f"  node ms (summed over parallel calls): {nodes}")
    print(f"langgraph floor (same shape and state, no-op nodes): {floor['repeat']} runs, "
          f"mean {floor['mean_ms']} ms, p50 {floor['p50_ms']} ms, min {floor['min_ms']} ms")
    print(f"langchain chat-model call on an instant model: invoke {call['invoke_us']} µs, "
          f"of which the wrapper {call['wrapper_us']} µs ({MODEL_CALLS} calls per flow)")


if __name__ == "__main__":
    main()
