"""Phrasing templates for synthetic requirements, each with a stable id for split hold-outs.

Every clause of a synthetic requirement comes from one template slot (`trigger.record_create`,
`loop.implicit`, …). A template's id is `<slot>:<index>`; `is_heldout` marks a fixed share of
ids as test-only so that the test split measures phrasing the model never saw in training. The
first template of every slot is never held out, so every slot stays trainable.
"""

from __future__ import annotations

import random
import re
import zlib
from collections.abc import Callable

TEMPLATES: dict[str, tuple[str, ...]] = {
    "trigger.record_create": (
        "when a new {noun} is created",
        "whenever someone creates a {noun}",
        "on creation of a {noun}",
        "when a {noun} is opened",
        "as soon as a {noun} is logged",
        "each time a {noun} gets submitted",
        "for every new {noun}",
    ),
    "trigger.record_update": (
        "when a {noun} is updated",
        "whenever a {noun} changes",
        "each time someone modifies a {noun}",
        "when a {noun} gets edited",
        "on update of a {noun}",
        "after a {noun} is saved with changes",
    ),
    "trigger.record_create_or_update": (
        "when a {noun} is created or updated",
        "whenever a {noun} is inserted or modified",
        "each time a {noun} is added or changed",
        "on create or update of a {noun}",
        "when a {noun} is saved",
    ),
    "trigger.cond": ("and {cond}", "where {cond}", "with {cond}", "if {cond}", "whose {cond}"),
    "trigger.daily": (
        "every day at {time}",
        "daily at {time}",
        "each day at {time}",
        "once a day at {time}",
        "at {time} every day",
    ),
    "trigger.weekly": (
        "every {weekday} at {time}",
        "weekly on {weekday} at {time}",
        "each {weekday} at {time}",
        "once a week on {weekday} at {time}",
    ),
    "trigger.monthly": (
        "on day {day} of every month at {time}",
        "monthly on the {day}th at {time}",
        "every month on day {day} at {time}",
        "once a month, day {day}, at {time}",
    ),
    "trigger.repeat": (
        "every {n} {unit}",
        "repeatedly every {n} {unit}",
        "each {n} {unit}",
        "on a {n} {unit} schedule",
    ),
    "trigger.run_once": (
        "once on {date}",
        "one time on {date}",
        "on {date}, just once",
        "a single time at {date}",
    ),
    "trigger.email": (
        "when an email arrives with subject containing '{word}'",
        "whenever we receive an email about {word}",
        "when an inbound email mentions '{word}' in the subject",
        "on every incoming email whose subject has {word}",
        "when a mail with '{word}' in its subject comes in",
    ),
    "trigger.sla_task": (
        "when an SLA task starts",
        "whenever an SLA is attached",
        "on an SLA timer",
        "when the SLA flow runs for a task",
        "each time an SLA task is triggered",
    ),
    "trigger.service_catalog": (
        "when a catalog item is requested",
        "when someone orders from the service catalog",
        "on a new service catalog request",
        "whenever a catalog request item is submitted",
        "for every request from the catalog",
    ),
    "trigger.metric": (
        "when a metric is recorded",
        "whenever a new metric value comes in",
        "on each metric event",
    ),
    "trigger.rest_async": (
        "when an asynchronous REST call arrives",
        "on an async REST request",
        "whenever the REST endpoint is called asynchronously",
    ),
    "cond.eq": (
        "the {col} is {val}",
        "{col} is {val}",
        "the {col} equals {val}",
        "its {col} is set to {val}",
        "{col} = {val}",
    ),
    "cond.ne": (
        "the {col} is not {val}",
        "{col} is anything but {val}",
        "{col} != {val}",
        "the {col} isn't {val}",
    ),
    "cond.in": (
        "the {col} is {val} or {val2}",
        "{col} is one of {val}, {val2}",
        "the {col} is either {val} or {val2}",
    ),
    "cond.true": ("it is {col}", "{col} is true", "the {col} flag is set", "it's {col}"),
    "cond.false": (
        "it is not {col}",
        "{col} is false",
        "the {col} flag is cleared",
        "it is no longer {col}",
    ),
    "cond.empty": (
        "the {col} is empty",
        "there is no {col}",
        "{col} is blank",
        "nobody is set as {col}",
    ),
    "cond.notempty": ("the {col} is filled in", "it has a {col}", "{col} is not empty"),
    "cond.like": (
        "the {col} contains '{val}'",
        "{col} mentions {val}",
        "the {col} has '{val}' in it",
        "{col} includes {val}",
    ),
    "set.choice": (
        "set the {col} to {val}",
        "change the {col} to {val}",
        "update its {col} to {val}",
        "mark the {col} as {val}",
        "make the {col} {val}",
        "move the {col} to {val}",
    ),
    "set.bool": ("set {col} to {val}", "flag it as {col} {val}", "make {col} {val}"),
    "set.assign": (
        "assign it to {who}",
        "set the {col} to {who}",
        "reassign it to {who}",
        "hand it over to {who}",
        "make {who} the {col}",
    ),
    "set.text": (
        "set the {col} to '{val}'",
        "put '{val}' in the {col}",
        "write '{val}' into {col}",
    ),
    "note": (
        "add a work note saying '{text}'",
        "add the work note '{text}'",
        "write '{text}' in the work notes",
        "log a work note: '{text}'",
        "comment in the work notes that {text}",
    ),
    "update.on": ("on the {noun}", "for that {noun}", "of the {noun}", "in the {noun}"),
    "email": (
        "send an email to {who} with subject '{subject}'",
        "email {who} about '{subject}'",
        "notify {who} by email ('{subject}')",
        "mail {who}: '{subject}'",
        "let {who} know by email with the subject '{subject}'",
    ),
    "sms": (
        "text {who} '{text}'",
        "send an SMS to {who} saying '{text}'",
        "page {who} by SMS: '{text}'",
    ),
    "notify": (
        "send the '{name}' notification",
        "fire the {name} notification",
        "trigger the notification '{name}'",
        "send notification {name}",
    ),
    "log": (
        "log '{text}'",
        "write '{text}' to the log",
        "record a {level} log message '{text}'",
        "log a {level}: '{text}'",
    ),
    "create": (
        "create a {noun} with {field} '{text}'",
        "open a new {noun} with {field} '{text}'",
        "raise a {noun} whose {field} is '{text}'",
        "add a {noun} record ({field}: '{text}')",
        "log a new {noun} saying '{text}'",
    ),
    "task": (
        "create a {noun} task with short description '{text}'",
        "open a {noun} task '{text}'",
        "spin up a {noun} task: '{text}'",
    ),
    "approval": (
        "ask {who} for approval",
        "request approval from {who}",
        "get {who} to approve it",
        "send it to {who} for approval",
        "route it to {who} for sign-off",
    ),
    "wait.cond": (
        "wait until the {noun} {cond}",
        "pause until the {noun} {cond}",
        "hold until the {noun} {cond}",
    ),
    "wait.duration": (
        "wait {n} {unit}",
        "pause for {n} {unit}",
        "sleep {n} {unit}",
        "hold off {n} {unit}",
    ),
    "delete": ("delete the {noun}", "remove that {noun}", "purge the {noun} record"),
    "lookup.one": (
        "look up the {noun} where {cond}",
        "find the {noun} whose {cond}",
        "get the first {noun} with {cond}",
        "fetch a {noun} where {cond}",
    ),
    "lookup.many": (
        "look up all {nouns} where {cond}",
        "find every {noun} whose {cond}",
        "get the list of {nouns} with {cond}",
        "query the {nouns} where {cond}",
        "collect all {nouns} where {cond}",
    ),
    "loop.explicit": (
        "for each of them, {body}",
        "loop over the results and {body}",
        "for every {noun} found, {body}",
        "iterate over them: {body}",
        "then, for each record, {body}",
    ),
    "loop.implicit": (
        "find the {nouns} where {cond} and {body} them",
        "for all {nouns} where {cond}, {body}",
        "{body} every {noun} whose {cond}",
        "take all {nouns} with {cond} and {body} each",
    ),
    "bulk": (
        "update all {nouns} where {cond} in bulk: {set}",
        "in one go, {set} on every {noun} whose {cond}",
        "bulk update the {nouns} with {cond} so that {set}",
    ),
    "if": (
        "if {cond}, {body}",
        "when {cond}, {body}",
        "in case {cond}, {body}",
        "if {cond} then {body}",
        "only if {cond}, {body}",
    ),
    "elseif": ("else if {cond}, {body}", "otherwise, if {cond}, {body}", "or if {cond}, {body}"),
    "else": ("otherwise {body}", "else {body}", "if not, {body}", "in all other cases {body}"),
    "parallel": (
        "at the same time: {paths}",
        "in parallel, {paths}",
        "do these in parallel: {paths}",
        "simultaneously {paths}",
    ),
    "try": ("try to {body}", "attempt to {body}", "{body}"),
    "catch": (
        "and if that fails, {body}",
        "if it errors, {body}",
        "on failure {body}",
        "should that fail, {body}",
    ),
    "dountil": (
        "repeat {body} until the {noun} {cond}",
        "keep trying to {body} until the {noun} {cond}",
        "do {body} again and again until the {noun} {cond}",
    ),
    "skip": ("skip it", "move on to the next one", "skip that record"),
    "exit": ("stop the loop", "break out of the loop", "exit the loop"),
    "end": ("end the flow", "stop the flow", "stop there", "finish the flow"),
    "setvar": (
        "remember the {what} in the flow variable {var}",
        "store the {what} as {var}",
        "save the {what} to {var}",
    ),
    "spoke": (
        "{label} in {spoke}",
        "{label} on {spoke} saying '{text}'",
        "use {spoke} to {label}",
        "{label} ({spoke})",
        "in {spoke}, {label}",
    ),
    "join.then": (", then ", "; then ", ". Then ", ", and then ", ". After that, ", " and "),
    "join.first": ("", "first ", "first, "),
    "form.plain": ("{trigger}, {body}.", "{trigger}: {body}.", "{Trigger}, {body}."),
    "form.reordered": ("{Body} {trigger}.", "{Body}, {trigger}."),
    "form.long": (
        "Please build a flow so that {trigger}, we {body}.",
        "I need a flow: {trigger}, {body}.",
        "Create a flow that runs {trigger}; it should {body}.",
        "We want automation here. {Trigger}, the flow must {body}.",
    ),
    "form.numbered": (
        "{Trigger}: {numbered}",
        "{Trigger}. Steps: {numbered}",
        "Flow: {trigger}. {numbered}",
    ),
}
"""Template slots; a template's id is `<slot>:<index>`."""

