"""Typed model of one customer instance's catalog: tables, actions, subflows, triggers, logic.

The catalog is what grounding means in flowgen: the validator checks names against it, the
retriever indexes it, the generator may only emit what it contains. A customer's catalog is
loaded from JSON/YAML by `catalog.loader`; the built-in demo instance ships with the package.

Types used by `ParamType` (inputs and outputs of actions, triggers and flow logic):

- ``string``, ``integer``, ``boolean``, ``datetime``, ``duration``, ``time``, ``html``,
  ``object``, ``choice`` (value must be one of `choices`)
- ``reference``: a single record; `reference` names its table, or `table_from` names the sibling
  input whose value is the table (e.g. look_up_record's output `record` ← input `table`)
- ``records``: a list of records (FOREACH-able); table as for ``reference``
- ``array``: a list of scalars/objects (FOREACH-able)
- ``table_name``: the value is a table name in the catalog
- ``column_name``: the value is a column of the table named by `table_from`
- ``conditions``: an encoded query over the table named by `table_from` (or `reference`)
- ``template_value``: a ``field=value^field=value`` template over that table

Column type ``variables`` (sc_req_item.variables) stands for a record's catalog variables: any
one name may follow it in a dot-walk (``request_item.variables.laptop_type``), read as a string.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ParamType = Literal[
    "string",
    "integer",
    "boolean",
    "datetime",
    "duration",
    "time",
    "html",
    "object",
    "choice",
    "reference",
    "records",
    "array",
    "table_name",
    "column_name",
    "conditions",
    "template_value",
]

LIST_TYPES: frozenset[str] = frozenset({"records", "array"})
"""Param types a FOREACH may iterate over."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Choice(_Model):
    """One stored choice value of a column or an enumerated input."""

    value: str = Field(description="Stored value written into records and queries (e.g. '6').")
    label: str = Field(description="Display label (e.g. 'Resolved').")


class Column(_Model):
    """A column (dictionary entry) of a table."""

    name: str
    label: str
    type: str = Field(
        description="ServiceNow internal type: string, integer, boolean, reference, choice "
        "(string with choices), glide_date_time, glide_date, journal_input, html, "
        "glide_list, sys_class_name, GUID, decimal, float, email, phone_number, url, "
        "glide_duration, conditions, script, translated_text, variables (the catalog "
        "variables of a requested item: any one name may follow it in a dot-walk), …"
    )
    reference: str | None = Field(default=None, description="Referenced table for references.")
    mandatory: bool = False
    choices: tuple[Choice, ...] = ()
    description: str = ""

    def choice_values(self) -> frozenset[str]:
        """Return the stored values of this column's choices."""
        return frozenset(c.value for c in self.choices)


class Table(_Model):
    """A table with its own (non-inherited) columns; `parent` gives the inheritance."""

    name: str
    label: str
    parent: str | None = Field(default=None, description="super_class table, e.g. 'task'.")
    description: str = ""
    columns: tuple[Column, ...] = ()


class Param(_Model):
    """A typed input or output of an action, subflow, trigger or flow-logic block."""

    name: str
    label: str = ""
    type: ParamType = "string"
    mandatory: bool = False
    choices: tuple[Choice, ...] = Field(
        default=(), description="Allowed values for enumerated inputs/outputs."
    )
    reference: str | None = Field(
        default=None, description="Fixed table of reference/records/conditions params."
    )
    table_from: str | None = Field(
        default=None,
        description="Name of the sibling input whose value is the table this param is about.",
    )
    default: str | None = None
    description: str = ""

    @property
    def holds_record(self) -> bool:
        """Tell whether this is a record input: see `is_record_input`."""
        return is_record_input(self.type, self.table_from, self.reference)


def is_record_input(kind: str | None, table_from: str | None, reference: str | None) -> bool:
    """Tell whether a reference input holds a record of a table another input names.

    Such an input (update_record's `record`) takes only a record pill or a sys_id: unlike a
    fixed reference (a notification, a catalog item), no display name identifies the record.
    The validator and the decoding grammar (which sees params as prompt dicts) both ask this.
    """
    return kind == "reference" and table_from is not None and not reference


class Action(_Model):
    """An action or subflow that a flow component can call."""

    name: str = Field(description="snake_case definition name, e.g. 'look_up_records'.")
    scope: str = "global"
    category: Literal["action", "subflow"] = "action"
    label: str
    description: str = ""
    spoke: str | None = Field(default=None, description="Spoke name for spoke actions.")
    inputs: tuple[Param, ...] = ()
    outputs: tuple[Param, ...] = ()
    dynamic_outputs: bool = Field(
        default=False,
        description="True when the outputs are named by the user's data rather than by the "
        "action (get_catalog_variables: one output per catalog variable), so any output name "
        "is accepted and typed string; listed `outputs` keep their own types.",
    )

    @property
    def key(self) -> tuple[str, str]:
        """Return the (scope, name) pair that identifies the action."""
        return (self.scope, self.name)


