"""`flowgen catalog`: list and show the tables, actions, triggers and flow logic of a catalog.

Every sub-subcommand takes `--catalog PATH` (default: the demo instance) and `--json`. An
unknown name prints one line with close matches and exits 2. The retrieval sub-subcommands
(`search`, `index`) are registered by `cli.catalog_search` on the same parser.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from catalog import check_catalog
from catalog.views import (
    UnknownEntryError,
    action_view,
    logic_view,
    lookup_action,
    lookup_logic,
    lookup_table,
    lookup_trigger,
    table_summary,
    table_view,
    trigger_view,
)
from cli import catalog_search
from cli.catalog_arg import load_catalog_arg
from cli.common import CliError, add_catalog_option
from schemas.catalog import Catalog

Handler = Callable[[argparse.Namespace], int]
_T = TypeVar("_T")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `flowgen catalog` and its sub-subcommands."""
    parser = subparsers.add_parser(
        "catalog",
        help="list, show, search and index the instance catalog",
        description="List and show what an instance catalog offers (default: the demo instance).",
    )
    parser.set_defaults(handler=lambda _args: _usage(parser))
    subsub = parser.add_subparsers(dest="catalog_command", metavar="SUBCOMMAND")
    _add(subsub, "tables", "list the tables", _tables)
    _add(subsub, "table", "show a table's columns, inherited ones included", _table, "NAME")
    actions = _add(subsub, "actions", "list actions and subflows", _actions)
    actions.add_argument("--scope", help="only actions of this application scope")
    action = _add(subsub, "action", "show an action's inputs and outputs", _action, "NAME")
    action.add_argument("--scope", help="application scope (default: global, or the only one)")
    _add(subsub, "triggers", "list trigger types", _triggers)
    _add(subsub, "trigger", "show a trigger type's inputs and pills", _trigger, "TYPE")
    logic = _add(subsub, "logic", "list flow-logic blocks, or show one", _logic)
    logic.add_argument("name", metavar="TOKEN", nargs="?", help="flow-logic token, e.g. FOREACH")
    _add(subsub, "check", "load a catalog and report dangling references (exit 1 if any)", _check)
    catalog_search.register(subsub)


def _add(
    subsub: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    help_: str,
    handler: Handler,
    positional: str | None = None,
) -> argparse.ArgumentParser:
    """Add one sub-subcommand with the shared options and its handler."""
    parser: argparse.ArgumentParser = subsub.add_parser(name, help=help_, description=help_)
    if positional:
        parser.add_argument("name", metavar=positional)
    add_catalog_option(parser)
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.set_defaults(handler=handler)
    return parser


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _lookup(fn: Callable[[], _T]) -> _T:
    """Run a catalog lookup, turning an unknown name into a CLI error (exit 2)."""
    try:
        return fn()
    except UnknownEntryError as exc:
        raise CliError(str(exc)) from None


def _emit(args: argparse.Namespace, data: object, text: Callable[[], list[str]]) -> int:
    """Print `data` as JSON with --json, else the text lines."""
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print("\n".join(text()))
    return 0


def _tables(args: argparse.Namespace) -> int:
    catalog = load_catalog_arg(args)
    rows = [table_summary(catalog, t) for t in sorted(catalog.tables, key=lambda t: t.name)]
    cells = [[r["name"], r["label"], r["parent"] or "", str(r["columns"])] for r in rows]
    return _emit(args, rows, lambda: grid(["NAME", "LABEL", "EXTENDS", "COLUMNS"], cells))


def _table(args: argparse.Namespace) -> int:
    catalog = load_catalog_arg(args)
    view = table_view(catalog, _lookup(lambda: lookup_table(catalog, args.name)))
    return _emit(args, view, lambda: table_text(view))


def _actions(args: argparse.Namespace) -> int:
    catalog = load_catalog_arg(args)
    chosen = [a for a in catalog.actions if args.scope is None or a.scope == args.scope]
    if not chosen and args.scope is not None:
        scopes = sorted({a.scope for a in catalog.actions})
        raise CliError(f"no actions in scope {args.scope!r}; scopes: {', '.join(scopes)}")
    chosen.sort(key=lambda a: (a.scope != "global", a.scope, a.name))
    rows = [action_view(a) | {"inputs": len(a.inputs), "outputs": len(a.outputs)} for a in chosen]
    cells = [[a.scope, a.name, a.category, a.label, a.description] for a in chosen]
    header = ["SCOPE", "NAME", "CATEGORY", "LABEL", "DESCRIPTION"]
    return _emit(args, rows, lambda: grid(header, cells))


def _action(args: argparse.Namespace) -> int:
    catalog = load_catalog_arg(args)
    view = action_view(_lookup(lambda: lookup_action(catalog, args.name, args.scope)))
    title = f"{view['scope']}/{view['name']} ({view['category']}): {view['label']}"
    return _emit(args, view, lambda: definition_text(title, view))


