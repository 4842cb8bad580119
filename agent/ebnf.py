"""EBNF literals for xgrammar, shared by the decoding grammars (`agent.grammars`)."""

from __future__ import annotations

import json


def raw(text: str) -> str:
    """Return an EBNF literal matching `text` itself (JSON punctuation, keys, numbers)."""
    return json.dumps(text, ensure_ascii=False)


def lit(text: str) -> str:
    """Return an EBNF literal matching `text` written as a JSON string (quotes included)."""
    return raw(json.dumps(text, ensure_ascii=False))


def inner(text: str) -> str:
    """Return an EBNF literal matching `text` as it appears inside a JSON string."""
    return raw(json.dumps(text, ensure_ascii=False)[1:-1])


def alts(options: list[str]) -> str:
    """Return a parenthesised alternation of EBNF expressions."""
    return "(" + " | ".join(options) + ")"
