"""Pydantic models of the flow format v1 (`shared/spec/flow-format.md`).

The field descriptions are written for a model as much as for a person: they are emitted into
`schemas/flow.schema.json` and into the structured-output schemas the generator hands to models.
The models check *shape* only. Whether a trigger type, action, table or column exists is a
grounding question answered by the validator against an instance catalog, so those fields are
plain strings here.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

Category = Literal["action", "flowlogic", "subflow", "placeholder"]

TRIGGER_TYPES: tuple[str, ...] = (
    "record_create",
    "record_update",
    "record_create_or_update",
    "daily",
    "weekly",
    "monthly",
    "repeat",
    "run_once",
    "email",
    "sla_task",
    "service_catalog",
    "metric",
    "rest_async",
)
"""The exact trigger-type strings of flow-format §1."""

FLOW_LOGIC_TOKENS: tuple[str, ...] = (
    "IF",
    "ELSEIF",
    "ELSE",
    "FOREACH",
    "DOUNTIL",
    "PARALLEL",
    "PATH",
    "TRY",
    "CATCH",
    "EXITLOOP",
    "SKIPITERATION",
    "ENDFLOW",
    "WAITFORADURATION",
    "SETFLOWVARIABLES",
    "APPENDTOFLOWVARIABLES",
    "ASSIGNSUBFLOWOUTPUTS",
)
"""The flow-logic tokens of flow-format §2."""

PLACEHOLDER_DEFINITION = "PLACEHOLDER"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class FlowInput(_Strict):
    """One configured input of a trigger or a component."""

    name: StrictStr = Field(
        description="Input name exactly as the catalog defines it for this action, trigger or "
        "flow-logic block (e.g. 'table', 'conditions', 'values', 'record')."
    )
    value: StrictStr = Field(
        description="Input value as a string. Conditions are encoded queries "
        "('active=true^priority<=2'); field-value templates are 'field=value^field=value'; "
        "references to earlier data are pills such as '{{trigger.current.sys_id}}' or "
        "'{{step_1.records}}'. Choice fields take the stored value (state=6), not the label."
    )


class Trigger(_Strict):
    """What starts the flow: one trigger type plus its inputs."""

    type: StrictStr = Field(
        description="Trigger type, one of: " + ", ".join(TRIGGER_TYPES) + ".",
    )
    annotation: StrictStr | None = Field(
        default=None,
        description="The fragment of the user's requirement that this trigger implements, "
        "quoted from the requirement.",
    )
    inputs: list[FlowInput] = Field(
        default_factory=list,
        description="Trigger inputs, e.g. table and condition for record triggers; empty in an "
        "outline.",
    )


class Component(_Strict):
    """One step of the flow: an action, a flow-logic block, a subflow call or a placeholder.

    Nesting is encoded by `order` (1-based pre-order position) and `block` (the order of the
    enclosing flow-logic component, absent at top level).
    """

    category: Category = Field(
        description="'action' for a catalog action, 'flowlogic' for a flow-logic block, "
        "'subflow' for a subflow call, 'placeholder' for something the catalog cannot do."
    )
    definition: StrictStr = Field(
        description="Actions and subflows: the snake_case catalog name (e.g. 'look_up_records'). "
        "Flow logic: the UPPERCASE token (IF, ELSEIF, ELSE, FOREACH, DOUNTIL, PARALLEL, PATH, "
        "TRY, CATCH, EXITLOOP, SKIPITERATION, ENDFLOW, WAITFORADURATION, SETFLOWVARIABLES, "
        "APPENDTOFLOWVARIABLES, ASSIGNSUBFLOWOUTPUTS). Placeholders: 'PLACEHOLDER'."
    )
    scope: StrictStr = Field(
        default="global",
        description="Application scope of the action or subflow; 'global' for core actions and "
        "flow logic, the spoke's scope for spoke actions (e.g. 'sn_ms_teams_ah').",
    )
    order: StrictInt = Field(
        description="1-based position in document (pre-order) order; orders are exactly 1..n."
    )
    block: StrictInt | None = Field(
        default=None,
        description="Order of the enclosing flow-logic component; omit (null) at top level.",
    )
    annotation: StrictStr | None = Field(
        default=None,
        description="The fragment of the user's requirement that this step implements, quoted "
        "from the requirement.",
    )
    inputs: list[FlowInput] = Field(
        default_factory=list,
        description="Configured inputs of the step; empty in an outline and for placeholders.",
    )


class SubflowVariable(_Strict):
    """A declared subflow input or output."""

    name: StrictStr = Field(description="Variable name (snake_case).")
    type: StrictStr = Field(
        description="Variable type, e.g. 'string', 'boolean', 'integer', 'reference'."
    )
    reference: StrictStr | None = Field(
        default=None, description="Referenced table when type is 'reference'."
    )


class SubflowVariables(_Strict):
    """The `{"items": [...]}` wrapper the format uses for subflow inputs and outputs."""

    items: list[SubflowVariable] = Field(default_factory=list)


class Flow(_Strict):
    """A flow (trigger + components) or, with a null trigger, a subflow."""

    name: StrictStr = Field(description="Short human-readable name of the flow.")
    description: StrictStr | None = Field(default=None, description="Optional free text.")
    trigger: Trigger | None = Field(
        description="The trigger; null only for a subflow, which then declares inputs/outputs."
    )
    components: list[Component] = Field(
        default_factory=list,
        description="All steps in pre-order, nesting encoded by order and block.",
    )
    inputs: SubflowVariables | None = Field(
        default=None, description="Subflow inputs (only when trigger is null)."
    )
    outputs: SubflowVariables | None = Field(
        default=None, description="Subflow outputs (only when trigger is null)."
    )

    def is_outline(self) -> bool:
        """Tell whether no component carries inputs (a stage-1 outline)."""
        return all(not c.inputs for c in self.components)


class OutlineTrigger(_Strict):
    """The trigger of an outline: its type and the requirement fragment it implements."""

    type: StrictStr = Field(description=Trigger.model_fields["type"].description)
    annotation: StrictStr | None = Field(
        default=None, description=Trigger.model_fields["annotation"].description
    )


class OutlineComponent(_Strict):
    """A step of an outline: what to do and where, without inputs."""

    category: Category = Field(description=Component.model_fields["category"].description)
    definition: StrictStr = Field(description=Component.model_fields["definition"].description)
    scope: StrictStr = Field(
        default="global", description=Component.model_fields["scope"].description
    )
    order: StrictInt = Field(description=Component.model_fields["order"].description)
    block: StrictInt | None = Field(
        default=None, description=Component.model_fields["block"].description
    )
    annotation: StrictStr = Field(
        description="The fragment of the user's requirement that this step implements, quoted "
        "from the requirement; it is the retrieval query used to fill the step."
    )


class Outline(_Strict):
    """Stage-1 output: the flow's skeleton with an annotation per step and no inputs."""

    name: StrictStr = Field(description=Flow.model_fields["name"].description)
    trigger: OutlineTrigger | None = Field(description=Flow.model_fields["trigger"].description)
    components: list[OutlineComponent] = Field(
        default_factory=list, description=Flow.model_fields["components"].description
    )

    def to_flow(self) -> Flow:
        """Return the outline as a flow whose components have no inputs yet."""
        return Flow.model_validate(self.model_dump())
