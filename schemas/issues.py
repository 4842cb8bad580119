"""Validation issues: the data the validator returns and the repair loop reads (flow-format §5)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Severity = Literal["error", "warning"]
IssueKind = Literal["schema", "structure", "grounding"]

SCHEMA_CODES: tuple[str, ...] = ("invalid_json", "schema_violation")
STRUCTURE_CODES: tuple[str, ...] = (
    "bad_order",
    "bad_block",
    "children_on_leaf",
    "empty_block",
    "else_without_if",
    "try_without_catch",
    "catch_without_try",
    "parallel_too_few_paths",
    "parallel_non_path_child",
    "path_outside_parallel",
    "nested_parallel",
    "loop_control_outside_loop",
    "foreach_items_not_list",
    "pill_syntax",
    "pill_unknown_step",
    "pill_forward_reference",
    "pill_out_of_scope",
    "pill_unknown_output",
)
GROUNDING_CODES: tuple[str, ...] = (
    "unknown_trigger_type",
    "unknown_action",
    "unknown_flowlogic",
    "unknown_table",
    "unknown_column",
    "unknown_choice_value",
    "unknown_input",
    "missing_required_input",
    "malformed_query",
    "type_mismatch",
)
WARNING_CODES: tuple[str, ...] = ("placeholder_step",)

ALL_CODES: tuple[str, ...] = SCHEMA_CODES + STRUCTURE_CODES + GROUNDING_CODES + WARNING_CODES


class Issue(BaseModel):
    """One problem found in a flow, precise enough for a person or a model to fix it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(description="Stable machine-readable code from flow-format §5.")
    severity: Severity
    kind: IssueKind
    order: int | None = Field(
        default=None, description="Order of the component concerned; None for flow-level issues."
    )
    path: str = Field(
        description="JSON Pointer (RFC 6901) to the offending value, e.g. "
        "'/components/2/inputs/0/value'; '' for the whole document."
    )
    message: str = Field(description="What is wrong, naming the offending value.")
    hint: str = Field(description="How to fix it, naming valid alternatives where known.")

    @property
    def is_error(self) -> bool:
        """Tell whether this issue makes the flow invalid."""
        return self.severity == "error"


def has_errors(issues: list[Issue]) -> bool:
    """Tell whether any issue is an error."""
    return any(i.is_error for i in issues)


def is_structural(issue: Issue) -> bool:
    """Tell whether the issue counts toward the structural error rate (schema or structure)."""
    return issue.is_error and issue.kind in ("schema", "structure")
