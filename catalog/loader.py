"""Load an instance catalog from a file or folder, or the built-in demo instance.

Files of a folder are merged: a table, action (scope + name), trigger type or flow-logic token
may be defined once across all files, so a customer can split a large catalog by area without
one file silently overriding another. After merging, every root table receives the platform's
system columns (`catalog.system`), and table inheritance is checked (a parent must exist and
the chain must not loop). Dangling references are not errors: `check_catalog` reports them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from functools import cache
from pathlib import Path
from typing import TypeVar

from catalog.files import CatalogError, CatalogFile, catalog_files, read_catalog_file
from catalog.system import with_system_columns
from schemas.catalog import Catalog, Table

DEMO_DIR = Path(__file__).resolve().parent / "demo"
"""Folder of the built-in demo instance."""

_T = TypeVar("_T")


def load_catalog(path: str | Path | None) -> Catalog:
    """Load the catalog at `path` (file or folder); None loads the built-in demo instance.

    Raises:
        CatalogError: with a one-line message naming the file and the problem.
    """
    if path is None:
        return demo_catalog()
    return _load(Path(path))


@cache
def demo_catalog() -> Catalog:
    """Return the built-in demo instance (loaded once per process)."""
    return _load(DEMO_DIR)


def _load(path: Path) -> Catalog:
    parts = [(f, read_catalog_file(f)) for f in catalog_files(path)]
    tables = _merge(parts, lambda p: p.tables, lambda t: t.name, "table")
    _check_inheritance(tables)
    return Catalog(
        instance=_instance_name(parts, path),
        tables=tuple(with_system_columns(tables)),
        actions=tuple(_merge(parts, lambda p: p.actions, lambda a: a.key, "action")),
        triggers=tuple(_merge(parts, lambda p: p.triggers, lambda t: t.type, "trigger")),
        flow_logic=tuple(
            _merge(parts, lambda p: p.flow_logic, lambda f: f.token, "flow-logic token")
        ),
    )


def _merge(
    parts: Iterable[tuple[Path, CatalogFile]],
    items: Callable[[CatalogFile], Iterable[_T]],
    key: Callable[[_T], Hashable],
    kind: str,
) -> list[_T]:
    """Concatenate one kind of entry across files, rejecting a key defined twice."""
    seen: dict[Hashable, Path] = {}
    out: list[_T] = []
    for path, part in parts:
        for item in items(part):
            k = key(item)
            if k in seen:
                shown = "/".join(k) if isinstance(k, tuple) else str(k)
                raise CatalogError(
                    f"duplicate {kind} {shown!r}: defined in {seen[k]} and again in {path}"
                )
            seen[k] = path
            out.append(item)
    return out


def _check_inheritance(tables: list[Table]) -> None:
    """Reject a parent that does not exist, a duplicate column, or an inheritance loop."""
    by_name = {t.name: t for t in tables}
    for table in tables:
        names = [c.name for c in table.columns]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise CatalogError(f"table {table.name!r} defines column {dupes[0]!r} twice")
        if table.parent is not None and table.parent not in by_name:
            raise CatalogError(
                f"table {table.name!r} extends {table.parent!r}, which is not in the catalog"
            )
    for table in tables:
        chain = [table.name]
        parent = table.parent
        while parent is not None:
            if parent in chain:
                raise CatalogError(f"table inheritance loops: {' -> '.join([*chain, parent])}")
            chain.append(parent)
            parent = by_name[parent].parent


def _instance_name(parts: list[tuple[Path, CatalogFile]], path: Path) -> str:
    """Return the one instance name the files agree on (default: the path's stem)."""
    named = [(f, p.instance) for f, p in parts if p.instance]
    for f, name in named[1:]:
        if name != named[0][1]:
            raise CatalogError(
                f"conflicting instance names: {named[0][1]!r} in {named[0][0]} and {name!r} in {f}"
            )
    return named[0][1] if named and named[0][1] else path.stem
