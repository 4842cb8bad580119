"""What one generator run reports: the flow plus how it got there (issue: the generator)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.issues import Issue

Status = Literal["valid", "valid_with_placeholders", "invalid_after_repairs", "failed"]


class TokenUsage(BaseModel):
    """Token counts a model reported for one node (summed over that node's calls)."""

    model_config = ConfigDict(extra="forbid")

    input_tokens: int = 0
    output_tokens: int = 0


class GenerationResult(BaseModel):
    """The outcome of generating one flow from one requirement."""

    model_config = ConfigDict(extra="forbid")

    requirement: str = Field(description="The requirement the flow was generated from.")
    flow: dict[str, Any] | None = Field(
        default=None,
        description="The final flow as JSON (flow-format v1); None when nothing usable was made.",
    )
    status: Status = Field(
        description="valid | valid_with_placeholders | invalid_after_repairs | failed"
    )
    reason: str | None = Field(default=None, description="Why the run failed (status=failed).")
    issues: list[Issue] = Field(default_factory=list, description="Issues left in the flow.")
    initial_issues: list[Issue] = Field(
        default_factory=list, description="Issues of the first complete draft, before repair."
    )
    repairs_used: int = Field(default=0, description="Repair rounds spent.")
    fixes: list[str] = Field(
        default_factory=list,
        description="Last-resort fixes applied after the repair budget was spent (a PARALLEL "
        "with one PATH run in sequence, an empty TRY without CATCH removed).",
    )
    timings: dict[str, float] = Field(
        default_factory=dict, description="Seconds per node name, summed over calls; "
        "`model_load` is the time spent loading models on first use, which the node that asked "
        "does not count."
    )
    tokens: dict[str, TokenUsage] = Field(
        default_factory=dict, description="Token usage per node where the model reports it."
    )
    models: dict[str, str] = Field(
        default_factory=dict, description="Model spec per role (planner, filler, repairer)."
    )
