"""Turn whatever the validator is given into a JSON value, or an `invalid_json` issue.

Text (str, bytes) is parsed as JSON; anything else is taken as an already-parsed value. Parsing
never raises: empty text, malformed text, undecodable bytes, numbers too long to convert and
nesting too deep for the parser all become one `invalid_json` issue.
"""

from __future__ import annotations

import json

from schemas.issues import Issue
from validator.issues import issue

_HINT = "Return exactly one JSON object with the keys name, trigger and components."


def load_document(value: object) -> tuple[object, Issue | None]:
    """Return (parsed value, None), or (None, invalid_json issue) when text is not JSON."""
    if isinstance(value, bytes | bytearray):
        try:
            value = bytes(value).decode("utf-8")
        except UnicodeDecodeError as exc:
            return None, issue("invalid_json", "", f"input is not UTF-8 text: {exc.reason}", _HINT)
    if not isinstance(value, str):
        return value, None
    if not value.strip():
        return None, issue("invalid_json", "", "input is empty", _HINT)
    try:
        return json.loads(value, parse_constant=_reject_constant), None
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        return None, issue("invalid_json", "", f"not valid JSON at {where}: {exc.msg}", _HINT)
    except RecursionError:
        return None, issue("invalid_json", "", "JSON is nested too deeply to read", _HINT)
    except ValueError as exc:
        # e.g. NaN/Infinity, or an integer literal longer than Python's int-conversion limit.
        return None, issue("invalid_json", "", f"not valid JSON: {exc}", _HINT)


def _reject_constant(name: str) -> object:
    """Refuse NaN and ±Infinity, which Python's json accepts but JSON (RFC 8259) does not."""
    raise ValueError(f"{name} is not a JSON value")