HOLDOUT_MODULUS = 5
"""About one template in this many (never the first of a slot) is reserved for the test split."""


def template_id(slot: str, index: int) -> str:
    """Return the stable id of the template at `index` in `slot`."""
    return f"{slot}:{index}"


def is_heldout(tid: str) -> bool:
    """Tell whether a template id is reserved for the test split."""
    slot, _, index = tid.rpartition(":")
    if int(index) == 0 or len(TEMPLATES.get(slot, ())) < 3:
        return False
    return zlib.crc32(tid.encode()) % HOLDOUT_MODULUS == 0


class Phraser:
    """Pick templates with a seeded RNG, honouring an allow-list and recording what was used."""

    def __init__(self, rng: random.Random, allow: Callable[[str], bool]) -> None:
        """Create a phraser over `rng` that only picks template ids `allow` accepts."""
        self.rng = rng
        self.allow = allow
        self.used: set[str] = set()
        self._last = ""

    def pick(self, slot: str, **slots: str) -> str:
        """Fill a template of `slot` with `slots` and record its id.

        Raises:
            KeyError: the slot does not exist (a programming error in the sampler).
        """
        options = [i for i in range(len(TEMPLATES[slot])) if self.allow(template_id(slot, i))]
        index = self.rng.choice(options or [0])
        self.used.add(template_id(slot, index))
        self._last = TEMPLATES[slot][index]
        return articles(self._last.format(**slots))

    def pick_head(self, slot: str, body_key: str, **slots: str) -> tuple[str, str]:
        """Fill a template like `pick`; also return its head: the text around `{body_key}`.

        The head is what a flow designer writes on a flow-logic card ("if the state is new",
        "for each of them", "at the same time"); it is a substring of the full text. When the
        template is nothing but the body, the head is the full text.
        """
        full = self.pick(slot, **slots)
        slots = {k: articles(v) for k, v in slots.items()}
        template = self._last
        before, _, after = template.partition("{" + body_key + "}")
        parts = [p for p in (before, after) if _trim(p.format(**slots))]
        if not parts:
            return full, full
        part = next((p for p in parts if "{cond}" in p), parts[0])
        return full, _trim(part.format(**slots))


_EDGE_WORDS = re.compile(r"^(?:[\s,;:.]|and\b)+|(?:[\s,;:.]|\band|\bthen|\beach)+$")


def articles(text: str) -> str:
    """Write 'an' before a vowel sound ('a incident' → 'an incident'; 'a user' stays)."""
    return re.sub(r"\b([Aa]) (?=[aeioAEIO])", r"\1n ", text)


def _trim(text: str) -> str:
    """Strip connector punctuation and words from the edges of a template part."""
    previous = None
    while previous != text:
        previous, text = text, _EDGE_WORDS.sub("", text)
    return text


def plural(noun: str) -> str:
    """Return a naive English plural of `noun` (good enough for table labels)."""
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


def capitalize(text: str) -> str:
    """Upper-case the first character only (keeps quoted values and tags intact)."""
    return text[:1].upper() + text[1:]
