"""`flowgen validate FILE…`: check flow files against the instance catalog.

Each FILE is one flow as JSON, or one flow per line when it ends in `.jsonl`/`.ndjson` (or with
`--jsonl`); `-` reads standard input. Exit status: 0 no errors (warnings allowed), 1 some flow
has errors (text that is not JSON, an empty file, a wrong shape, …), 2 an input cannot be read
at all (missing file, directory, permission) or the catalog cannot be loaded.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from cli.catalog_arg import load_catalog_arg
from cli.common import CliError, add_catalog_option
from schemas.issues import Issue
from validator import validate

JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})


@dataclass(frozen=True)
class Document:
    """One flow to validate: where it came from and its raw bytes."""

    source: str
    line: int | None
    data: bytes

    @property
    def label(self) -> str:
        """Return 'file' or 'file:line' for messages."""
        return self.source if self.line is None else f"{self.source}:{self.line}"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `validate` subcommand."""
    parser = subparsers.add_parser(
        "validate",
        help="validate flow JSON files against the catalog",
        description="Check flows against the instance catalog. Exit 0: no errors (warnings "
        "allowed); 1: some flow has errors; 2: an input or the catalog cannot be read.",
    )
    parser.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="flow JSON, JSONL (one flow per line), or - for stdin",
    )
    parser.add_argument("--json", action="store_true", dest="as_json", help="print a JSON list")
    parser.add_argument("--jsonl", action="store_true", help="read every FILE as JSONL")
    add_catalog_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Validate every flow of every FILE; return 0, 1 (errors found) or 2 (unusable input)."""
    catalog = load_catalog_arg(args)
    documents = [doc for name in args.files for doc in _documents(name, args.jsonl)]
    results = [(doc, validate(doc.data, catalog)) for doc in documents]
    if args.as_json:
        print(json.dumps([_as_dict(doc, issues) for doc, issues in results], indent=2))
    else:
        for doc, issues in results:
            _print_text(doc, issues)
        print(_summary(results))
    return 1 if any(i.is_error for _, issues in results for i in issues) else 0


def _documents(name: str, force_jsonl: bool) -> list[Document]:
    """Read one FILE argument into the flows it holds."""
    data = _read(name)
    if not (force_jsonl or Path(name).suffix.lower() in JSONL_SUFFIXES):
        return [Document(name, None, data)]
    return [
        Document(name, number, line)
        for number, line in enumerate(data.split(b"\n"), start=1)
        if line.strip()
    ]


def _read(name: str) -> bytes:
    """Return the bytes of a file or of stdin ('-').

    Raises:
        CliError: the input cannot be read (exit code 2).
    """
    if name == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(name).read_bytes()
    except IsADirectoryError:
        raise CliError(f"{name} is a directory, not a flow file") from None
    except OSError as exc:
        raise CliError(f"cannot read {name}: {exc.strerror or exc}") from None


def _print_text(doc: Document, issues: list[Issue]) -> None:
    """Print one flow's verdict and its issues, one per line."""
    errors = sum(i.is_error for i in issues)
    warnings = len(issues) - errors
    verdict = "ok" if not issues else f"{_count(errors, 'error')}, {_count(warnings, 'warning')}"
    print(f"{doc.label}: {verdict}")
    for found in issues:
        print(f"  {format_issue(found)}")


def format_issue(found: Issue) -> str:
    """Return `ERROR [code] step 3 (/components/2/…): message — hint`."""
    where = f"step {found.order}" if found.order is not None else _area(found.path)
    location = f" ({found.path})" if found.path else ""
    return (
        f"{found.severity.upper()} [{found.code}] {where}{location}: {found.message} — {found.hint}"
    )


def _area(path: str) -> str:
    """Name the part of the flow an issue without a step is about."""
    return "trigger" if path.startswith("/trigger") else "flow"


def _summary(results: list[tuple[Document, list[Issue]]]) -> str:
    """Return the closing line: flows checked, flows with errors, totals."""
    flows = len(results)
    bad = sum(any(i.is_error for i in issues) for _, issues in results)
    errors = sum(i.is_error for _, issues in results for i in issues)
    warnings = sum(not i.is_error for _, issues in results for i in issues)
    return (
        f"{_count(flows, 'flow')} checked: {bad} with errors; "
        f"{_count(errors, 'error')}, {_count(warnings, 'warning')}"
    )


def _count(n: int, noun: str) -> str:
    """Return '1 noun' or 'n nouns'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _as_dict(doc: Document, issues: list[Issue]) -> dict[str, object]:
    """Return one flow's result for --json."""
    return {
        "source": doc.source,
        "line": doc.line,
        "valid": not any(i.is_error for i in issues),
        "issues": [i.model_dump() for i in issues],
    }
