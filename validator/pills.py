"""The one parser of data pills (flow-format §3).

Grammar (no spaces anywhere inside the braces)::

    pill  := "{{" root ("." name)+ "}}"
    root  := "trigger" | "step_" order | "flow" | "subflow"
    name  := [A-Za-z_][A-Za-z0-9_]*
    order := a positive integer without leading zeros

The first name after the root is the output (trigger/step), the variable (flow) or the input
(subflow); further names dot-walk through reference fields. `scan_pills` finds every pill of a
value and every piece of pill-like text that breaks the grammar (`{{` without `}}`, a stray `}}`,
a bad root or name), so the validator can report `pill_syntax` with the offending fragment.
Results are cached per string: the same value is never parsed twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

PillRoot = Literal["trigger", "step", "flow", "subflow"]

_INNER = re.compile(r"(trigger|flow|subflow|step_([0-9]+))((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")
_EXAMPLE = "{{trigger.current.sys_id}}, {{step_1.records}}, {{flow.approver}}, {{subflow.user}}"


@dataclass(frozen=True, slots=True)
class Pill:
    """One well-formed pill found in a value."""

    text: str
    """The pill as written, braces included."""
    root: PillRoot
    step: int | None
    """The step order for `step_<order>` pills, else None."""
    name: str
    """Output (trigger/step), variable (flow) or input (subflow) name."""
    fields: tuple[str, ...]
    """Dot-walked field names after the output, possibly empty."""
    start: int
    """Offset of the pill in the value."""

    @property
    def head(self) -> str:
        """Return the pill without its dot-walk, e.g. '{{step_1.record}}'."""
        root = f"step_{self.step}" if self.root == "step" else self.root
        return "{{" + f"{root}.{self.name}" + "}}"


@dataclass(frozen=True, slots=True)
class PillProblem:
    """A piece of a value that looks like a pill but breaks the grammar."""

    fragment: str
    start: int
    reason: str
    hint: str


@dataclass(frozen=True, slots=True)
class PillScan:
    """Everything `scan_pills` found in one value."""

    pills: tuple[Pill, ...]
    problems: tuple[PillProblem, ...]
    whole: bool
    """True when the value is exactly one well-formed pill and nothing else."""


_NOTHING = PillScan((), (), False)


def has_pill_syntax(value: str) -> bool:
    """Tell whether a value contains any pill braces (cheap pre-check)."""
    return "{{" in value or "}}" in value


_CACHED_LENGTH = 4096
"""Values longer than this are scanned uncached, so huge inputs do not pin memory."""


def scan_pills(value: str) -> PillScan:
    """Return the pills and pill syntax problems of one input value."""
    if "{{" not in value and "}}" not in value:
        return _NOTHING
    return _scan(value) if len(value) > _CACHED_LENGTH else _scan_cached(value)


@lru_cache(maxsize=8192)
def _scan_cached(value: str) -> PillScan:
    """Cache scans of ordinary-sized values (the same values recur across validations)."""
    return _scan(value)


def _scan(value: str) -> PillScan:
    """Find every pill and pill syntax problem of `value`."""
    pills: list[Pill] = []
    problems: list[PillProblem] = []
    pos = 0
    while True:
        open_at = value.find("{{", pos)
        stray = value.find("}}", pos, open_at if open_at >= 0 else len(value))
        if stray >= 0:
            problems.append(_problem(value[stray : stray + 2], stray, "'}}' without '{{'"))
        if open_at < 0:
            break
        close_at = value.find("}}", open_at + 2)
        nested = value.find("{{", open_at + 2, close_at if close_at >= 0 else len(value))
        if close_at < 0 or nested >= 0:
            end = nested if nested >= 0 else len(value)
            problems.append(_problem(value[open_at:end], open_at, "'{{' without '}}'"))
            pos = end
            continue
        text = value[open_at : close_at + 2]
        parsed = _parse_one(text, open_at)
        if isinstance(parsed, Pill):
            pills.append(parsed)
        else:
            problems.append(parsed)
        pos = close_at + 2
    whole = len(pills) == 1 and not problems and pills[0].text == value
    return PillScan(tuple(pills), tuple(problems), whole)


@lru_cache(maxsize=4096)
def parse_pill(text: str) -> Pill | PillProblem:
    """Parse exactly one pill such as '{{step_1.record.manager}}'."""
    if not (text.startswith("{{") and text.endswith("}}")) or len(text) < 4:
        return _problem(text, 0, "a pill is written '{{root.name}}'")
    return _parse_one(text, 0)


def _parse_one(text: str, start: int) -> Pill | PillProblem:
    """Parse the braces-included text of one pill found at `start`."""
    inner = text[2:-2]
    m = _INNER.fullmatch(inner)
    if m is None:
        return _problem(text, start, _why_not(inner))
    digits = m.group(2)
    if digits is not None and (digits.startswith("0") and digits != "0"):
        return _problem(text, start, f"step number {digits!r} has leading zeros")
    if digits is not None and len(digits) > 9:
        return _problem(text, start, "step number is too large")
    names = tuple(m.group(3)[1:].split("."))
    root: PillRoot = "step" if digits is not None else m.group(1)  # type: ignore[assignment]
    step = int(digits) if digits is not None else None
    return Pill(text, root, step, names[0], names[1:], start)


def _why_not(inner: str) -> str:
    """Explain why the text between the braces is not a pill."""
    if not inner.strip():
        return "the pill is empty"
    if inner != inner.strip() or " " in inner:
        return "a pill contains no spaces"
    head = inner.split(".", 1)[0]
    if head not in ("trigger", "flow", "subflow") and not re.fullmatch(r"step_[0-9]+", head):
        return f"{head!r} is not a pill root"
    if "." not in inner:
        return f"'{head}' must be followed by an output name"
    return "names after the root must be identifiers joined by single dots"


def _problem(fragment: str, start: int, reason: str) -> PillProblem:
    """Return a problem with the hint every pill syntax error shares."""
    return PillProblem(
        fragment, start, reason, f"Write pills as '{{{{root.output[.field…]}}}}', e.g. {_EXAMPLE}."
    )
