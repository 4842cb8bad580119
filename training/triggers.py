"""Sample a trigger of any type with realistic inputs, its phrase and the records it provides."""

from __future__ import annotations

from dataclasses import dataclass, field

from training.catalog_view import KEYWORDS, noun
from training.logic import LogicBuilder, duration_value
from training.nodes import Focus

RECORD_TRIGGERS = ("record_create", "record_update", "record_create_or_update")
SCHEDULED = ("daily", "weekly", "monthly", "repeat", "run_once")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
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
    slot = "trigger.record_update" if kind == "metric" else f"trigger.{kind}"
    text = b.pick(slot, noun=word)
    inputs = [("table", table.name)]
    if kind == "metric":
        col = b.rng.choice(b.view.choice_columns(table.name))
        inputs.append(("metric", col.name))
        text = f"when the {col.label.lower()} metric of a {word} is recorded"
    cond = b.condition(table.name) if b.rng.random() < 0.75 else None
    if cond is not None:
        inputs.append(("condition", cond.query))
        text = f"{text} {b.pick('trigger.cond', cond=cond.text)}"
    focus = Focus("{{trigger.current}}", table.name, noun(table))
    return SampledTrigger(kind, text, inputs, focus, tables=[table.name])


def _scheduled(b: LogicBuilder, kind: str) -> SampledTrigger:
    hour = b.rng.choice([6, 7, 8, 9, 12, 17, 18, 22])
    time = f"{hour:02d}:00"
    value = f"1970-01-01 {hour:02d}:00:00"
    slots: dict[str, str] = {"time": time}
    inputs: list[tuple[str, str]] = []
    if kind == "daily":
        inputs = [("time", value)]
    elif kind == "weekly":
        day = b.rng.randint(1, 7)
        slots["weekday"] = WEEKDAYS[day - 1]
        inputs = [("day_of_week", str(day)), ("time", value)]
    elif kind == "monthly":
        day = b.rng.randint(1, 28)
        slots["day"] = str(day)
        inputs = [("day_of_month", str(day)), ("time", value)]
    elif kind == "repeat":
        n, unit, seconds = b.rng.choice(
            [(2, "hours", 7200), (15, "minutes", 900), (30, "minutes", 1800), (6, "hours", 21600)]
        )
        slots.update(n=str(n), unit=unit)
        inputs = [("repeat", duration_value(seconds))]
    else:
        month, day = b.rng.randint(1, 12), b.rng.randint(1, 28)
        slots["date"] = f"2027-{month:02d}-{day:02d} {time}"
        inputs = [("run_in", f"2027-{month:02d}-{day:02d} {hour:02d}:00:00")]
    return SampledTrigger(kind, b.pick(f"trigger.{kind}", **slots), inputs, None)


def _application(b: LogicBuilder, kind: str) -> SampledTrigger:
    if kind == "email":
        word = b.rng.choice(KEYWORDS)
        b.features.add("email_trigger")
        user = Focus("{{trigger.user}}", "sys_user", "sender")
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
