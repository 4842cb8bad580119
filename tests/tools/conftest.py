"""Shared fixtures: a small fixed catalog and retrievers over it, one per backend."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from schemas.catalog import Catalog
from tests.tools.catalogs import small_catalog
from tools.retriever import Retriever, make_retriever


@pytest.fixture
def catalog() -> Catalog:
    """The small fixed catalog."""
    return small_catalog()


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One index folder for the session (indexes are keyed by content hash, so shareable)."""
    return tmp_path_factory.mktemp("index")


BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("weaviate", id="weaviate", marks=pytest.mark.weaviate),
]


@pytest.fixture(params=BACKENDS)
def retriever(request: pytest.FixtureRequest, catalog: Catalog,
              index_dir: Path) -> Iterator[Retriever]:
    """A retriever over the small catalog, for each backend available here."""
    if request.param == "weaviate":
        if not os.environ.get("WEAVIATE_URL"):
            pytest.skip("WEAVIATE_URL not set")
        r = make_retriever(catalog, "weaviate", prefix="FlowgenTest")
    else:
        r = make_retriever(catalog, "sqlite", index_dir=index_dir)
    yield r
    r.close()
