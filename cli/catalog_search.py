"""`flowgen catalog search|index`: see what the generator's lookup tools will be shown.

`search` prints ranked hits of one kind for a query; `index` builds (SQLite) or loads
(Weaviate) the search index of a catalog ahead of time.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any

from cli.catalog_arg import load_catalog_arg
from cli.common import CliError, add_catalog_option
from tools.pinning import find_pins, strip_pins
from tools.retriever import Backend, RetrievalError, Retriever, make_retriever

KINDS = ("steps", "tables", "columns", "choices", "triggers")

# Text columns shown per kind, after rank and score.
_COLUMNS: dict[str, tuple[str, ...]] = {
    "steps": ("definition", "category", "scope", "label"),
    "tables": ("name", "label", "parent"),
    "columns": ("table", "column", "label", "type", "reference", "owner"),
    "choices": ("table", "column", "value", "label"),
    "triggers": ("type", "label", "record_based"),
}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the retrieval sub-subcommands `search` and `index` to `flowgen catalog`."""
    search = subparsers.add_parser(
        "search", help="rank catalog items for a query, as the generator sees them",
        description="Rank steps, tables, columns, choice values or triggers for a query.",
    )
    search.add_argument("kind", choices=KINDS, help="what to search")
    search.add_argument("query", help="free text, e.g. 'assign it to the network team'; a "
                        "#table tag in it picks the table for columns and choices")
    search.add_argument("--table", help="table to search within (columns; required for choices)")
    search.add_argument("--column", help="choice column (required for choices), e.g. state")
    search.add_argument("-k", type=int, default=10, help="how many hits (default 10)")
    search.add_argument("--json", action="store_true", help="print JSON instead of text")
    _add_backend_options(search)
    search.set_defaults(handler=run_search)

    index = subparsers.add_parser(
        "index", help="build the search index of a catalog (SQLite) or load it into Weaviate",
        description="Build or refresh the search index of a catalog.",
    )
    _add_backend_options(index)
    index.set_defaults(handler=run_index)


def _add_backend_options(parser: argparse.ArgumentParser) -> None:
    add_catalog_option(parser)
    parser.add_argument("--backend", choices=("sqlite", "weaviate"), default="sqlite",
                        help="retrieval backend (default sqlite; weaviate needs WEAVIATE_URL)")
    parser.add_argument("--index-dir", metavar="DIR", default=None,
                        help="SQLite index folder (default $FLOWGEN_INDEX_DIR or "
                        "~/.cache/flowgen/index)")


def _open(args: argparse.Namespace) -> Retriever:
    catalog = load_catalog_arg(args)
    backend: Backend = args.backend
    options: dict[str, Any] = {}
    if backend == "sqlite" and args.index_dir is not None:
        options["index_dir"] = args.index_dir
    try:
        return make_retriever(catalog, backend, **options)
    except RetrievalError as exc:
        raise CliError(f"{backend} backend: {exc}") from None


def run_search(args: argparse.Namespace) -> int:
    """Print the ranked hits of one kind for the query (exit 0, also when nothing matches)."""
    if args.k < 1:
        raise CliError("-k must be at least 1")
    retriever = _open(args)
    try:
        _apply_pins(args, retriever)
        if args.kind == "choices" and not (args.table and args.column):
            raise CliError("searching choices needs --table (or a #table tag) and --column")
        if args.table and retriever.get_table_schema(args.table) is None:
            raise CliError(f"unknown table {args.table!r}")
        hits = _searcher(args.kind, args)(retriever)
    except RetrievalError as exc:
        raise CliError(f"search failed: {exc}") from None
    finally:
        retriever.close()
    rows = [asdict(h) for h in hits]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        print(format_table(rows, _COLUMNS[args.kind]) if rows else "no matches")
    return 0


def _apply_pins(args: argparse.Namespace, retriever: Retriever) -> None:
    """Let `#table` in a query choose the table, as in a requirement; warn on unknown tags."""
    catalog = getattr(retriever, "catalog", None)
    if catalog is None:
        return
    pins = find_pins(args.query, catalog)
    for tag in pins.unknown:
        print(f"flowgen catalog: warning: #{tag} names no table; ignored", file=sys.stderr)
    if pins.tables and args.table is None and args.kind in ("columns", "choices"):
        args.table = pins.tables[0]
    args.query = strip_pins(args.query, catalog)


def _searcher(kind: str, args: argparse.Namespace) -> Callable[[Retriever], Sequence[Any]]:
    q, k = args.query, args.k
    table: dict[str, Callable[[Retriever], Sequence[Any]]] = {
        "steps": lambda r: r.search_steps(q, k),
        "tables": lambda r: r.search_tables(q, k),
        "columns": lambda r: r.search_columns(q, args.table, k),
        "choices": lambda r: r.search_choices(args.table, args.column, q, k),
        "triggers": lambda r: r.search_triggers(q, k),
    }
    return table[kind]


def format_table(rows: list[dict[str, Any]], columns: Sequence[str]) -> str:
    """Render hits as aligned text: rank, score, then the given columns."""
    header = ["#", "score", *columns]
    body = [
        [str(i), f"{row['score']:.3f}", *("" if row[c] is None else str(row[c]) for c in columns)]
        for i, row in enumerate(rows, 1)
    ]
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip()
             for r in [header, *body]]
    return "\n".join(lines)


def run_index(args: argparse.Namespace) -> int:
    """Build the SQLite index or load the catalog into Weaviate, and say where."""
    catalog = load_catalog_arg(args)
    started = time.perf_counter()
    try:
        if args.backend == "sqlite":
            from tools.sqlite_index import ensure_index

            path, built = ensure_index(catalog, args.index_dir)
            what = f"{'built' if built else 'up to date'}: {path}"
        else:
            from tools.weaviate_index import index_catalog

            count = index_catalog(catalog)
            what = f"loaded {count} objects into Weaviate tenant of instance {catalog.instance!r}"
    except RetrievalError as exc:
        raise CliError(f"{args.backend} backend: {exc}") from None
    print(f"{what} ({time.perf_counter() - started:.2f} s)")
    return 0
