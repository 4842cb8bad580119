"""The instance catalog: load a customer's catalog or the built-in demo instance."""

from catalog.checks import check_catalog
from catalog.files import CatalogError
from catalog.loader import DEMO_DIR, demo_catalog, load_catalog

__all__ = ["DEMO_DIR", "CatalogError", "check_catalog", "demo_catalog", "load_catalog"]
