"""Benchmark the validator: mean/p50/p99 time to validate a 50-component flow and each clean
fixture flow against the demo catalog.

Run: ``python -m benchmarks.bench_validator [--repeat N] [--components N]``. A benchmark, not a
test: the numbers depend on the machine, so nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from catalog import demo_catalog
from validator import validate

CLEAN_DIR = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "flows" / "clean"


# One block of 10 realistic steps; `{n}` in a value is the order of the block's n-th step.
_BLOCK: tuple[tuple[str, str, dict[str, str], int | None], ...] = (
    (
        "action",
        "look_up_records",
        {
            "table": "incident",
            "conditions": "active=true^priority<=2"
            "^assigned_to={{{{trigger.current.assigned_to}}}}^stateIN1,2,3",
        },
        None,
    ),
    ("flowlogic", "FOREACH", {"items": "{{{{step_{1}.records}}}}"}, None),
    (
        "flowlogic",
        "IF",
        {"condition": "{{{{step_{2}.item.state}}}}=2^OR{{{{step_{2}.item.priority}}}}=1"},
        2,
    ),
    (
        "action",
        "update_record",
        {
            "table_name": "incident",
            "record": "{{{{step_{2}.item}}}}",
            "values": "state=6^close_code=Solution provided^close_notes=Closed by flow",
        },
        3,
    ),
    ("flowlogic", "ELSE", {}, 2),
    (
        "action",
        "log",
        {"log_level": "info", "log_message": "skipped {{{{step_{2}.item.number}}}}"},
        5,
    ),
    (
        "action",
        "look_up_record",
        {"table": "sys_user", "conditions": "sys_id={{{{trigger.current.caller_id}}}}"},
        None,
    ),
    (
        "action",
        "send_email",
        {
            "ah_to": "{{{{step_{7}.record.email}}}}",
            "ah_subject": "Your incident {{{{trigger.current.number}}}}",
            "ah_body": "Updated",
            "record": "{{{{trigger.current}}}}",
            "table_name": "incident",
        },
        None,
    ),
    ("flowlogic", "SETFLOWVARIABLES", {"last_user": "{{{{step_{7}.record}}}}"}, None),
    (
        "action",
        "create_record",
        {
            "table_name": "incident_task",
            "values": "short_description=Follow up^incident={{{{trigger.current.sys_id}}}}",
        },
        None,
    ),
)


def _block(base: int) -> list[dict[str, object]]:
    """Return the 10 steps of `_BLOCK` numbered from `base + 1` (all valid)."""
    out: list[dict[str, object]] = []
    for offset, (category, definition, inputs, block) in enumerate(_BLOCK, start=1):
        comp: dict[str, object] = {
            "category": category,
            "definition": definition,
            "scope": "global",
            "order": base + offset,
            "annotation": f"step {base + offset}",
            "inputs": [{"name": k, "value": _fill(v, base)} for k, v in inputs.items()],
        }
        if block is not None:
            comp["block"] = base + block
        out.append(comp)
    return out


def _fill(template: str, base: int) -> str:
    """Replace `{n}` by the order of the block's n-th step (`{{`/`}}` are literal braces)."""
    return template.format(*range(base, base + 11))


def build_flow(components: int = 50) -> dict[str, object]:
    """Return a valid full flow of `components` steps (a multiple of 10) on the demo catalog."""
    comps: list[dict[str, object]] = []
    for base in range(0, components, 10):
        comps += _block(base)
    return {
        "name": f"Benchmark flow with {components} components",
        "trigger": {
            "type": "record_update",
            "inputs": [
                {"name": "table", "value": "incident"},
                {"name": "condition", "value": "priority=1^active=true"},
            ],
        },
        "components": comps[:components],
    }


def measure(fn: Callable[[], object], repeat: int) -> tuple[float, float, float, float]:
    """Return mean, p50, p99 and min of `repeat` calls in microseconds (after a warm-up)."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e6)
    times.sort()
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    return statistics.fmean(times), statistics.median(times), p99, times[0]


def main() -> None:
    """Print validation timings of the synthetic flow and of every clean fixture."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2000)
    parser.add_argument("--components", type=int, default=50)
    args = parser.parse_args()
    catalog = demo_catalog()
    flow = build_flow(args.components)
    text = json.dumps(flow)
    errors = [i for i in validate(flow, catalog) if i.is_error]
    print(f"synthetic flow: {args.components} components, {len(errors)} errors (expected 0)")
    calibration = measure(lambda: sum(range(1000)), args.repeat)[1]
    print(f"machine calibration: sum(range(1000)) p50 = {calibration:.1f} µs")
    print(f"{'case':42} {'mean µs':>9} {'p50 µs':>9} {'p99 µs':>9} {'min µs':>9}")
    rows: list[tuple[str, Callable[[], object]]] = [
        (f"{args.components} components (parsed dict)", lambda: validate(flow, catalog)),
        (f"{args.components} components (JSON text)", lambda: validate(text, catalog)),
    ]
    for path in sorted(CLEAN_DIR.glob("*.json")):
        doc = json.loads(path.read_text())
        rows.append((f"clean/{path.name}", functools.partial(validate, doc, catalog)))
    for name, fn in rows:
        mean, p50, p99, best = measure(fn, args.repeat)
        print(f"{name[:42]:42} {mean:9.1f} {p50:9.1f} {p99:9.1f} {best:9.1f}")


if __name__ == "__main__":
    main()
