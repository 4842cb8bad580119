"""Weaviate retriever (weaviate-client v4): BM25, or hybrid with self-provided vectors.

The catalog lives in one multi-tenant collection per kind, one tenant per customer instance
(`tools.weaviate_index`). On start the retriever checks the tenant's recorded content hash and
re-imports a stale tenant (or raises, with `auto_index=False`). Queries are BM25 over the same
weighted fields as SQLite; with an `embed` function they are hybrid (BM25 + vector, `alpha`).
Hits go through the same label re-ranking as SQLite, so both backends follow one contract.

Thread safety: queries share one client, whose HTTP and gRPC channels are thread-safe; an
import runs in the calling thread.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from types import TracebackType
from typing import Any, TypeVar

import weaviate
from weaviate.classes.query import Filter, MetadataQuery
from weaviate.exceptions import WeaviateBaseError

from schemas.catalog import Catalog
from tools.documents import HitFactory, Kind, owner_of, table_schema
from tools.rerank import fetch_size, rerank
from tools.retriever import (
    ChoiceHit,
    ColumnHit,
    RetrievalError,
    StepCategory,
    StepHit,
    TableHit,
    TableSchema,
    TriggerHit,
    clamp_k,
)
from tools.text import fold_plural, search_terms
from tools.weaviate_index import (
    INDEX_FORMAT,
    KEYS,
    META,
    Embed,
    collection_name,
    connect,
    import_catalog,
    index_catalog,
    one_line,
    tenant_name,
)

__all__ = ["WeaviateRetriever", "connect", "index_catalog", "tenant_name"]

_H = TypeVar("_H")
_R = TypeVar("_R", StepHit, TableHit, ColumnHit, ChoiceHit, TriggerHit)
_BOOSTS = ("name^8", "label^8", "description^2", "context")  # same ratios as SQLite's weights


class WeaviateRetriever:
    """Retriever over a Weaviate server; use as a context manager to close the client."""

    def __init__(self, catalog: Catalog, client: weaviate.WeaviateClient | None = None,
                 url: str | None = None, api_key: str | None = None,
                 grpc_port: int | None = None, embed: Embed | None = None,
                 alpha: float = 0.5, prefix: str = "Flowgen", auto_index: bool = True,
                 synonyms: bool = True) -> None:
        """Connect (unless `client` is given) and make sure the tenant holds this catalog.

        Raises:
            RetrievalError: cannot connect, or the tenant is stale and `auto_index` is False.
        """
        self.catalog = catalog
        self._own = client is None
        self._client = client or connect(url, api_key, grpc_port)
        self._embed, self._alpha, self._prefix = embed, alpha, prefix
        self._synonyms = synonyms
        self._tenant = tenant_name(catalog)
        self._hits = HitFactory(catalog)
        try:
            if not self._is_current():
                if not auto_index:
                    raise RetrievalError(
                        f"Weaviate tenant {self._tenant!r} does not hold this catalog: run "
                        "`flowgen catalog index --backend weaviate`")
                import_catalog(self._client, catalog, embed, prefix)
        except WeaviateBaseError as exc:
            self.close()
            raise RetrievalError(f"Weaviate index check failed: {one_line(exc)}") from None

    def _is_current(self) -> bool:
        name = collection_name(self._prefix, META)
        if not self._client.collections.exists(name):
            return False
        meta = self._client.collections.use(name)
        if not meta.tenants.exists(self._tenant):
            return False
        objects = meta.with_tenant(self._tenant).query.fetch_objects(limit=1).objects
        props = objects[0].properties if objects else {}
        return props.get("k0") == self.catalog.content_hash and props.get("k1") == INDEX_FORMAT

    def __enter__(self) -> WeaviateRetriever:
        """Return self; the client closes on exit."""
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        """Close the client if this retriever opened it."""
        self.close()

    def close(self) -> None:
        """Close the client if this retriever opened it."""
        if self._own:
            self._client.close()

    def search_steps(self, query: str, k: int = 10,
                     kinds: frozenset[StepCategory] | None = None) -> list[StepHit]:
        """Return actions, subflows and flow-logic blocks matching the query."""
        flt = Filter.by_property("k0").contains_any(sorted(kinds)) if kinds is not None else None
        rows = self._query("step", query, fetch_size(clamp_k(k)), flt)
        return self._rerank([self._hits.step(key, s) for key, s in rows], query, k, "step")

    def search_tables(self, query: str, k: int = 10) -> list[TableHit]:
        """Return tables matching the query."""
        rows = self._query("table", query, fetch_size(clamp_k(k)))
        return self._rerank([self._hits.table(key, s) for key, s in rows], query, k, "table")

    def search_columns(self, query: str, table: str | None = None, k: int = 10) -> list[ColumnHit]:
        """Return columns matching the query, within `table` (inherited included) if given."""
        k = clamp_k(k)
        if table is None:
            rows = self._query("column", query, fetch_size(k))
            found = [self._hits.column(key, s, None) for key, s in rows]
            return self._rerank(found, query, k, "column")
        lineage = [t.name for t in self.catalog.lineage(table)]
        if not lineage:
            return []
        rows = self._query("column", query, fetch_size(k),
                           Filter.by_property("k0").contains_any(lineage))
        hits = _keep(self._hits.column(key, s, table) for key, s in rows)
        nearest = [h for h in hits if owner_of(self.catalog, table, h.column) == h.owner]
        return self._rerank(nearest, query, k, "column")

    def get_table_schema(self, table: str) -> TableSchema | None:
        """Return the table's full schema, or None for an unknown table."""
        return table_schema(self.catalog, table)

    def search_choices(self, table: str, column: str, query: str, k: int = 10) -> list[ChoiceHit]:
        """Return choice values of `table.column` (inherited column honoured) matching the query."""
        owner = owner_of(self.catalog, table, column)
        if owner is None:
            return []
        flt = Filter.by_property("k0").equal(owner) & Filter.by_property("k1").equal(column)
        rows = self._query("choice", query, fetch_size(clamp_k(k)), flt)
        hits = [self._hits.choice(key, s, table) for key, s in rows]
        return self._rerank(hits, query, k, "choice")

    def search_triggers(self, query: str, k: int = 5) -> list[TriggerHit]:
        """Return trigger types matching the query."""
        rows = self._query("trigger", query, fetch_size(clamp_k(k)))
        return self._rerank([self._hits.trigger(key, s) for key, s in rows], query, k, "trigger")

    def _rerank(self, hits: Sequence[_R | None], query: str, k: int, kind: Kind) -> list[_R]:
        return rerank(_keep(hits), query, clamp_k(k), self._synonyms, kind)

    def _query(self, kind: Kind, query: str, k: int,
               filters: Any = None) -> list[tuple[tuple[str, ...], float]]:
        terms = search_terms(query, self._synonyms, kind)
        k = clamp_k(k)
        if not terms or k == 0:
            return []
        # Weaviate's BM25 does not stem: add singular forms so "incidents" finds "Incident".
        text = " ".join(dict.fromkeys([*terms, *(fold_plural(t) for t in terms)]))
        col = self._client.collections.use(collection_name(self._prefix, kind))
        col = col.with_tenant(self._tenant)
        meta = MetadataQuery(score=True)
        try:
            if self._embed is not None:
                res = col.query.hybrid(query=text, vector=self._embed([query])[0],
                                       alpha=self._alpha, query_properties=list(_BOOSTS),
                                       filters=filters, limit=k, return_metadata=meta)
            else:
                res = col.query.bm25(query=text, query_properties=list(_BOOSTS),
                                     filters=filters, limit=k, return_metadata=meta)
        except WeaviateBaseError as exc:
            raise RetrievalError(f"Weaviate query failed: {one_line(exc)}") from None
        rows = [(tuple(str(o.properties.get(f, "")) for f in KEYS), o.metadata.score or 0.0)
                for o in res.objects]
        # Weaviate breaks ties arbitrarily; sort like SQLite so both backends agree.
        return sorted(rows, key=lambda r: (-r[1], r[0]))


def _keep(hits: Iterable[_H | None]) -> list[_H]:
    return [h for h in hits if h is not None]

