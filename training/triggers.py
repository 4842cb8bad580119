"""Sample a trigger of any type with realistic inputs, its phrase and the records it provides."""

from __future__ import annotations

from dataclasses import dataclass, field

from training.catalog_view import KEYWORDS, noun
from training.logic import LogicBuilder, duration_value
from training.nodes import Focus

RECORD_TRIGGERS = ("record_create", "record_update", "record_create_or_update")
SCHEDULED = ("daily", "weekly", "monthly", "repeat", "run_once")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
MAILBOXES = (
    "support@acme.com",
    "servicedesk@acme.com",
    "hr@acme.com",
    "it-help@acme.com",
    "facilities@acme.com",
    "security@acme.com",
)
"""Shared inboxes an email trigger can listen on (a filter on the recipients)."""
TRIGGER_WEIGHTS: dict[str, int] = {
    "record_create": 6,
    "record_update": 7,
    "record_create_or_update": 3,
    "daily": 2,
    "weekly": 2,
    "monthly": 1,
    "repeat": 1,
    "run_once": 1,
    "email": 2,
    "sla_task": 1,
    "service_catalog": 2,
    "metric": 1,
    "rest_async": 1,
}
"""How often each trigger type is sampled (record triggers dominate real instances)."""


@dataclass
class SampledTrigger:
    """A trigger with its inputs, phrase and the records its pills expose."""

    type: str
    text: str
    inputs: list[tuple[str, str]]
    focus: Focus | None
    others: list[Focus] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)


def sample_trigger(b: LogicBuilder) -> SampledTrigger:
    """Sample a trigger type the catalog defines, with inputs and phrase."""
    known = [t for t in TRIGGER_WEIGHTS if b.view.catalog.trigger(t) is not None]
    kind = b.rng.choices(known, weights=[TRIGGER_WEIGHTS[t] for t in known])[0]
    if kind in RECORD_TRIGGERS or kind == "metric":
        return _record(b, kind)
    if kind in SCHEDULED:
        return _scheduled(b, kind)
    return _application(b, kind)


def _tag(b: LogicBuilder, table: str, word: str) -> str:
    """Sometimes write a table as a `#table` tag, the way users pin tables."""
    return f"#{table}" if b.rng.random() < 0.12 else word


def _record(b: LogicBuilder, kind: str) -> SampledTrigger:
    table = b.view.pick_table(b.rng)
    word = _tag(b, table.name, noun(table))
    inputs = [("table", table.name)]
    cond = b.condition(table.name) if b.rng.random() < 0.75 else None
    if kind == "metric":
        col = b.rng.choice(b.view.choice_columns(table.name))
        inputs.append(("metric", col.name))
        text = f"when the {col.label.lower()} metric of a {word} is recorded"
    elif cond is not None and cond.state and b.rng.random() < 0.5:
        # Admins fold the condition into the event ("when a user becomes inactive").
        text = b.pick(f"state.{kind}", noun=word, state=cond.state)
    else:
        text = b.pick(f"trigger.{kind}", noun=word)
        if cond is not None:
            text = f"{text} {b.pick('trigger.cond', cond=cond.text)}"
    if cond is not None:
        inputs.append(("condition", cond.query))
        if kind == "metric":
            text = f"{text} {b.pick('trigger.cond', cond=cond.text)}"
    focus = Focus("{{trigger.current}}", table.name, noun(table))
    return SampledTrigger(kind, text, inputs, focus, tables=[table.name])


def _scheduled(b: LogicBuilder, kind: str) -> SampledTrigger:
    hour = b.rng.choice([2, 6, 7, 8, 9, 12, 17, 18, 22])
    value = f"1970-01-01 {hour:02d}:00:00"
    slots: dict[str, str] = {"time": _clock(b, hour)}
    inputs: list[tuple[str, str]] = []
    if kind == "daily":
        inputs = [("time", value)]
    elif kind == "weekly":
        day = b.rng.randint(1, 7)
        slots["weekday"] = WEEKDAYS[day - 1]
        inputs = [("day_of_week", str(day)), ("time", value)]
    elif kind == "monthly":
        day = b.rng.choice([1, 1, 1, *range(2, 29)])
        slots.update(day=str(day), ordinal=_ordinal(day))
        inputs = [("day_of_month", str(day)), ("time", value)]
    elif kind == "repeat":
        n, unit, seconds = b.rng.choice(
            [(2, "hours", 7200), (15, "minutes", 900), (30, "minutes", 1800), (6, "hours", 21600)]
        )
        slots.update(n=str(n), unit=unit)
        inputs = [("repeat", duration_value(seconds))]
    else:
        month, day = b.rng.randint(1, 12), b.rng.randint(1, 28)
        slots["date"] = (
            f"2027-{month:02d}-{day:02d} {hour:02d}:00"
            if b.rng.random() < 0.5
            else f"{day} {MONTHS[month - 1]} 2027 at {_clock(b, hour)}"
        )
        inputs = [("run_in", f"2027-{month:02d}-{day:02d} {hour:02d}:00:00")]
    return SampledTrigger(kind, b.pick(f"trigger.{kind}", **slots), inputs, None)


def _clock(b: LogicBuilder, hour: int) -> str:
    """Write an hour the way people do: '08:00', '8am', '8 AM', '6 PM'."""
    if b.rng.random() < 0.5:
        return f"{hour:02d}:00"
    h12, half = (hour % 12 or 12), ("am" if hour < 12 else "pm")
    return b.rng.choice([f"{h12}{half}", f"{h12} {half.upper()}", f"{h12}:00 {half}"])


def _ordinal(day: int) -> str:
    """Return '1st', '2nd', '3rd', '4th' … '21st' … for a day of the month."""
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _application(b: LogicBuilder, kind: str) -> SampledTrigger:
    if kind == "email":
        b.features.add("email_trigger")
        user = Focus("{{trigger.user}}", "sys_user", "sender")
        if b.rng.random() < 0.3:
            address = b.rng.choice(MAILBOXES)
            text = b.pick("trigger.email_to", address=address)
            return SampledTrigger(
                kind, text, [("email_conditions", f"recipientsLIKE{address}")], user
            )
        word = b.rng.choice(KEYWORDS)
        return SampledTrigger(
            kind,
            b.pick("trigger.email", word=word),
            [("email_conditions", f"subjectLIKE{word}")],
            user,
        )
    if kind == "sla_task":
        b.features.add("sla")
        sla = Focus("{{trigger.task_sla_record}}", "task_sla", "SLA")
        task = Focus("{{trigger.task_sla_record.task}}", "task", "task")
        has_task = b.view.catalog.column("task_sla", "task") is not None
        return SampledTrigger(
            kind,
            b.pick("trigger.sla_task"),
            [],
            task if has_task else sla,
            [sla] if has_task else [],
        )
    if kind == "service_catalog":
        b.features.add("service_catalog")
        item = Focus("{{trigger.request_item}}", "sc_req_item", "requested item")
        return SampledTrigger(
            kind, b.pick("trigger.service_catalog"), [], item, tables=["sc_req_item"]
        )
    method = b.rng.choice(["POST", "PUT", "GET"])
    text = f"{b.pick('trigger.rest_async')} ({method})"
    return SampledTrigger(kind, text, [("http_method", method)], None)