class TriggerDef(_Model):
    """A trigger type with its inputs and the pills (`trigger.<output>`) it provides."""

    type: str
    label: str
    description: str = ""
    record_based: bool = Field(
        default=False, description="True for record triggers whose `table` input is mandatory."
    )
    inputs: tuple[Param, ...] = ()
    outputs: tuple[Param, ...] = ()


class FlowLogicDef(_Model):
    """A flow-logic block (IF, FOREACH, …) as the catalog describes it."""

    token: str
    label: str
    description: str = ""
    has_body: bool = True
    variadic_inputs: bool = Field(
        default=False,
        description="True when inputs are free names (SETFLOWVARIABLES: one per variable).",
    )
    inputs: tuple[Param, ...] = ()
    outputs: tuple[Param, ...] = ()


class Catalog(_Model):
    """Everything one instance offers to flows."""

    instance: str = Field(description="Name of the customer instance, e.g. 'demo'.")
    tables: tuple[Table, ...] = ()
    actions: tuple[Action, ...] = ()
    triggers: tuple[TriggerDef, ...] = ()
    flow_logic: tuple[FlowLogicDef, ...] = ()

    # Indexes are derived once per (frozen) catalog; cached_property needs a writable __dict__,
    # which pydantic models keep even when frozen.
    @cached_property
    def _tables(self) -> dict[str, Table]:
        return {t.name: t for t in self.tables}

    @cached_property
    def _actions(self) -> dict[tuple[str, str], Action]:
        return {a.key: a for a in self.actions}

    @cached_property
    def _actions_by_name(self) -> dict[str, list[Action]]:
        out: dict[str, list[Action]] = {}
        for a in self.actions:
            out.setdefault(a.name, []).append(a)
        return out

    @cached_property
    def _triggers(self) -> dict[str, TriggerDef]:
        return {t.type: t for t in self.triggers}

    @cached_property
    def _logic(self) -> dict[str, FlowLogicDef]:
        return {f.token: f for f in self.flow_logic}

    def table(self, name: str) -> Table | None:
        """Return the table called `name`, or None."""
        return self._tables.get(name)

    def lineage(self, name: str) -> list[Table]:
        """Return the table and its ancestors, nearest first (cycle-safe)."""
        out: list[Table] = []
        seen: set[str] = set()
        current = self.table(name)
        while current is not None and current.name not in seen:
            out.append(current)
            seen.add(current.name)
            current = self.table(current.parent) if current.parent else None
        return out

    def columns(self, table: str) -> list[Column]:
        """Return the table's columns including inherited ones (own columns win)."""
        out: dict[str, Column] = {}
        for t in self.lineage(table):
            for c in t.columns:
                out.setdefault(c.name, c)
        return list(out.values())

    @cached_property
    def _columns_by_table(self) -> dict[str, dict[str, Column]]:
        # The generator asks for a column thousands of times per flow; walking the lineage
        # each time was a measurable share of a flow's overhead.
        return {t.name: {c.name: c for c in self.columns(t.name)} for t in self.tables}

    def column(self, table: str, name: str) -> Column | None:
        """Return a column of `table` (inheritance honoured), or None."""
        return self._columns_by_table.get(table, {}).get(name)

    def action(self, name: str, scope: str = "global") -> Action | None:
        """Return the action/subflow with this definition name and scope, or None."""
        return self._actions.get((scope, name))

    def actions_named(self, name: str) -> list[Action]:
        """Return every action with this definition name, whatever its scope."""
        return list(self._actions_by_name.get(name, ()))

    def trigger(self, type_: str) -> TriggerDef | None:
        """Return the trigger definition of this type, or None."""
        return self._triggers.get(type_)

    def logic(self, token: str) -> FlowLogicDef | None:
        """Return the flow-logic definition of this token, or None."""
        return self._logic.get(token)

    def iter_columns(self) -> Iterator[tuple[Table, Column]]:
        """Yield every (table, own column) pair of the catalog."""
        for t in self.tables:
            for c in t.columns:
                yield t, c

    @cached_property
    def content_hash(self) -> str:
        """Return a stable SHA-256 of the catalog's content (for index invalidation)."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()
