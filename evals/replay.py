"""Replay recorded generator results per case: score predictions made elsewhere, test the runner.

A replay file is JSON (or YAML) mapping a case id to either the fields of a
`schemas.result.GenerationResult` (without `requirement`, which comes from the case) or to
``{"error": "message"}``, which makes that case raise `ReplayedError` as a failing model would.
A configuration with ``replay: FILE`` uses this instead of the real generator.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from evals.dataset import EvalCase
from schemas.result import GenerationResult


class ReplayError(Exception):
    """The replay file cannot be read or holds an entry that is not a generator result."""


class ReplayedError(RuntimeError):
    """The recorded outcome of a case was an error; raised so the runner records a failure."""


class ReplayGenerator:
    """A `GenerateFn` that returns the recorded result of each case id."""

    def __init__(self, entries: dict[str, Any]) -> None:
        """Hold the recorded entries (case id → result fields or ``{"error": …}``)."""
        self.entries = entries
        self.calls: list[str] = []

    @classmethod
    def from_file(cls, path: str | Path) -> ReplayGenerator:
        """Read a replay file.

        Raises:
            ReplayError: unreadable file, or not a mapping of case ids.
        """
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise ReplayError(f"cannot read replay file {path}: {exc}") from None
        if not isinstance(data, dict):
            raise ReplayError(f"replay file {path} must map case ids to results")
        return cls(data)

    def __call__(self, case: EvalCase, seed: int) -> GenerationResult:
        """Return the recorded result of `case` (the seed is irrelevant to a replay).

        Raises:
            ReplayedError: the case was recorded as an error, or is missing.
            ReplayError: the recorded entry is not a generator result.
        """
        self.calls.append(case.id)
        entry = self.entries.get(case.id)
        if entry is None:
            raise ReplayedError(f"no recorded result for case {case.id!r}")
        if isinstance(entry, dict) and "error" in entry:
            raise ReplayedError(str(entry["error"]))
        try:
            return GenerationResult.model_validate({**entry, "requirement": case.requirement})
        except ValidationError as exc:
            raise ReplayError(f"recorded result of {case.id!r} is not valid: {exc}") from None
