"""Turn the shared `--catalog PATH` option into a loaded catalog, with CLI-style errors."""

from __future__ import annotations

import argparse

from catalog import CatalogError, load_catalog
from cli.common import CliError
from schemas.catalog import Catalog


def load_catalog_arg(args: argparse.Namespace) -> Catalog:
    """Load the catalog named by `args.catalog` (absent or None: the demo instance).

    Raises:
        CliError: the catalog cannot be loaded (exit code 2, one-line message).
    """
    try:
        return load_catalog(getattr(args, "catalog", None))
    except CatalogError as exc:
        raise CliError(f"cannot load catalog: {exc}", exit_code=2) from None
