"""Last-resort fixes remove only blocks that change nothing, and only for the errors given."""

from __future__ import annotations

from typing import Any

from agent.last_resort import settle
from catalog import demo_catalog
from schemas.flow import Flow
from validator import validate


def _flow(*steps: tuple[str, int | None], inputs: dict[int, Any] | None = None) -> Flow:
    comps = []
    for order, (definition, block) in enumerate(steps, start=1):
        category = "flowlogic" if definition.isupper() else "action"
        comps.append({"category": category, "definition": definition, "order": order,
                      "block": block, "annotation": definition,
                      "inputs": (inputs or {}).get(order, [])})
    trigger = {"type": "record_create", "inputs": [{"name": "table", "value": "incident"}]}
    return Flow.model_validate({"name": "f", "trigger": trigger, "components": comps})


def _fix(flow: Flow) -> tuple[Flow, list[str]]:
    return settle(flow, validate(flow.model_dump(mode="json", exclude_none=True),
                                 demo_catalog()))


def _shape(flow: Flow) -> list[tuple[str, int | None]]:
    return [(c.definition, c.block) for c in flow.components]


def test_lone_path_is_unwrapped_inside_its_parent() -> None:
    log = [{"name": "message", "value": "x"}]
    items = [{"name": "items", "value": "{{step_4.records}}"}]
    flow = _flow(("IF", None), ("PARALLEL", 1), ("PATH", 2), ("look_up_records", 3),
                 ("FOREACH", 3), ("log", 5), ("log", None), inputs={5: items, 7: log})
    fixed, done = _fix(flow)
    assert done == ["step 2: PARALLEL with one PATH run in sequence"]
    assert _shape(fixed) == [("IF", None), ("look_up_records", 1), ("FOREACH", 1), ("log", 3),
                             ("log", None)]
    assert fixed.components[2].inputs[0].value == "{{step_2.records}}"


def test_two_paths_and_errors_not_given_are_left_alone() -> None:
    flow = _flow(("PARALLEL", None), ("PATH", 1), ("log", 2), ("PATH", 1), ("log", 4))
    assert _fix(flow) == (flow, [])
    lone = _flow(("PARALLEL", None), ("PATH", 1), ("log", 2))
    assert settle(lone, []) == (lone, [])


def test_only_an_empty_try_without_catch_is_removed() -> None:
    fixed, done = _fix(_flow(("log", None), ("TRY", None)))
    assert _shape(fixed) == [("log", None)] and done == ["step 2: empty TRY without CATCH removed"]
    guarded = _flow(("TRY", None), ("log", 1))  # has a body: what it guards is the model's call
    assert _fix(guarded) == (guarded, [])
