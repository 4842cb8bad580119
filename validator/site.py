"""Where a checked value sits, and the site-free problems that checks of values produce.

Checks that depend only on a value and the catalog (a literal query over a table, a template)
return `Problem`s, which can be cached per catalog and placed at any `Site` afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from schemas.issues import Issue
from validator.issues import issue, pointer
from validator.tree import Node


class Problem(NamedTuple):
    """An issue not yet placed in a flow: code, message and hint."""

    code: str
    message: str
    hint: str


class Site:
    """Where a value sits: its location, its component order and the node using it."""

    __slots__ = ("order", "parts", "user")

    def __init__(self, parts: tuple[str | int, ...], order: int | None, user: Node | None) -> None:
        """Locate a value by the keys/indexes of its JSON Pointer (built only when needed)."""
        self.parts = parts
        self.order = order
        self.user = user

    @property
    def path(self) -> str:
        """Return the JSON Pointer of the value."""
        return pointer(*self.parts)

    def place(self, problems: Iterable[Problem]) -> list[Issue]:
        """Return the problems as issues located at this site."""
        return [issue(p.code, self.path, p.message, p.hint, self.order) for p in problems]
