"""Per-(configuration, case) result cache: an append-only JSONL file under the run directory.

Each finished case is appended as one line and flushed to disk at once, so a run that is
killed loses at most the case in flight. A torn last line (the process died mid-write) is
ignored on load and that case is simply run again. Entries are keyed by the configuration's
fingerprint and a hash of the case, so a changed configuration or an edited case is rerun
instead of being served a stale answer.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any

from evals.dataset import EvalCase


def case_key(case: EvalCase) -> str:
    """Return a hash of everything in a case that affects its scores."""
    payload = json.dumps(
        {"id": case.id, "requirement": case.requirement, "flow": case.gold()}, sort_keys=True
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


class ResultCache:
    """Cached case records of one configuration, stored in `<run_dir>/cache/<config>.jsonl`."""

    def __init__(self, path: Path, fingerprint: str) -> None:
        """Open (or create on first write) the cache file for one configuration fingerprint."""
        self.path = path
        self.fingerprint = fingerprint
        self._lock = threading.Lock()
        self._entries: dict[str, dict[str, Any]] = self._load()
        # A torn last line has no newline; start the next record on a fresh line.
        self._pending_newline = (
            self.path.is_file()
            and not self.path.read_bytes().endswith(b"\n")
            and self.path.stat().st_size > 0
        )

    def _load(self) -> dict[str, dict[str, Any]]:
        entries: dict[str, dict[str, Any]] = {}
        if not self.path.is_file():
            return entries
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue  # torn write of a killed run: that case will be recomputed
            if isinstance(row, dict) and row.get("fingerprint") == self.fingerprint:
                entries[str(row.get("key"))] = row["record"]
        return entries

    def get(self, case: EvalCase) -> dict[str, Any] | None:
        """Return the cached record of `case`, or None when it must be run."""
        return self._entries.get(case_key(case))

    def put(self, case: EvalCase, record: dict[str, Any]) -> None:
        """Append the record of `case` and make it durable before returning."""
        key = case_key(case)
        line = json.dumps({"fingerprint": self.fingerprint, "key": key, "record": record})
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                if self._pending_newline:
                    handle.write("\n")
                    self._pending_newline = False
                handle.write(line + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            self._entries[key] = record

    def __len__(self) -> int:
        """Return how many cases are cached for this fingerprint."""
        return len(self._entries)
