"""Build `Issue` objects whose kind and severity follow from the code (flow-format §5).

Every check module creates issues through `issue()`, so a code can never be reported with the
wrong kind or severity, and `pointer()` so every path is a valid JSON Pointer (RFC 6901).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from schemas.issues import (
    GROUNDING_CODES,
    SCHEMA_CODES,
    STRUCTURE_CODES,
    WARNING_CODES,
    Issue,
    IssueKind,
    Severity,
)

_KINDS: dict[str, tuple[IssueKind, Severity]] = {
    **{c: ("schema", "error") for c in SCHEMA_CODES},
    **{c: ("structure", "error") for c in STRUCTURE_CODES},
    **{c: ("grounding", "error") for c in GROUNDING_CODES},
    # A placeholder marks what the catalog cannot do (a grounding gap); it only warns (§1).
    **{c: ("grounding", "warning") for c in WARNING_CODES},
}

_MAX_SHOWN = 60
"""Longest excerpt of a user value quoted in a message (inputs may be megabytes long)."""
_MAX_MESSAGE = 400
_MAX_HINT = 800


class UnknownCodeError(ValueError):
    """A check tried to report a code that flow-format §5 does not define."""


def issue(code: str, path: str, message: str, hint: str, order: int | None = None) -> Issue:
    """Return an issue for `code` with the kind and severity the contract gives it.

    Raises:
        UnknownCodeError: `code` is not one of the contract's codes (a programming error).
    """
    try:
        kind, severity = _KINDS[code]
    except KeyError:
        raise UnknownCodeError(f"unknown issue code {code!r}") from None
    # Fields are built here with the right types, so skip pydantic's per-issue validation: a
    # flow with thousands of bad steps would otherwise spend most of its time constructing issues.
    return Issue.model_construct(
        code=code,
        severity=severity,
        kind=kind,
        order=order,
        path=path,
        message=_clip(message, _MAX_MESSAGE),
        hint=_clip(hint, _MAX_HINT),
    )


def _clip(text: str, limit: int) -> str:
    """Bound a message or hint: values quoted in it may come from megabyte-sized input."""
    return text if len(text) <= limit else text[:limit] + "…"


def pointer(*parts: str | int) -> str:
    """Return the JSON Pointer of a location given as keys and list indexes."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def shown(value: object) -> str:
    """Return a short, safe repr of a user value for a message (never recurses deeply)."""
    if isinstance(value, str):
        text = value if len(value) <= _MAX_SHOWN else value[:_MAX_SHOWN] + "…"
        return repr(text)
    if isinstance(value, dict):
        return f"an object with {len(value)} keys"
    if isinstance(value, list | tuple):
        return f"a list of {len(value)} items"
    if value is None:
        return "null"
    if isinstance(value, bool | int | float):
        text = repr(value)
        return text if len(text) <= _MAX_SHOWN else text[:_MAX_SHOWN] + "…"
    return f"a {type(value).__name__}"


def choices_text(pairs: Iterable[tuple[str, str]], limit: int = 15) -> str:
    """Return 'value (label), …' for up to `limit` choices, saying how many were left out."""
    items = list(pairs)
    text = ", ".join(
        f"{v!r} ({label})" if label and label != v else repr(v) for v, label in items[:limit]
    )
    if len(items) > limit:
        text += f", … ({len(items) - limit} more)"
    return text


def names_text(names: Iterable[str], limit: int = 15) -> str:
    """Return up to `limit` names joined by commas, saying how many were left out."""
    items = list(names)
    text = ", ".join(items[:limit])
    if len(items) > limit:
        text += f", … ({len(items) - limit} more)"
    return text or "(none)"


# ASCII digits only (str.isdigit accepts '¹', which int() rejects), and short enough for int().
_INDEX = re.compile(r"[0-9]{1,18}")


def sort_key(found: Issue) -> tuple[tuple[tuple[int, int, str], ...], str]:
    """Sort issues by path (list indexes numerically) and then by code."""
    segments = tuple(
        (0, int(s), "") if _INDEX.fullmatch(s) else (1, 0, s) for s in found.path.split("/")[1:]
    )
    return segments, found.code
