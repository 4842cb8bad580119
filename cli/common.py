"""Helpers shared by subcommands: typed CLI errors and catalog/file loading with clear messages."""

from __future__ import annotations

import argparse


class CliError(Exception):
    """A user-facing error: printed as one line, exits with `exit_code` (2 = unusable input)."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def add_catalog_option(parser: argparse.ArgumentParser) -> None:
    """Add the shared `--catalog PATH` option (default: the built-in demo instance)."""
    parser.add_argument(
        "--catalog",
        metavar="PATH",
        default=None,
        help="instance catalog file or folder (default: the built-in demo instance)",
    )
