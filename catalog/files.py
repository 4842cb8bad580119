"""Read catalog files (JSON or YAML) into validated, still unmerged `CatalogFile` parts.

A catalog on disk is one file or a folder of files; each file may hold any of the top-level keys
`instance`, `tables`, `actions`, `triggers` and `flow_logic`. This module turns one file into a
typed part or a `CatalogError` whose one-line message names the file and what is wrong with it.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from schemas.catalog import Action, FlowLogicDef, Table, TriggerDef

CATALOG_SUFFIXES: frozenset[str] = frozenset({".json", ".yaml", ".yml"})
"""File suffixes read as catalog files (case-insensitive)."""

MAX_SHOWN_ERRORS = 3
"""How many pydantic errors a message lists before summarising the rest as a count."""


class CatalogError(Exception):
    """A catalog that cannot be loaded; the message is one line that names the file."""


class CatalogFile(BaseModel):
    """The content of one catalog file: any subset of the catalog's top-level keys."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    instance: str | None = None
    tables: tuple[Table, ...] = ()
    actions: tuple[Action, ...] = ()
    triggers: tuple[TriggerDef, ...] = ()
    flow_logic: tuple[FlowLogicDef, ...] = ()


def catalog_files(path: Path) -> list[Path]:
    """Return the catalog files at `path`: the file itself, or every catalog file under a folder.

    Raises:
        CatalogError: the path does not exist, or a folder holds no catalog file.
    """
    if not path.exists():
        raise CatalogError(f"{path}: no such file or folder")
    if path.is_file():
        return [path]
    found = sorted(
        p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in CATALOG_SUFFIXES
    )
    if not found:
        raise CatalogError(f"{path}: folder holds no .json, .yaml or .yml catalog file")
    return found


def read_catalog_file(path: Path) -> CatalogFile:
    """Parse and validate one catalog file.

    Raises:
        CatalogError: unreadable file, invalid JSON/YAML, wrong top-level type or a value that
            violates the catalog model.
    """
    raw = _parse(path, _read_text(path))
    if not isinstance(raw, dict):
        kind = "empty" if raw is None else type(raw).__name__
        raise CatalogError(
            f"{path}: top level must be an object with instance/tables/actions/triggers/"
            f"flow_logic, got {kind}"
        )
    try:
        return CatalogFile.model_validate(raw)
    except ValidationError as exc:
        raise CatalogError(f"{path}: {format_validation_error(exc)}") from None


def format_validation_error(exc: ValidationError) -> str:
    """Summarise a pydantic error as `loc: message; …` for the first few violations."""
    errors = exc.errors()
    parts = [
        f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}"
        for err in errors[:MAX_SHOWN_ERRORS]
    ]
    more = len(errors) - MAX_SHOWN_ERRORS
    suffix = f" (+{more} more)" if more > 0 else ""
    return "; ".join(parts) + suffix


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CatalogError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read ({exc.strerror or exc})") from None


def _parse(path: Path, text: str) -> object:
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise CatalogError(
                f"{path}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
            ) from None
        except RecursionError:
            raise CatalogError(f"{path}: JSON nested too deeply") from None
    try:
        return yaml.safe_load(text)
    except RecursionError:
        raise CatalogError(f"{path}: YAML nested too deeply") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise CatalogError(f"{path}: invalid YAML{where}: {problem}") from None
