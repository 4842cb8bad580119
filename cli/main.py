"""The `flowgen` command: one module per subcommand, each exposing `register(subparsers)`.

Subcommand modules are imported lazily by name so that `flowgen validate` never pays for
importing torch or LangGraph.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from cli.common import CliError

# (subcommand, module, one-line help). Order is the order shown in `flowgen --help`.
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("generate", "cli.generate", "generate a flow from a requirement"),
    ("validate", "cli.validate", "validate flow JSON files against the catalog"),
    ("score", "cli.score", "score predicted flows against references (FlowSim and companions)"),
    ("catalog", "cli.catalog", "list, show, search and index the instance catalog"),
    ("chat", "cli.chat", "build one flow over several turns"),
    ("batch", "cli.batch", "run many requirements through the generator"),
    ("train", "cli.train", "build the corpus, export SFT data, train models"),
    ("eval", "cli.eval", "run and compare evaluation configurations"),
)


def build_parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    """Build the parser, importing only the module of the subcommand being run."""
    parser = argparse.ArgumentParser(
        prog="flowgen",
        description="Turn natural-language requirements into ServiceNow-style flows.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    wanted = next((a for a in argv if not a.startswith("-")), None)
    for name, module, help_ in COMMANDS:
        if wanted == name:
            importlib.import_module(module).register(sub)
        else:
            sub.add_parser(name, help=help_)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return the process exit code (0 ok, 1 findings, 2 unusable input)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(args_list)
    args = parser.parse_args(args_list)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args))
    except CliError as exc:
        print(f"flowgen {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"flowgen {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away: stop quietly, as Unix tools do. Point stdout at
        # devnull so the interpreter's final flush does not raise a second time.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    raise SystemExit(main())
