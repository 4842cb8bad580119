"""Build the flow draft from the outline and the fills of its version."""

from __future__ import annotations

from agent.state import TRIGGER_ORDER, StepFill
from schemas.flow import Component, Flow, FlowInput, Outline, Trigger
from schemas.issues import Issue


def assemble_flow(outline: Outline, fills: dict[int, StepFill], version: int) -> Flow:
    """Return the outline as a flow whose steps carry the inputs filled for `version`."""
    current = {o: f for o, f in fills.items() if f.version == version}

    def inputs_of(order: int) -> list[FlowInput]:
        fill = current.get(order)
        return list(fill.inputs) if fill is not None and fill.inputs is not None else []

    trigger = None
    if outline.trigger is not None:
        trigger = Trigger(
            type=outline.trigger.type,
            annotation=outline.trigger.annotation,
            inputs=inputs_of(TRIGGER_ORDER),
        )
    components = [
        Component(**c.model_dump(), inputs=inputs_of(c.order)) for c in outline.components
    ]
    return Flow(name=outline.name, trigger=trigger, components=components)


def fill_issues(fills: dict[int, StepFill], version: int) -> list[Issue]:
    """Return the output problems (invalid JSON, wrong shape) of the current fills."""
    return [i for f in fills.values() if f.version == version for i in f.issues]


def flow_json(flow: Flow) -> dict[str, object]:
    """Return the flow as flow-format JSON (absent optional keys left out, trigger kept)."""
    data = flow.model_dump(mode="json", exclude_none=True)
    data.setdefault("trigger", None)
    return data
