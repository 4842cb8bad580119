"""Leaf steps of synthetic flows: catalog actions with realistic inputs and their phrases.

Each builder returns a `Seg` (or None when the catalog or the context cannot support it: no
record in focus, no user reference column, …). Inputs follow the catalog's parameter names;
every flow is still checked by the validator afterwards, so a builder that guesses wrong only
costs a rejected sample, never a bad training pair.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from schemas.catalog import Action, Column
from training.catalog_view import (
    USER_TABLE,
    CatalogView,
    PickFn,
    choice_phrase,
    column_phrase,
    noun,
    quoted,
)
from training.nodes import Focus, Node, Seg

MESSAGES: tuple[str, ...] = (
    "please review",
    "escalated to the team",
    "waiting for the customer",
    "handled automatically",
    "closed by the flow",
    "needs manager attention",
    "SLA at risk",
    "new request received",
    "follow up tomorrow",
    "duplicate ticket",
    "access granted",
    "hardware ordered",
)
NOTIFICATIONS: tuple[str, ...] = (
    "Incident Assigned",
    "Request Approved",
    "Change Scheduled",
    "Task Overdue",
    "Welcome User",
)


@dataclass
class StepBuilder:
    """Builds leaf steps for one sample; records the eval features it used."""

    rng: random.Random
    view: CatalogView
    pick: PickFn
    head_fn: Callable[..., tuple[str, str]]
    features: set[str] = field(default_factory=set)

    def action(self, name: str, text: str, inputs: list[tuple[str, str]]) -> Seg:
        """Return a one-action segment."""
        return Seg([Node("action", name, text, inputs)], text)

    def set_choice(self, focus: Focus) -> Seg | None:
        """Update one choice column of the focus record."""
        if not self.view.choice_columns(focus.table):
            return None
        col = self.view.pick_choice_column(self.rng, focus.table)
        choice = self.rng.choice(col.choices)
        text = self.pick(
            "set.choice", col=column_phrase(col), val=quoted(self.rng, choice_phrase(choice.label))
        )
        return self._update(focus, f"{col.name}={choice.value}", text)

    def work_note(self, focus: Focus) -> Seg | None:
        """Add a work note to the focus record."""
        if self.view.journal_column(focus.table) is None:
            return None
        msg = self.rng.choice(MESSAGES)
        self.features.add("work_notes")
        return self._update(focus, f"work_notes={msg}", self.pick("note", text=msg))

    def assign_user(self, focus: Focus, others: list[Focus]) -> Seg | None:
        """Assign the focus record to a user reached by dot-walking another record."""
        targets = self.view.ref_columns(focus.table, USER_TABLE)
        if not targets:
            return None
        col = self.rng.choice(targets)
        who, pill = self._user(focus, others, exclude=col.name)
        if pill is None:
            return None
        text = self.pick("set.assign", col=column_phrase(col), who=who)
        return self._update(focus, f"{col.name}={pill}", text)

    def _update(self, focus: Focus, values: str, text: str) -> Seg:
        if self.rng.random() < 0.3:
            text = f"{text} {self.pick('update.on', noun=focus.noun)}"
        self.features.add("pills")
        return self.action(
            "update_record",
            text,
            [("table_name", focus.table), ("record", focus.pill), ("values", values)],
        )

    def _user(self, focus: Focus, others: list[Focus], exclude: str = "") -> tuple[str, str | None]:
        """Pick a user pill reachable from the records in scope, with its English."""
        options: list[tuple[str, str]] = []
        for rec in [focus, *others]:
            if rec.table == USER_TABLE:
                options.append((f"the {rec.noun}", rec.pill))
                if self.view.catalog.column(USER_TABLE, "manager"):
                    options.append((f"the {rec.noun}'s manager", rec.walk("manager")))
            for col in self.view.ref_columns(rec.table, USER_TABLE):
                if col.name != exclude:
                    options.append((f"the {column_phrase(col)}", rec.walk(col.name)))
        if not options:
            return "", None
        who, pill = self.rng.choice(options)
        if pill.count(".") > 1:
            self.features.add("dot_walk")
        return who, pill

    def email(self, focus: Focus, others: list[Focus]) -> Seg | None:
        """E-mail a user reached from the records in scope."""
        who, pill = self._user(focus, others)
        if pill is None or not self.view.user_email_path():
            return None
        subject = self.rng.choice(MESSAGES)
        to = pill[:-2] + ".email}}"
        self.features.update({"dot_walk", "pills"})
        inputs = [
            ("ah_to", to),
            ("ah_subject", subject),
            ("record", focus.pill),
            ("table_name", focus.table),
        ]
        return self.action("send_email", self.pick("email", who=who, subject=subject), inputs)

    def notify(self, focus: Focus) -> Seg:
        """Send a named notification about the focus record."""
        name = self.rng.choice(NOTIFICATIONS)
        inputs = [("notification", name), ("record", focus.pill), ("table_name", focus.table)]
        return self.action("send_notification", self.pick("notify", name=name), inputs)

    def log(self) -> Seg:
        """Write a log line."""
        level = self.rng.choice(["info", "info", "warn", "error"])
        msg = self.rng.choice(MESSAGES)
        text = self.pick("log", text=msg, level={"warn": "warning"}.get(level, level))
        return self.action("log", text, [("log_level", level), ("log_message", msg)])

    def create(self, focus: Focus | None) -> Seg | None:
        """Create a record on a table with a text column (linked to the focus when possible)."""
        tables = [t for t in self.view.record_tables if self.view.text_columns(t.name)]
        if not tables:
            return None
        table = self.rng.choice(tables)
        col = _main_text_column(self.view.text_columns(table.name))
        msg = self.rng.choice(MESSAGES)
        values = f"{col.name}={msg}"
        if focus is not None:
            links = self.view.ref_columns(table.name, focus.table)
            if links:
                values += f"^{links[0].name}={focus.walk('sys_id')}"
                self.features.add("pills")
        text = self.pick("create", noun=noun(table), field=column_phrase(col), text=msg)
        return self.action("create_record", text, [("table_name", table.name), ("values", values)])

    def create_task(self) -> Seg | None:
        """Create a task on a task table."""
        if not self.view.task_tables:
            return None
        table = self.rng.choice(self.view.task_tables)
        msg = self.rng.choice(MESSAGES)
        text = self.pick("task", noun=noun(table).removesuffix(" task"), text=msg)
        return self.action(
            "create_task",
            text,
            [("task_table", table.name), ("field_values", f"short_description={msg}")],
        )

    def approval(self, focus: Focus, others: list[Focus]) -> Seg | None:
        """Ask a user reached from the records in scope to approve the focus record."""
        who, pill = self._user(focus, others)
        if pill is None:
            return None
        self.features.add("approval")
        inputs = [
            ("record", focus.pill),
            ("table", focus.table),
            ("approval_conditions", f"ApprovesAnyU[{pill}]"),
        ]
        return self.action("ask_for_approval", self.pick("approval", who=who), inputs)

    def delete(self, focus: Focus) -> Seg:
        """Delete the focus record."""
        return self.action(
            "delete_record", self.pick("delete", noun=focus.noun), [("record", focus.pill)]
        )

    def spoke(self, actions: list[Action], focus: Focus | None) -> Seg | None:
        """Call a spoke action; a reference input takes the focus record when it fits."""
        if not actions:
            return None
        act = self.rng.choice(actions)
        msg = self.rng.choice(MESSAGES)
        inputs: list[tuple[str, str]] = []
        for param in act.inputs:
            if param.type == "reference":
                if focus is None or (param.reference and param.reference != focus.table):
                    return None
                inputs.append((param.name, focus.pill))
            elif param.mandatory:
                inputs.append((param.name, _spoke_value(param.name, msg)))
        spoke = act.spoke or act.scope.replace("_", " ")
        self.features.add("spoke")
        text = self.pick("spoke", label=act.label.lower(), spoke=spoke, text=msg)
        seg = self.action(act.name, text, inputs)
        seg.nodes[0].scope = act.scope
        return seg


SPOKE_VALUES: dict[str, str] = {
    "webhook_url": "https://hooks.example.com/flowgen",
    "channel": "#it-operations",
    "project_key": "OPS",
    "issue_type": "Task",
    "issue_id_or_key": "OPS-101",
    "name": "incident-war-room",
    "user": "U0FLOWGEN",
}
"""Plausible literal values of mandatory spoke inputs."""


def _spoke_value(name: str, message: str) -> str:
    """Return a plausible value for a mandatory spoke input."""
    return SPOKE_VALUES.get(name, message)


def _main_text_column(columns: list[Column]) -> Column:
    """Return the column people describe a new record with (short description if any)."""
    for name in ("short_description", "name", "description"):
        for col in columns:
            if col.name == name:
                return col
    return columns[0]
