"""`#table` pinning, as in ServiceNow's flow generation: `#incident` in a requirement pins a table.

Accepted forms (all case-insensitive), resolved in this order:

- the table name: `#incident`, `#Incident`, `#change_request`, `#SYS_USER_GROUP`;
- the label with words joined by `_` or `-`: `#Change_Request`, `#change-request`;
- the label with spaces, longest match of up to 4 words: `#Change Request approvals` pins
  `change_request` (the words after the label stay ordinary text);
- a bracketed label or name: `#[Change Request]`, `#[sys_user]`.

Not a tag: a `#` right after a letter or digit (`C#`, `issue#3`) or before a digit (`#1`). A tag
that names no table is returned in `Pins.unknown` so the CLI can warn; it pins nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from schemas.catalog import Catalog

_TAG = re.compile(r"(?<![\w#])#(?:\[(?P<bracket>[^\]\n]{1,120})\]|(?P<word>[^\W\d][\w-]*))")
_MAX_LABEL_WORDS = 4
_NEXT_WORD = re.compile(r"[ \t]+([^\W\d][\w-]*)")


@dataclass(frozen=True, slots=True)
class Pins:
    """Tables pinned by a requirement (in order of appearance) and tags naming no table."""

    tables: tuple[str, ...]
    unknown: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Tag:
    start: int
    end: int
    table: str | None
    text: str


def find_pins(requirement: str, catalog: Catalog) -> Pins:
    """Return the tables pinned by `#tags` in the requirement and the unknown tags."""
    tables: dict[str, None] = {}
    unknown: dict[str, None] = {}
    for tag in _tags(requirement, catalog):
        if tag.table is not None:
            tables.setdefault(tag.table, None)
        else:
            unknown.setdefault(tag.text, None)
    return Pins(tuple(tables), tuple(unknown))


def pinned_tables(requirement: str, catalog: Catalog) -> list[str]:
    """Return the table names pinned by the requirement, in order of first appearance."""
    return list(find_pins(requirement, catalog).tables)


def strip_pins(requirement: str, catalog: Catalog | None = None) -> str:
    """Return the requirement with pin markup removed, the pinned words kept.

    `when an #incident is created` → `when an incident is created`; `#[Change Request]` →
    `Change Request`. With a catalog, only tags that name a table are touched (so `#ff0000`
    stays); without one, every tag-shaped `#word` loses its `#`.
    """
    out: list[str] = []
    pos = 0
    for tag in _tags(requirement, catalog):
        if catalog is not None and tag.table is None:
            continue
        out.append(requirement[pos : tag.start])
        out.append(tag.text)
        pos = tag.end
    out.append(requirement[pos:])
    return "".join(out)


def _tags(requirement: str, catalog: Catalog | None) -> list[_Tag]:
    tags: list[_Tag] = []
    matches = list(_TAG.finditer(requirement))
    # Most requirements pin nothing: index the catalog's tables only when a tag needs it.
    lookup = _Lookup(catalog) if catalog is not None and matches else None
    for m in matches:
        if m.group("bracket") is not None:
            text = m.group("bracket").strip()
            table = lookup.exact(text) if lookup else None
            tags.append(_Tag(m.start(), m.end(), table, text))
            continue
        word = m.group("word")
        table = lookup.exact(word) if lookup else None
        if table is not None or lookup is None:
            tags.append(_Tag(m.start(), m.end(), table, word))
            continue
        tags.append(lookup.label_prefix(requirement, m.start(), m.end(), word))
    return tags


class _Lookup:
    """Case-insensitive table lookup by name, label, and label words joined by `_`/`-`."""

    def __init__(self, catalog: Catalog) -> None:
        self.by_key: dict[str, str] = {}
        for t in catalog.tables:
            self.by_key.setdefault(_norm(t.label), t.name)
        # Names win over labels: set them last so they overwrite a clashing label.
        for t in catalog.tables:
            self.by_key[t.name.lower()] = t.name

    def exact(self, text: str) -> str | None:
        return self.by_key.get(text.lower()) or self.by_key.get(_norm(text))

    def label_prefix(self, text: str, start: int, end: int, word: str) -> _Tag:
        """Try the longest run of following words that spells a table label."""
        words, ends = [word], [end]
        for _ in range(_MAX_LABEL_WORDS - 1):
            m = _NEXT_WORD.match(text, ends[-1])
            if m is None:
                break
            words.append(m.group(1))
            ends.append(m.end())
        for n in range(len(words), 1, -1):
            table = self.exact(" ".join(words[:n]))
            if table is not None:
                return _Tag(start, ends[n - 1], table, text[start + 1 : ends[n - 1]])
        return _Tag(start, end, None, word)


def _norm(text: str) -> str:
    return re.sub(r"[\s_-]+", "_", text.strip().lower())
