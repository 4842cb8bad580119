"""Batch input and output files: read requirements per line, append results durably.

Input is JSONL (``{"id": ..., "requirement": ...}`` per line) or CSV (columns ``id`` and
``requirement``, chosen by the ``.csv`` suffix). A line that cannot be used (malformed JSON, no
requirement, a duplicate id) does not stop the batch: it becomes a `failed` record in the output
with the reason, so there is exactly one output line per input line. An item without an id gets
``line-<n>``, its 1-based line number in the input file.

Output is JSONL, one `BatchRecord` per line, appended with flush + fsync so a killed run loses
at most the line being written; `load_done` drops such a torn last line before resuming.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from pydantic import ValidationError

from schemas.result import GenerationResult


class BatchFileError(Exception):
    """A batch input or output file that cannot be used at all (one-line message)."""


class BatchRecord(GenerationResult):
    """One output line: the generator's result for one input id."""

    id: str
    line: int | None = None
    """Line of the input file the item came from (1-based; CSV counts the header)."""


@dataclass(frozen=True)
class BatchItem:
    """One requirement to generate, with its id and input line."""

    id: str
    requirement: str
    line: int


def failed_record(item_id: str, line: int | None, requirement: str, reason: str) -> BatchRecord:
    """Build the output record of an item that produced no flow."""
    return BatchRecord(
        id=item_id, line=line, requirement=requirement, status="failed", reason=reason
    )


def read_items(path: Path) -> tuple[list[BatchItem], list[BatchRecord]]:
    """Read an input file into usable items and failed records for unusable lines.

    Raises:
        BatchFileError: the file cannot be read, or a CSV has no ``requirement`` column.
    """
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(_csv_rows(handle) if path.suffix.lower() == ".csv" else _jsonl_rows(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise BatchFileError(f"cannot read {path}: {exc}") from None
    items: list[BatchItem] = []
    problems: list[BatchRecord] = []
    seen: set[str] = set()
    for line, row in rows:
        item_id = f"line-{line}"
        if isinstance(row, str):
            seen.add(item_id)
            problems.append(failed_record(item_id, line, "", f"input line {line}: {row}"))
            continue
        raw_id = row.get("id")
        if raw_id not in (None, ""):
            item_id = str(raw_id)
        requirement = row.get("requirement")
        reason = _requirement_problem(requirement)
        if item_id in seen:
            reason, item_id = f"duplicate id {item_id!r}", f"{item_id}@line-{line}"
        if reason is not None:
            text = requirement if isinstance(requirement, str) else ""
            seen.add(item_id)
            problems.append(failed_record(item_id, line, text, f"input line {line}: {reason}"))
            continue
        seen.add(item_id)
        items.append(BatchItem(item_id, str(requirement).strip(), line))
    return items, problems


def _requirement_problem(value: object) -> str | None:
    if value is None:
        return "no 'requirement' field"
    if not isinstance(value, str):
        return "'requirement' is not a string"
    if not value.strip():
        return "empty requirement"
    return None


def _jsonl_rows(handle: IO[str]) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """Yield (line number, object or problem text) for every non-blank line."""
    for line, text in enumerate(handle, start=1):
        if not text.strip():
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            yield line, f"malformed JSON ({exc.msg} at column {exc.colno})"
            continue
        yield line, value if isinstance(value, dict) else "not a JSON object"


def _csv_rows(handle: IO[str]) -> Iterator[tuple[int, dict[str, Any] | str]]:
    reader = csv.DictReader(handle)
    if reader.fieldnames is None or "requirement" not in reader.fieldnames:
        raise BatchFileError("CSV input needs a 'requirement' column (and optionally 'id')")
    for row in reader:
        if row.get(None):
            yield reader.line_num, "more cells than header columns"
            continue
        yield reader.line_num, dict(row)


def load_done(path: Path) -> dict[str, BatchRecord]:
    """Read the records of an earlier run, dropping a torn last line left by a kill.

    Raises:
        BatchFileError: a line other than the last is not a record (not our output file).
    """
    if not path.exists():
        return {}
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BatchFileError(f"cannot read {path}: {exc}") from None
    lines = data.split(b"\n")
    complete, tail = lines[:-1], lines[-1]
    done: dict[str, BatchRecord] = {}
    for number, raw in enumerate(complete, start=1):
        record = _parse_record(raw)
        if record is None:
            if number == len(complete) and not tail:
                _truncate(path, len(data) - len(raw) - 1)
                break
            raise BatchFileError(f"{path} line {number} is not a batch record; use another -o")
        done[record.id] = record
    if tail:
        # No newline after it: the process died mid-write, so the line is incomplete even if
        # it happens to parse; the item is simply run again.
        _truncate(path, len(data) - len(tail))
    return done


def drop_failed(path: Path) -> int:
    """Rewrite the output without its failed records (atomically); return how many went.

    Raises:
        BatchFileError: the output cannot be read or rewritten.
    """
    done = load_done(path)
    kept = [r for r in done.values() if r.status != "failed"]
    if len(kept) == len(done):
        return 0
    tmp = path.with_name(path.name + ".tmp")
    try:
        with tmp.open("w", encoding="utf-8") as handle:
            handle.writelines(r.model_dump_json() + "\n" for r in kept)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise BatchFileError(f"cannot rewrite {path}: {exc}") from None
    return len(done) - len(kept)


def _parse_record(raw: bytes) -> BatchRecord | None:
    try:
        return BatchRecord.model_validate_json(raw)
    except ValidationError:
        return None


def _truncate(path: Path, size: int) -> None:
    with path.open("r+b") as handle:
        handle.truncate(size)
        handle.flush()
        os.fsync(handle.fileno())


class RecordWriter:
    """Append records to the output file, each flushed and fsynced before the next."""

    def __init__(self, path: Path) -> None:
        """Remember the path; the file opens on `__enter__`."""
        self._path = path
        self._handle: IO[str] | None = None

    def __enter__(self) -> RecordWriter:
        """Open the output for appending (creating parent folders).

        Raises:
            BatchFileError: the output cannot be opened.
        """
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self._path.open("a", encoding="utf-8")
        except OSError as exc:
            raise BatchFileError(f"cannot write {self._path}: {exc}") from None
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the output."""
        if self._handle is not None:
            self._handle.close()

    def write(self, record: BatchRecord) -> None:
        """Append one record durably."""
        assert self._handle is not None, "RecordWriter used outside a with block"
        self._handle.write(record.model_dump_json() + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())
