"""`flowgen generate`: turn one requirement into a flow and show it as an annotated tree.

Exit codes: 0 valid or valid with placeholders, 1 still invalid after the repair budget,
2 unusable input (no requirement, bad flag, unknown model spec or missing model directory,
unreadable catalog),
3 the run failed (a model could not be reached or used).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from cli.catalog_arg import load_catalog_arg
from cli.common import CliError
from cli.model_options import add_generator_options, settings_from_args
from schemas.result import GenerationResult

EXIT_CODES: dict[str, int] = {
    "valid": 0,
    "valid_with_placeholders": 0,
    "invalid_after_repairs": 1,
    "failed": 3,
}


def register(subparsers: Any) -> None:
    """Add the `generate` subcommand."""
    p = subparsers.add_parser("generate", help="generate a flow from a requirement",
                              description=__doc__)
    p.add_argument("requirement", nargs="?", help="the requirement, in quotes")
    p.add_argument("-f", "--file", metavar="FILE",
                   help="read the requirement from FILE ('-': stdin)")
    p.add_argument("--json", action="store_true", help="print the raw GenerationResult as JSON")
    p.add_argument("-o", "--output", metavar="FILE", help="write the flow JSON to FILE")
    add_generator_options(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Generate, print and optionally save the flow; return the exit code of its status."""
    from agent.api import generate

    requirement = read_requirement(args)
    settings = settings_from_args(args)
    catalog = load_catalog_arg(args)
    result = generate(requirement, settings=settings, catalog=catalog)
    if args.output:
        if result.flow is None:
            raise CliError(f"no flow to write ({result.status}: {result.reason or 'no outline'})",
                           exit_code=EXIT_CODES[result.status] or 1)
        write_atomically(Path(args.output), json.dumps(result.flow, indent=2) + "\n")
    if args.json:
        print(result.model_dump_json(indent=2))
    else:
        print(render_result(result))
    return EXIT_CODES[result.status]


def read_requirement(args: argparse.Namespace) -> str:
    """Return the requirement from the argument or the file, stripped.

    Raises:
        CliError: none or both given, the file is unreadable, or the text is empty.
    """
    if (args.requirement is None) == (args.file is None):
        raise CliError("give the requirement either as an argument or with -f FILE")
    if args.file is not None:
        try:
            text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CliError(f"cannot read {args.file!r}: {exc}") from None
    else:
        text = args.requirement
    if not text.strip():
        raise CliError("the requirement is empty")
    return str(text).strip()


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file, so readers never see half a file.

    Raises:
        CliError: the file cannot be written.
    """
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent or Path("."), prefix=f".{path.name}.")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        raise CliError(f"cannot write {str(path)!r}: {exc}") from None


def render_result(result: GenerationResult) -> str:
    """Return the flow as an indented tree followed by status, issues, repairs and timings."""
    lines = render_flow(result.flow) if result.flow is not None else ["(no flow)"]
    lines.append("")
    lines.append(f"status: {result.status}" + (f" ({result.reason})" if result.reason else ""))
    lines.append(f"repairs used: {result.repairs_used}")
    lines.extend(f"  last-resort fix: {fix}" for fix in result.fixes)
    for issue in result.issues:
        # The path tells apart issues that share a message (the same pill in two inputs).
        where = f" step {issue.order}" if issue.order is not None else ""
        lines.append(f"  {issue.severity} [{issue.code}]{where} ({issue.path}): {issue.message}")
    timings = ", ".join(f"{k} {v:.2f}s" for k, v in result.timings.items())
    lines.append(f"timings: {timings}")
    if result.tokens:
        used = ", ".join(
            f"{k} {t.input_tokens}+{t.output_tokens}" for k, t in result.tokens.items()
        )
        lines.append(f"tokens (in+out): {used}")
    return "\n".join(lines)


def render_flow(flow: dict[str, Any]) -> list[str]:
    """Return a flow as tree lines: trigger first, steps indented by block, inputs below."""
    lines = [f"flow: {flow.get('name', '')}"]
    trigger = flow.get("trigger")
    if trigger:
        lines.append(f"trigger {trigger.get('type')}{_note(trigger)}")
        lines.extend(_inputs(trigger, "    "))
    depth: dict[int, int] = {}
    for comp in flow.get("components", []):
        block = comp.get("block")
        level = depth.get(block, 0) + 1 if block else 0
        depth[comp.get("order", 0)] = level
        indent = "  " * level
        label = comp["definition"] if comp.get("category") == "flowlogic" else (
            f"{comp.get('category')} {comp.get('definition')}"
            + ("" if comp.get("scope", "global") == "global" else f" [{comp.get('scope')}]"))
        lines.append(f"{indent}{comp.get('order')}. {label}{_note(comp)}")
        lines.extend(_inputs(comp, indent + "     "))
    return lines


def _note(item: dict[str, Any]) -> str:
    return f'  — "{item["annotation"]}"' if item.get("annotation") else ""


def _inputs(item: dict[str, Any], indent: str) -> list[str]:
    return [f"{indent}{i['name']} = {i['value']}" for i in item.get("inputs", [])]
