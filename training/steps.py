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


STATE_COLUMNS = frozenset({"state", "install_status", "approval"})
"""Choice columns whose values are a record's lifecycle (what a verb can name)."""
STATE_VERBS: dict[str, str] = {
    "closed": "close",
    "resolved": "resolve",
    "cancelled": "cancel",
    "canceled": "cancel",
    "approved": "approve",
    "rejected": "reject",
    "retired": "retire",
}
"""The verb of a lifecycle value, by the first word of its label ('closed complete' → close)."""


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
        val = choice_phrase(choice.label)
        verb = STATE_VERBS.get(val.split(" ")[0]) if col.name in STATE_COLUMNS else None
        if verb is not None and self.rng.random() < 0.4:
            # Admins name the transition, not the field: "close the incident".
            text = self.pick("set.verb", verb=verb, noun=focus.noun, val=val)
        else:
            text = self.pick("set.choice", col=column_phrase(col), val=quoted(self.rng, val))
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
                # Admins say "them" and "their manager" for the user a flow is about.
                pronoun = self.rng.random() < 0.35
                options.append(("them" if pronoun else f"the {rec.noun}", rec.pill))
                if self.view.catalog.column(USER_TABLE, "manager"):
                    owner = "their" if pronoun else f"the {rec.noun}'s"
                    options.append((f"{owner} manager", rec.walk("manager")))
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

    def sms(self, focus: Focus, others: list[Focus]) -> Seg | None:
        """Text a user reached from the records in scope (their mobile phone)."""
        who, pill = self._user(focus, others)
        if pill is None or not self.view.catalog.column(USER_TABLE, "mobile_phone"):
            return None
        msg = self.rng.choice(MESSAGES)
        inputs = [("recipients", pill[:-2] + ".mobile_phone}}"), ("message", msg)]
        self.features.update({"dot_walk", "pills"})
        return self.action("send_sms", self.pick("sms", who=who, text=msg), inputs)

    def set_variable(self, focus: Focus) -> Seg | None:
        """Keep a field of the focus record in a flow variable (SETFLOWVARIABLES)."""
        cols = self.view.choice_columns(focus.table)
        if not cols:
            return None
        col = self.rng.choice(cols)
        var = f"{focus.table.split('_')[0]}_{col.name}"
        what = f"{focus.noun}'s {column_phrase(col)}"
        node = Node("flowlogic", "SETFLOWVARIABLES", "", [(var, focus.walk(col.name))])
        node.text = self.pick("setvar", what=what, var=var)
        self.features.add("pills")
        return Seg([node], node.text)

    def end_flow(self) -> Seg:
        """Stop the whole flow (ENDFLOW)."""
        text = self.pick("end")
        return Seg([Node("flowlogic", "ENDFLOW", text)], text)

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
        fitting = [a for a in actions if _fits(a, focus)]
        if not fitting:
            return None
        act = self.rng.choice(fitting)
        msg = self.rng.choice(MESSAGES)
        channel = self.rng.choice(CHANNELS)
        inputs: list[tuple[str, str]] = []
        for param in act.inputs:
            if param.type == "reference" and focus is not None:
                inputs.append((param.name, focus.pill))
            elif param.name == "channel":
                inputs.append((param.name, channel))
            elif param.mandatory:
                inputs.append((param.name, _spoke_value(param.name, msg)))
        spoke = act.spoke or act.scope.replace("_", " ")
        self.features.add("spoke")
        slot = "spoke.channel" if any(p.name == "channel" for p in act.inputs) else "spoke"
        text = self.pick(slot, label=act.label.lower(), spoke=spoke, text=msg, channel=channel)
        seg = self.action(act.name, text, inputs)
        seg.nodes[0].scope = act.scope
        return seg


def _fits(action: Action, focus: Focus | None) -> bool:
    """Tell whether every reference input of a spoke action can take the focus record."""
    refs = [p for p in action.inputs if p.type == "reference"]
    if not refs:
        return True
    return focus is not None and all(p.reference in (None, focus.table) for p in refs)


CHANNELS: tuple[str, ...] = ("#it-operations", "#netops", "#service-desk", "#major-incidents")
"""Slack channels named in requirements."""

SPOKE_VALUES: dict[str, str] = {
    "webhook_url": "https://hooks.example.com/flowgen",
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
