"""The retriever contract: one protocol, typed scored hits, and the backend factory.

Every backend answers the same six questions over one instance catalog. Hits are frozen
dataclasses sorted by `score`, highest first; scores are comparable within one result list
only (SQLite reports negated BM25, Weaviate its own BM25/hybrid score).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

from schemas.catalog import Catalog

StepCategory = Literal["action", "subflow", "flowlogic"]
"""Component categories a step search can return (flow-format §1)."""

Backend = Literal["sqlite", "weaviate"]

MAX_K = 100
"""Largest `k` any search honours; bigger requests are clamped (model output is untrusted)."""


class RetrievalError(Exception):
    """A backend failed (index unreadable, server unreachable, bad backend options)."""


@dataclass(frozen=True, slots=True)
class StepHit:
    """An action, subflow or flow-logic block that can become a flow component."""

    category: StepCategory
    definition: str
    scope: str
    label: str
    description: str
    score: float


@dataclass(frozen=True, slots=True)
class TableHit:
    """A table of the instance."""

    name: str
    label: str
    parent: str | None
    description: str
    score: float


@dataclass(frozen=True, slots=True)
class ColumnHit:
    """A column; `table` is the table searched (or the owner), `owner` the defining table."""

    table: str
    column: str
    label: str
    type: str
    reference: str | None
    owner: str
    score: float


@dataclass(frozen=True, slots=True)
class ChoiceHit:
    """A stored choice value of a column."""

    table: str
    column: str
    value: str
    label: str
    score: float


@dataclass(frozen=True, slots=True)
class TriggerHit:
    """A trigger type."""

    type: str
    label: str
    description: str
    record_based: bool
    score: float


@dataclass(frozen=True, slots=True)
class ChoiceValue:
    """One choice of a column in a table schema."""

    value: str
    label: str


@dataclass(frozen=True, slots=True)
class SchemaColumn:
    """A column of a table schema; `owner` is the table that defines it (maybe an ancestor)."""

    name: str
    label: str
    type: str
    reference: str | None
    mandatory: bool
    owner: str
    choices: tuple[ChoiceValue, ...]


@dataclass(frozen=True, slots=True)
class TableSchema:
    """A table with every column it has, inherited ones included (own columns first)."""

    name: str
    label: str
    parent: str | None
    lineage: tuple[str, ...]
    columns: tuple[SchemaColumn, ...]


@runtime_checkable
class Retriever(Protocol):
    """Search one instance catalog. Searches never raise on any query text.

    An empty or all-stopword query returns an empty list, as does an unknown table or column.
    `k` is clamped to `0..MAX_K`. Backend failures raise `RetrievalError`.
    """

    def search_steps(
        self, query: str, k: int = 10, kinds: frozenset[StepCategory] | None = None
    ) -> list[StepHit]:
        """Return actions, subflows and flow-logic blocks matching the query."""
        ...

    def search_tables(self, query: str, k: int = 10) -> list[TableHit]:
        """Return tables matching the query."""
        ...

    def search_columns(self, query: str, table: str | None = None, k: int = 10) -> list[ColumnHit]:
        """Return columns matching the query, within `table` (inherited included) if given."""
        ...

    def get_table_schema(self, table: str) -> TableSchema | None:
        """Return the table's full schema, or None for an unknown table."""
        ...

    def search_choices(self, table: str, column: str, query: str, k: int = 10) -> list[ChoiceHit]:
        """Return choice values of `table.column` (inherited column honoured) matching the query."""
        ...

    def search_triggers(self, query: str, k: int = 5) -> list[TriggerHit]:
        """Return trigger types matching the query."""
        ...

    def close(self) -> None:
        """Release connections; the retriever must not be used afterwards."""
        ...


def clamp_k(k: int) -> int:
    """Bound a requested result count to `0..MAX_K`."""
    return max(0, min(int(k), MAX_K))


def make_retriever(catalog: Catalog, backend: Backend = "sqlite", **options: Any) -> Retriever:
    """Build a retriever over `catalog` with the chosen backend (imported lazily).

    Args:
        catalog: the instance catalog to search.
        backend: ``sqlite`` (embedded FTS5, the default) or ``weaviate`` (needs a server).
        **options: backend options, e.g. ``index_dir`` / ``synonyms`` for SQLite and
            ``url``, ``api_key``, ``grpc_port``, ``embed``, ``alpha`` for Weaviate.

    Raises:
        RetrievalError: unknown backend, bad options, or the backend cannot start.
    """
    if backend == "sqlite":
        from tools.sqlite_fts import SqliteRetriever

        return _construct(SqliteRetriever, catalog, options)
    if backend == "weaviate":
        from tools.weaviate_backend import WeaviateRetriever

        return _construct(WeaviateRetriever, catalog, options)
    raise RetrievalError(f"unknown retrieval backend {backend!r} (choose sqlite or weaviate)")


def _construct(cls: type[Any], catalog: Catalog, options: dict[str, Any]) -> Retriever:
    try:
        inspect.signature(cls).bind(catalog, **options)
    except TypeError as exc:
        # An unknown keyword is a caller mistake worth one clear line, not a traceback.
        raise RetrievalError(f"bad options for {cls.__name__}: {exc}") from None
    retriever: Retriever = cls(catalog, **options)
    return retriever
