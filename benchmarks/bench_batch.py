"""Benchmark batch throughput: flows per minute at concurrency 1, 2 and 4.

Models: a zero-latency scripted model (the cost of the graph itself: retrieval, lookups,
validation, LangGraph overhead), the same with 200 ms per call (what a remote model API looks
like, where concurrency pays off), and the built-in model when ``models/builtin`` exists
(skipped with a note otherwise). Every item runs the full generator graph through
`agent.batch.run_batch`, exactly as ``flowgen batch`` does.

Run: ``python -m benchmarks.bench_batch [--items N] [--builtin-items N] [--concurrency 1 2 4]``.
A benchmark, not a test: the numbers depend on the machine, so nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel

from agent.api import make_context
from agent.batch import run_batch
from agent.batch_io import BatchItem
from agent.scripted import ScriptedChatModel, load_script
from agent.settings import ROLES, load_settings
from catalog import demo_catalog

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tests" / "agent" / "chat" / "scripts" / "three_turns.json"
BUILTIN = ROOT / "models" / "builtin"
REQUIREMENTS = (
    "When a user becomes inactive, reassign their open incidents to their manager",
    "When a P1 incident is created, email the assignment group manager",
    "Every Monday at 8am, count the open P1 incidents and email the count to the service desk",
    "When a change request is approved, add a work note and notify the requester",
)


class SlowScriptedModel(ScriptedChatModel):
    """The scripted model plus a fixed delay per call, standing in for a remote model API."""

    latency_s: float = 0.2

    def _generate(self, messages: Any, stop: Any = None, run_manager: Any = None, **kw: Any) -> Any:
        time.sleep(self.latency_s)
        return super()._generate(messages, stop, run_manager, **kw)


def _items(n: int) -> list[BatchItem]:
    return [BatchItem(f"b{i}", REQUIREMENTS[i % len(REQUIREMENTS)], i + 1) for i in range(n)]


def measure(
    model_spec: str, items: int, concurrency: int, latency_s: float = 0.0
) -> tuple[float, dict[str, int]]:
    """Run one batch; return flows per minute and the status counts.

    A model with latency stands in for a remote API, so its fills run in LangGraph's pool, as
    a remote filler's do (`agent.execution`); the others run them inline, as `auto` does.
    """
    fill_tasks = "threads" if latency_s > 0 else "auto"
    settings = load_settings({"model": model_spec, "fill_tasks": fill_tasks})
    models: dict[str, BaseChatModel] = {}
    if model_spec.startswith("scripted:"):
        # One shared instance, as in a real batch: every item replays the same recorded run.
        script = load_script(model_spec.removeprefix("scripted:"))
        models[model_spec] = SlowScriptedModel(script=script, latency_s=latency_s)
    context = make_context(settings, catalog=demo_catalog(), models=models)
    context.get_retriever()  # build the index outside the timed run, as a long batch amortises it
    for role in ROLES:
        context.get_model(role)
    with tempfile.TemporaryDirectory() as tmp:
        summary = run_batch(
            _items(items),
            Path(tmp) / "out.jsonl",
            settings=settings,
            concurrency=concurrency,
            context=context,
        )
    return summary.flows_per_minute, dict(summary.statuses)


def main() -> None:
    """Print a table of flows per minute per model and concurrency."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=40, help="items per scripted run")
    parser.add_argument("--builtin-items", type=int, default=8, help="items per builtin run")
    parser.add_argument("--slow-items", type=int, default=12, help="items per 200 ms run")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    runs = [
        ("scripted, zero latency", f"scripted:{SCRIPT}", args.items, 0.0),
        ("scripted, 200 ms per call", f"scripted:{SCRIPT}", args.slow_items, 0.2),
    ]
    if BUILTIN.is_dir():
        runs.append(("builtin", "builtin", args.builtin_items, 0.0))
    else:
        print(f"note: {BUILTIN.relative_to(ROOT)} does not exist; builtin model skipped")
    print("| model | items | " + " | ".join(f"c={c}" for c in args.concurrency) + " |")
    print("|---|---|" + "---|" * len(args.concurrency))
    for label, spec, n, latency in runs:
        cells = []
        for c in args.concurrency:
            rate, statuses = measure(spec, n, c, latency)
            cells.append(f"{rate:.0f}/min")
        print(f"| {label} | {n} | " + " | ".join(cells) + f" |  statuses {json.dumps(statuses)}")


if __name__ == "__main__":
    main()
