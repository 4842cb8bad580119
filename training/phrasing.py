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

from training.templates import TEMPLATES

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