def _triggers(args: argparse.Namespace) -> int:
    catalog = load_catalog_arg(args)
    rows = [trigger_view(t) for t in catalog.triggers]
    cells = [
        [t.type, t.label, "yes" if t.record_based else "", t.description] for t in catalog.triggers
    ]
    return _emit(args, rows, lambda: grid(["TYPE", "LABEL", "RECORD", "DESCRIPTION"], cells))


def _trigger(args: argparse.Namespace) -> int:
    catalog = load_catalog_arg(args)
    view = trigger_view(_lookup(lambda: lookup_trigger(catalog, args.name)))
    title = f"trigger {view['type']}: {view['label']}"
    return _emit(args, view, lambda: definition_text(title, view))


def _logic(args: argparse.Namespace) -> int:
    catalog = load_catalog_arg(args)
    if args.name is not None:
        view = logic_view(_lookup(lambda: lookup_logic(catalog, args.name)))
        body = "has a body" if view["has_body"] else "no body"
        return _emit(args, view, lambda: definition_text(f"{view['token']} ({body})", view))
    return _emit(args, [logic_view(f) for f in catalog.flow_logic], lambda: logic_list(catalog))


def _check(args: argparse.Namespace) -> int:
    catalog = load_catalog_arg(args)
    warnings = check_catalog(catalog)
    summary = {
        "instance": catalog.instance,
        "tables": len(catalog.tables),
        "actions": len(catalog.actions),
        "triggers": len(catalog.triggers),
        "flow_logic": len(catalog.flow_logic),
        "warnings": warnings,
    }
    counts = ", ".join(f"{summary[k]} {k.replace('_', '-')}" for k in list(summary)[1:5])
    head = f"{catalog.instance}: {counts}; {len(warnings)} warning(s)"
    _emit(args, summary, lambda: [head, *(f"warning: {w}" for w in warnings)])
    return 1 if warnings else 0


def logic_list(catalog: Catalog) -> list[str]:
    """Render the flow-logic blocks as a grid."""
    cells = [
        [
            f.token,
            f.label,
            "yes" if f.has_body else "no",
            "free names" if f.variadic_inputs else ", ".join(p.name for p in f.inputs),
        ]
        for f in catalog.flow_logic
    ]
    return grid(["TOKEN", "LABEL", "BODY", "INPUTS"], cells)


def table_text(view: dict[str, Any]) -> list[str]:
    """Render a table view: heading, lineage and one row per column with its choices."""
    lines = [f"{view['name']}: {view['label']}"]
    if view["parent"]:
        lines.append(f"extends: {' -> '.join(view['lineage'][1:])}")
    if view["children"]:
        lines.append(f"extended by: {', '.join(view['children'])}")
    if view["description"]:
        lines.append(view["description"])
    cells = [
        [
            c["name"],
            c["label"],
            c["type"] + (f" -> {c['reference']}" if c.get("reference") else ""),
            "yes" if c.get("mandatory") else "",
            c.get("inherited_from", ""),
            _choices(c.get("choices", ())),
        ]
        for c in view["columns"]
    ]
    header = ["COLUMN", "LABEL", "TYPE", "MANDATORY", "INHERITED FROM", "CHOICES"]
    return [*lines, "", *grid(header, cells)]


def definition_text(title: str, view: dict[str, Any]) -> list[str]:
    """Render an action, trigger or flow-logic view: title, description, inputs, outputs."""
    lines = [title]
    if view.get("description"):
        lines.append(view["description"])
    if view.get("variadic_inputs"):
        lines.append("inputs: free names, one per variable or output")
    for part in ("inputs", "outputs"):
        params = view[part]
        lines.append(f"\n{part}:" if params else f"\n{part}: none")
        if params:
            rows = grid(_PARAM_HEADER, [_param_cells(p) for p in params])
            lines.extend("  " + row for row in rows)
    return lines


_PARAM_HEADER = ["NAME", "TYPE", "MANDATORY", "DEFAULT", "CHOICES", "DESCRIPTION"]


def _param_cells(param: dict[str, Any]) -> list[str]:
    type_ = param["type"]
    if param.get("reference"):
        type_ += f" ({param['reference']})"
    elif param.get("table_from"):
        type_ += f" (table from {param['table_from']})"
    return [
        param["name"],
        type_,
        "yes" if param.get("mandatory") else "",
        param.get("default") or "",
        _choices(param.get("choices", ())),
        param.get("description", ""),
    ]


def _choices(choices: Sequence[dict[str, str]]) -> str:
    return ", ".join(f"{c['value']}={c['label']}" for c in choices)


def grid(header: list[str], rows: list[list[str]]) -> list[str]:
    """Render rows as left-aligned columns under a header (the last column is not padded)."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
    return [
        "  ".join([*(cell.ljust(w) for cell, w in zip(r, widths, strict=False)), r[-1]]).rstrip()
        for r in [header, *rows]
    ]
