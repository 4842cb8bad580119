"""Typed graph state: what goes in (`InputState`), what flows through (`State`), what comes out.

Reducers appear only where several writers append: per-step fills from the `Send` fan-out are
merged by order, timings and token counts are summed, and the first failure wins.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from schemas.flow import Flow, FlowInput, Outline
from schemas.issues import Issue
from schemas.result import GenerationResult, TokenUsage

TRIGGER_ORDER = 0
"""Key of the trigger in per-step mappings (components are 1-based)."""


@dataclass(frozen=True)
class StepLookup:
    """What the lookup tools found for one step: candidate tables and columns."""

    tables: list[dict[str, Any]]
    """Candidate tables ``{name, label}`` (pinned, searched, and those the step's pills name)."""
    columns: list[dict[str, Any]]
    """Candidate columns ``{table, name, label, type, reference, choices}``."""
    table: str | None = None
    """The table the step most likely works on, used for pills before the step is filled."""


@dataclass(frozen=True)
class StepFill:
    """The inputs one fill call produced for one step (order 0: the trigger)."""

    order: int
    """The step's order, or 0 for the trigger."""
    version: int
    """The outline version the fill belongs to; fills of older outlines are ignored."""
    inputs: list[FlowInput] | None
    """The inputs, or None when the model's output could not be used."""
    issues: list[Issue] = field(default_factory=list)
    """Problems with the model output itself (invalid JSON, wrong shape)."""


@dataclass(frozen=True)
class FillTask:
    """The payload one `Send` hands to a fill node: everything one step's fill needs."""

    order: int
    """The step to fill (0: the trigger)."""
    version: int
    """The outline version being filled."""
    requirement: str
    """The requirement (the fill prompt quotes it)."""
    draft: Flow
    """The flow as far as known, unfilled steps carrying their likely table (for pills)."""
    lookup: StepLookup | None
    """The step's lookup results; None: the fill looks them up itself."""
    issues: list[Issue] = field(default_factory=list)
    """Issues of a previous fill of this step, shown to the model on a re-fill."""
    previous: list[FlowInput] = field(default_factory=list)
    """The previous inputs of this step (re-fill only)."""


@dataclass(frozen=True)
class FillInput:
    """The input of a fill node: one `FillTask`, wrapped so the graph adds one channel only."""

    task: FillTask
    """The fill to do."""


def merge_fills(current: dict[int, StepFill], update: dict[int, StepFill]) -> dict[int, StepFill]:
    """Merge fan-out fills by order; a newer outline version replaces every older fill."""
    versions = [f.version for f in update.values()]
    newest = max(versions, default=-1)
    kept = {o: f for o, f in current.items() if f.version >= newest}
    return {**kept, **update}


def add_floats(current: dict[str, float], update: dict[str, float]) -> dict[str, float]:
    """Sum per-node seconds."""
    out = dict(current)
    for key, value in update.items():
        out[key] = out.get(key, 0.0) + value
    return out


def add_usage(
    current: dict[str, TokenUsage], update: dict[str, TokenUsage]
) -> dict[str, TokenUsage]:
    """Sum per-node token usage."""
    out = dict(current)
    for key, usage in update.items():
        old = out.get(key, TokenUsage())
        out[key] = TokenUsage(
            input_tokens=old.input_tokens + usage.input_tokens,
            output_tokens=old.output_tokens + usage.output_tokens,
        )
    return out


def first_failure(current: str | None, update: str | None) -> str | None:
    """Keep the first failure reason: later ones are consequences."""
    return current if current is not None else update


@dataclass(kw_only=True)
class InputState:
    """What a run needs from the caller."""

    requirement: str
    """The natural-language requirement to turn into a flow."""


@dataclass(kw_only=True)
class OutputState:
    """What a run gives back."""

    result: GenerationResult | None = None
    """The run's outcome, written by `finalize`."""


@dataclass(kw_only=True)
class State(InputState, OutputState):
    """Everything the nodes read and write during one run."""

    outline: Outline | None = None
    """The current outline (after deterministic fixes); None until one parses."""
    outline_version: int = 0
    """Bumped by every plan/repair output, so fills of older outlines are recognisable."""
    outline_issues: list[Issue] = field(default_factory=list)
    """Problems with the last planner/repairer output itself (invalid JSON, wrong shape)."""
    outline_raw: str = ""
    """The text of the last planner/repairer output that could not be used (for repair)."""
    lookups: dict[int, StepLookup] = field(default_factory=dict)
    """Lookup results per step order (0: the trigger) for the current outline."""
    draft: Flow | None = None
    """The flow the next fills see (see `agent.draft`); set by lookup and re-fill."""
    fills: Annotated[dict[int, StepFill], merge_fills] = field(default_factory=dict)
    """Fill results per step order (0: the trigger), merged from the fan-out."""
    issues: list[Issue] = field(default_factory=list)
    """Issues of the last validation of the assembled flow."""
    initial_issues: list[Issue] | None = None
    """Issues of the first complete draft, before any repair."""
    repairs: int = 0
    """Repair rounds spent (outline repairs and re-fills); the limit is in settings."""
    refill_orders: list[int] = field(default_factory=list)
    """Steps the current re-fill round re-fills."""
    settled: bool = False
    """Whether the last-resort fixes (`agent.last_resort`) have had their one chance."""
    fixes: list[str] = field(default_factory=list)
    """The last-resort fixes applied, for the result."""
    failure: Annotated[str | None, first_failure] = None
    """Why the run failed (a model call that could not be made), or None."""
    timings: Annotated[dict[str, float], add_floats] = field(default_factory=dict)
    """Seconds spent per node, summed over calls."""
    tokens: Annotated[dict[str, TokenUsage], add_usage] = field(default_factory=dict)
    """Token usage per node where the model reports it."""
