"""`flowgen batch INPUT -o OUTPUT`: generate a flow for every requirement of a file, resumably.

INPUT is JSONL (``{"id": ..., "requirement": ...}`` per line) or CSV (``id``, ``requirement``
columns). OUTPUT gets one JSON record per input line (the id plus the generator's result);
rerunning with the same OUTPUT skips the ids already there. Exit status: 0 every flow valid
(placeholders allowed), 1 some item failed or stayed invalid, 2 unusable input, 130 Ctrl-C
(rerun to resume).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from agent.batch import BatchInterrupted, BatchSummary, run_batch
from agent.batch_io import BatchFileError
from agent.errors import GeneratorError
from catalog import CatalogError
from cli.common import CliError
from cli.model_options import add_generator_options, settings_from_args


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `batch` subcommand."""
    parser = subparsers.add_parser(
        "batch",
        help="run many requirements through the generator",
        description=__doc__.splitlines()[0],
    )
    parser.add_argument("input", metavar="INPUT", help="requirements as .jsonl or .csv")
    parser.add_argument(
        "-o", "--output", required=True, metavar="OUTPUT", help="results JSONL (appended)"
    )
    parser.add_argument(
        "--concurrency", type=int, default=4, metavar="N", help="items at once (default 4)"
    )
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.add_argument(
        "--retry-failed", action="store_true", help="run the output's failed items again"
    )
    add_generator_options(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run the batch and print its summary; see the module docstring for exit codes."""
    if args.concurrency < 1:
        raise CliError("--concurrency must be at least 1")
    source = Path(args.input)
    if not source.is_file():
        raise CliError(f"no such input file: {source}")
    settings = settings_from_args(args)
    try:
        summary = run_batch(
            source,
            Path(args.output),
            settings=settings,
            concurrency=args.concurrency,
            progress=not args.no_progress,
            retry_failed=args.retry_failed,
        )
    except BatchInterrupted as stop:
        print(stop.summary.render())
        raise
    except (BatchFileError, CatalogError, GeneratorError) as exc:
        raise CliError(str(exc)) from None
    print(summary.render())
    return _exit_code(summary)


def _exit_code(summary: BatchSummary) -> int:
    bad = summary.statuses.get("failed", 0) + summary.statuses.get("invalid_after_repairs", 0)
    return 1 if bad else 0
