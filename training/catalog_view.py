"""What the corpus sampler needs to know about one instance catalog, derived once.

The sampler never hard-codes the demo instance: it asks this view which tables have choice
columns to filter and set, which reference columns point at users, and how a table or column is
called in plain English. Any catalog that loads can therefore be turned into a corpus.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from schemas.catalog import Action, Catalog, Column, Table

PickFn = Callable[..., str]
"""`Phraser.pick`: fill a template of a slot."""

USER_TABLE = "sys_user"
_SKIP_COLUMN = re.compile(r"^(sys_|u_sys)")
_PLUMBING = re.compile(r"^(sys(?!_user$)|cmn_|contract_sla|task_sla)")
_TABLE_WEIGHT = {
    "incident": 8,
    "change_request": 4,
    "problem": 3,
    "sc_req_item": 4,
    "sc_task": 3,
    "sys_user": 4,
    "incident_task": 2,
    "change_task": 2,
    "alm_hardware": 2,
    "kb_knowledge": 2,
}
_COLUMN_WEIGHT = {
    "state": 6,
    "priority": 5,
    "category": 3,
    "impact": 2,
    "urgency": 2,
    "approval": 2,
    "stage": 2,
    "notification": 2,
}
_TEXT_TYPES = frozenset({"string", "translated_text"})


def noun(table: Table) -> str:
    """Return the lower-case English noun of a table ('Change Request' → 'change request')."""
    return table.label.lower()


def column_phrase(column: Column) -> str:
    """Return the lower-case English name of a column."""
    return column.label.lower()


def choice_phrase(label: str) -> str:
    """Return a choice label as people say it ('1 - Critical' → 'critical')."""
    return re.sub(r"^\d+\s*-\s*", "", label).strip().lower()


@dataclass(frozen=True)
class Condition:
    """An encoded-query fragment with the English that says it."""

    query: str
    text: str
    column: str
    state: str = ""
    """The value as a state word ("resolved", "inactive") when the condition is one equality
    test, so a trigger can say "when an incident becomes resolved"; empty otherwise."""


@dataclass
class CatalogView:
    """Sampling-oriented indexes over a catalog."""

    catalog: Catalog
    _cache: dict[str, list[Column]] = field(default_factory=dict)

    @cached_property
    def record_tables(self) -> list[Table]:
        """Business tables with a choice column to filter on (platform plumbing left out)."""
        return [
            t
            for t in self.catalog.tables
            if self.choice_columns(t.name) and not _PLUMBING.match(t.name)
        ]

    @cached_property
    def task_tables(self) -> list[Table]:
        """Task tables proper (`*task*` tables that extend `task`), targets of create_task."""
        return [
            t
            for t in self.catalog.tables
            if "task" in t.name and "task" in {x.name for x in self.catalog.lineage(t.name)[1:]}
        ]

    @cached_property
    def spokes(self) -> list[Action]:
        """Spoke actions (scope other than global)."""
        return [a for a in self.catalog.actions if a.scope != "global" and a.category == "action"]

    def pick_table(self, rng: random.Random) -> Table:
        """Pick a record table, favouring the ITSM tables flows are mostly built on."""
        tables = self.record_tables
        weights = [_TABLE_WEIGHT.get(t.name, 1) for t in tables]
        return rng.choices(tables, weights=weights)[0]

    def related_tables(self, target: str) -> list[Table]:
        """Record tables with a reference column to `target` (a user's incidents, …)."""
        return [t for t in self.record_tables if self.ref_columns(t.name, target)]

    def pick_choice_column(self, rng: random.Random, table: str) -> Column:
        """Pick a choice column of `table`, favouring the usual state/priority fields."""
        cols = self.choice_columns(table)
        return rng.choices(cols, weights=[_COLUMN_WEIGHT.get(c.name, 1) for c in cols])[0]

    def columns(self, table: str) -> list[Column]:
        """Return the non-system columns of a table (inherited included)."""
        if table not in self._cache:
            self._cache[table] = [
                c for c in self.catalog.columns(table) if not _SKIP_COLUMN.match(c.name)
            ]
        return self._cache[table]

    def choice_columns(self, table: str) -> list[Column]:
        """Return columns with stored choice values."""
        return [c for c in self.columns(table) if c.choices]

    def bool_columns(self, table: str) -> list[Column]:
        """Return boolean columns."""
        return [c for c in self.columns(table) if c.type == "boolean"]

    def text_columns(self, table: str) -> list[Column]:
        """Return free-text columns (string types without choices)."""
        return [c for c in self.columns(table) if c.type in _TEXT_TYPES and not c.choices]

    def ref_columns(self, table: str, target: str | None = None) -> list[Column]:
        """Return reference columns, optionally only those pointing at `target`."""
        return [
            c
            for c in self.columns(table)
            if c.type == "reference" and c.reference and (target is None or c.reference == target)
        ]

    def journal_column(self, table: str) -> Column | None:
        """Return the work-notes column of a table, if any."""
        return self.catalog.column(table, "work_notes")

    def user_email_path(self) -> str | None:
        """Return the sys_user column holding e-mail addresses, if the catalog has one."""
        return "email" if self.catalog.column(USER_TABLE, "email") else None

    def sample_condition(self, rng: random.Random, table: str, pick: PickFn) -> Condition | None:
        """Sample one realistic condition on `table` with its phrase, or None if none fits."""
        kinds = []
        if self.choice_columns(table):
            kinds += ["eq", "eq", "eq", "ne", "in"]
        if self.bool_columns(table):
            kinds += ["bool"]
        if self.ref_columns(table):
            kinds += ["empty"]
        if self.text_columns(table):
            kinds += ["like"]
        if not kinds:
            return None
        kind = rng.choice(kinds)
        if kind in ("eq", "ne", "in"):
            return _choice_condition(rng, self.pick_choice_column(rng, table), kind, pick)
        if kind == "bool":
            col = rng.choice(self.bool_columns(table))
            value = rng.choice(["true", "false"])
            text = pick("cond.true" if value == "true" else "cond.false", col=column_phrase(col))
            return Condition(f"{col.name}={value}", text, col.name, _bool_state(col, value))
        if kind == "empty":
            col = rng.choice(self.ref_columns(table))
            empty = rng.random() < 0.7
            text = pick("cond.empty" if empty else "cond.notempty", col=column_phrase(col))
            return Condition(f"{col.name}{'ISEMPTY' if empty else 'ISNOTEMPTY'}", text, col.name)
        col = rng.choice(self.text_columns(table))
        word = rng.choice(KEYWORDS)
        return Condition(
            f"{col.name}LIKE{word}", pick("cond.like", col=column_phrase(col), val=word), col.name
        )


def quoted(rng: random.Random, text: str) -> str:
    """Return `text`, sometimes in double quotes (users quote exact values)."""
    return f'"{text}"' if rng.random() < 0.25 else text


def _choice_condition(rng: random.Random, col: Column, kind: str, pick: PickFn) -> Condition:
    """Build an =, != or IN condition on a choice column."""
    picks = rng.sample(list(col.choices), k=min(2, len(col.choices)))
    val = quoted(rng, choice_phrase(picks[0].label))
    name = column_phrase(col)
    if kind == "in" and len(picks) == 2:
        val2 = choice_phrase(picks[1].label)
        return Condition(
            f"{col.name}IN{picks[0].value},{picks[1].value}",
            pick("cond.in", col=name, val=val, val2=val2),
            col.name,
        )
    op = "!=" if kind == "ne" else "="
    state = choice_phrase(picks[0].label) if kind == "eq" else ""
    return Condition(
        f"{col.name}{op}{picks[0].value}", pick(f"cond.{kind}", col=name, val=val), col.name, state
    )


def _bool_state(col: Column, value: str) -> str:
    """Say a true/false column as a state ('active=false' → 'inactive')."""
    name = column_phrase(col)
    if value == "true":
        return name
    return "inactive" if col.name == "active" else f"no longer {name}"


KEYWORDS: tuple[str, ...] = (
    "network",
    "password",
    "outage",
    "printer",
    "vpn",
    "laptop",
    "email",
    "database",
    "urgent",
    "security",
    "access",
    "billing",
    "payroll",
    "server",
    "wifi",
    "license",
    "onboarding",
)
"""Words used in LIKE conditions, email subjects and messages."""
