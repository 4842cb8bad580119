"""`flowgen catalog search|index` (retrieval work registers its sub-subcommands here)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the retrieval sub-subcommands to `flowgen catalog`."""
