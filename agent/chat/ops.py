"""Typed edit operations a model proposes to change one flow (chat-style building).

An edit turn does not regenerate the flow: the model answers with an `EditPlan`, a short reply
plus a list of operations, and `agent.chat.apply.apply_ops` applies them with pure functions.
Every existing step is named by its `order` in the flow the model was shown (the flow before
the turn), so several operations in one plan never have to account for each other's
renumbering. The field descriptions are written for the model: they end up in the JSON Schema
of the edit call.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from schemas.flow import Category, FlowInput

WrapLogic = Literal["IF", "FOREACH", "DOUNTIL", "PARALLEL", "TRY"]
"""Flow-logic blocks a `wrap` operation can put around existing steps."""

PositionKind = Literal["end", "start", "after", "before", "first_in", "last_in"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Placement(_Strict):
    """Where a new or moved step goes, relative to an existing step."""

    position: PositionKind = Field(
        default="end",
        description="'end'/'start' of the flow's top level; 'after'/'before' the step `ref` "
        "(same nesting level; 'after' skips the step's body and its ELSE/CATCH siblings); "
        "'first_in'/'last_in' the body of the flow-logic step `ref`.",
    )
    ref: StrictInt | None = Field(
        default=None,
        description="Order of the existing step the position is relative to; null for "
        "'end'/'start'.",
    )


class NewStep(_Strict):
    """A step to create, optionally with a body (for flow logic such as IF or PARALLEL)."""

    category: Category = Field(description="'action', 'flowlogic', 'subflow' or 'placeholder'.")
    definition: StrictStr = Field(
        description="snake_case catalog action name, or the UPPERCASE flow-logic token."
    )
    scope: StrictStr = Field(default="global", description="Application scope of the action.")
    annotation: StrictStr | None = Field(
        default=None, description="The fragment of the user's message this step implements."
    )
    inputs: list[FlowInput] = Field(
        default_factory=list,
        description="Inputs you are sure of; leave out the rest, they are filled afterwards.",
    )
    children: list[NewStep] = Field(
        default_factory=list,
        description="Body of a flow-logic step (PATHs for a PARALLEL); empty for actions.",
    )


class AddOp(_Strict):
    """Insert a new step (with its body) at a placement."""

    op: Literal["add"] = "add"
    step: NewStep
    where: Placement = Field(default_factory=Placement)


class UpdateOp(_Strict):
    """Change an existing step in place: inputs, annotation or what it does."""

    op: Literal["update"] = "update"
    ref: StrictInt = Field(description="Order of the step to change.")
    set_inputs: list[FlowInput] = Field(
        default_factory=list, description="Inputs to set; an input of the same name is replaced."
    )
    remove_inputs: list[StrictStr] = Field(
        default_factory=list, description="Names of inputs to drop."
    )
    annotation: StrictStr | None = Field(default=None, description="New annotation, if any.")
    category: Category | None = Field(default=None, description="New category, if it changes.")
    definition: StrictStr | None = Field(
        default=None,
        description="New action or flow-logic token; the old inputs are dropped unless set here.",
    )
    scope: StrictStr | None = Field(default=None, description="New scope, if it changes.")


class RemoveOp(_Strict):
    """Delete a step with its body (and an IF's ELSEIF/ELSE or a TRY's CATCH)."""

    op: Literal["remove"] = "remove"
    ref: StrictInt = Field(description="Order of the step to remove.")


class MoveOp(_Strict):
    """Move a step with its body to another placement."""

    op: Literal["move"] = "move"
    ref: StrictInt = Field(description="Order of the step to move.")
    to: Placement


class WrapOp(_Strict):
    """Put existing sibling steps inside a new flow-logic block.

    IF/FOREACH/DOUNTIL/TRY take consecutive siblings as their body. PARALLEL puts each step in
    its own PATH (the steps need not be consecutive; the PARALLEL stands where the first was).
    TRY is followed by a CATCH whose body is `catch_steps`.
    """

    op: Literal["wrap"] = "wrap"
    refs: list[StrictInt] = Field(min_length=1, description="Orders of the steps to wrap.")
    logic: WrapLogic = Field(description="Block to create: IF, FOREACH, DOUNTIL, PARALLEL, TRY.")
    inputs: list[FlowInput] = Field(
        default_factory=list,
        description="Inputs of the block: condition for IF/DOUNTIL, items for FOREACH.",
    )
    annotation: StrictStr | None = Field(default=None, description="Annotation of the block.")
    catch_steps: list[NewStep] = Field(
        default_factory=list, description="TRY only: the steps to run when the TRY body fails."
    )


class SetTriggerOp(_Strict):
    """Replace the flow's trigger."""

    op: Literal["set_trigger"] = "set_trigger"
    type: StrictStr = Field(description="Trigger type, e.g. record_update, daily.")
    annotation: StrictStr | None = None
    inputs: list[FlowInput] = Field(default_factory=list)


class ReplaceTableOp(_Strict):
    """Use another table wherever the flow names `old` (trigger and step table inputs)."""

    op: Literal["replace_table"] = "replace_table"
    old: StrictStr = Field(description="Table the flow uses now, e.g. 'incident'.")
    new: StrictStr = Field(description="Table to use instead, e.g. 'problem'.")


class RenameOp(_Strict):
    """Change the flow's name and/or description."""

    op: Literal["rename"] = "rename"
    name: StrictStr | None = None
    description: StrictStr | None = None


EditOp = Annotated[
    AddOp | UpdateOp | RemoveOp | MoveOp | WrapOp | SetTriggerOp | ReplaceTableOp | RenameOp,
    Field(discriminator="op"),
]
"""One edit operation; the `op` field says which."""


class EditPlan(_Strict):
    """What the model answers to an edit request: the operations and a one-line reply."""

    reply: StrictStr = Field(
        default="", description="One sentence telling the user what the edit does."
    )
    ops: list[EditOp] = Field(
        default_factory=list, description="Operations to apply, in order; empty if none needed."
    )
