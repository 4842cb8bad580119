"""Stop a local model's word loop inside a JSON string by closing the string.

A small model decoding greedily can fall into a loop inside free text ("wait until the change
change change …"): the grammar allows it, so the loop runs to the token budget and the rest of
the output (the outline's later steps) is lost. A grammar bound on string length would stop it
but costs xgrammar about four times as much per token (see docs/generator.md); this processor
watches the decoded text instead: a dictionary look-up and a comparison of the last few words
per token (about 60 µs).

When the text inside the current string ends with the same unit (a word or a few words, with a
letter in it) repeated `REPEATS` times, or with a few characters (with a letter) repeated
`CHAR_REPEATS` times and no space between them ("SSSS…", "it_it_it…"), only tokens that close
the string stay allowed, and only if the grammar allows one of them; otherwise the scores are
left alone. The guard runs after the grammar mask, so it only ever narrows what the grammar
allows. A unit without a letter ("5555…") is left alone: digit runs are real values, and cutting
one such loop short made a flow worse (reports/session8-handwritten.md).
"""

from __future__ import annotations

import re
from typing import Any, cast

import torch
from transformers import LogitsProcessor

REPEATS = 4
"""Times a unit must occur back to back at the end of a string to count as a loop."""

TAIL_CHARS = 200
"""How much of the current string is searched for a loop."""

MAX_UNIT_WORDS = 4
"""Longest repeated unit looked for, in words ("the change the change …" has two)."""

CHAR_REPEATS = 8
"""Times a unit of at most `MAX_UNIT_CHARS` characters must repeat to count as a loop."""

MAX_UNIT_CHARS = 6
"""Longest repeated unit looked for, in characters ("it_it_it…" has three)."""

_LETTER = re.compile(r"[A-Za-z]")
_CHAR_LOOP = re.compile(rf"(\S{{1,{MAX_UNIT_CHARS}}}?)\1{{{CHAR_REPEATS - 1},}}\Z")
"""A tail of one short unit repeated `CHAR_REPEATS` times; a word loop has spaces, this not."""


class TokenTexts:
    """A tokenizer's token texts, decoded once per id, and the ids that close a JSON string.

    Kept once per loaded model and shared by every call's guard; safe to share between the
    threads of parallel fills (a lost race decodes a token twice, to the same text).
    """

    def __init__(self, tokenizer: Any) -> None:
        self.tokenizer = tokenizer
        self.texts: dict[int, str] = {}
        self.closers: dict[int, torch.Tensor] = {}

    def text(self, token_id: int) -> str:
        """Return the text of one token."""
        text = self.texts.get(token_id)
        if text is None:
            text = self.tokenizer.decode([token_id])
            self.texts[token_id] = text
        return text

    def closer_ids(self, vocab: int) -> torch.Tensor:
        """Return the ids below `vocab` whose text starts by closing a string (`"`)."""
        ids = self.closers.get(vocab)
        if ids is None:
            ids = torch.tensor([i for i in range(vocab) if self.text(i).startswith('"')],
                               dtype=torch.long)
            self.closers[vocab] = ids
        return ids


class LoopGuard(LogitsProcessor):
    """Force the current JSON string closed once its tail repeats one unit `REPEATS` times.

    One guard per generation call (it tracks that call's output); batch size 1.
    """

    def __init__(self, texts: TokenTexts) -> None:
        self.texts = texts
        self.primed = False
        """Whether the first call (the prompt alone, no generated token yet) has been seen."""
        self.in_string = False
        self.escaped = False
        self.current = ""
        self.closed_loops = 0
        """Times the guard closed a string (for tests and diagnostics)."""

    def __call__(self, input_ids: torch.Tensor, scores: torch.Tensor) -> torch.FloatTensor:
        if not self.primed:
            self.primed = True
            return cast(torch.FloatTensor, scores)
        self._advance(self.texts.text(int(input_ids[0, -1])))
        if not (self.in_string and self._looping()):
            return cast(torch.FloatTensor, scores)
        closers = self.texts.closer_ids(scores.shape[-1])
        if not bool(torch.isfinite(scores[0, closers]).any()):
            return cast(torch.FloatTensor, scores)
        masked = torch.full_like(scores, float("-inf"))
        masked[:, closers] = scores[:, closers]
        self.closed_loops += 1
        return cast(torch.FloatTensor, masked)

    def _advance(self, text: str) -> None:
        """Track whether decoding is inside a JSON string and what that string holds so far."""
        for char in text:
            if not self.in_string:
                if char == '"':
                    self.in_string, self.current = True, ""
            elif self.escaped:
                self.escaped = False
                self.current += char
            elif char == "\\":
                self.escaped = True
            elif char == '"':
                self.in_string = False
            else:
                self.current += char
        self.current = self.current[-TAIL_CHARS:]

    def _looping(self) -> bool:
        """Whether the string ends with one unit of 1..`MAX_UNIT_WORDS` words, `REPEATS` times,
        or of 1..`MAX_UNIT_CHARS` characters, `CHAR_REPEATS` times."""
        chars = _CHAR_LOOP.search(self.current)
        if chars is not None and _LETTER.search(chars.group(1)):
            return True
        words = self.current.split()[-MAX_UNIT_WORDS * REPEATS:]
        for size in range(1, MAX_UNIT_WORDS + 1):
            tail = words[-size * REPEATS:]
            if len(tail) < size * REPEATS:
                return False
            unit = tail[:size]
            if tail == unit * REPEATS and _LETTER.search(" ".join(unit)):
                return True
        return False
