"""Weaviate retriever (weaviate-client v4): a collection per kind, a tenant per instance.

Each document kind (steps, tables, columns, choices, triggers) lives in its own multi-tenant
collection `<prefix><Kind>`; a customer instance is a tenant of every collection, so several
instances share one server without seeing each other. A meta collection records the catalog
content hash per tenant: a retriever re-imports a tenant whose hash differs (or raises, with
`auto_index=False`). Queries are BM25 over the same weighted fields as SQLite; with an `embed`
function, objects carry self-provided vectors and queries are hybrid (BM25 + vector).

Thread safety: queries share one client, whose HTTP and gRPC channels are thread-safe; an
import runs in the calling thread. Connection: `WEAVIATE_URL` (e.g. http://localhost:8080),
`WEAVIATE_API_KEY` (optional), `WEAVIATE_GRPC_PORT` (default 50051, or 443 over https).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import urlsplit

import weaviate
from weaviate.classes.config import Configure, DataType, Property, Tokenization
from weaviate.classes.init import Auth
from weaviate.classes.query import Filter, MetadataQuery
from weaviate.classes.tenants import Tenant
from weaviate.collections import Collection
from weaviate.exceptions import WeaviateBaseError
from weaviate.util import generate_uuid5

from schemas.catalog import Catalog
from tools.documents import (
    KINDS,
    TEXT_FIELDS,
    Doc,
    HitFactory,
    Kind,
    catalog_documents,
    owner_of,
    table_schema,
)
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
from tools.text import search_terms

Embed = Callable[[list[str]], list[list[float]]]
_H = TypeVar("_H")
INDEX_FORMAT = "1"
_BOOSTS = ("name^8", "label^8", "description^2", "context")  # same ratios as SQLite's weights
_KEYS = ("k0", "k1", "k2")
_META = "IndexMeta"
_BATCH = 500


def connect(url: str | None = None, api_key: str | None = None,
            grpc_port: int | None = None) -> weaviate.WeaviateClient:
    """Connect to the server at `url` (default `$WEAVIATE_URL`).

    Raises:
        RetrievalError: no URL configured, or the server cannot be reached.
    """
    url = url or os.environ.get("WEAVIATE_URL")
    if not url:
        raise RetrievalError("WEAVIATE_URL not set (e.g. http://localhost:8080)")
    parts = urlsplit(url)
    secure = parts.scheme == "https"
    host = parts.hostname or "localhost"
    key = api_key or os.environ.get("WEAVIATE_API_KEY")
    port_env = os.environ.get("WEAVIATE_GRPC_PORT")
    try:
        grpc = grpc_port or (int(port_env) if port_env else (443 if secure else 50051))
        return weaviate.connect_to_custom(
            http_host=host, http_port=parts.port or (443 if secure else 8080),
            http_secure=secure, grpc_host=host, grpc_port=grpc, grpc_secure=secure,
            auth_credentials=Auth.api_key(key) if key else None,
        )
    except (WeaviateBaseError, ValueError) as exc:
        raise RetrievalError(f"cannot connect to Weaviate at {url}: {_one_line(exc)}") from None


def tenant_name(catalog: Catalog) -> str:
    """Return the tenant of the catalog's instance (Weaviate allows [A-Za-z0-9_-], ≤ 64)."""
    cleaned = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "_-") else "_"
                      for ch in catalog.instance)
    return cleaned[:64] or "instance"


def _collection_name(prefix: str, kind: str) -> str:
    return f"{prefix}{kind.capitalize()}"


def _ensure_collections(client: weaviate.WeaviateClient, prefix: str) -> None:
    """Create the per-kind and meta collections if missing (multi-tenant, no vectorizer)."""
    text = [Property(name=f, data_type=DataType.TEXT, tokenization=Tokenization.WORD)
            for f in TEXT_FIELDS]
    keys = [Property(name=k, data_type=DataType.TEXT, tokenization=Tokenization.FIELD,
                     index_searchable=False, index_filterable=True) for k in _KEYS]
    for kind in (*KINDS, _META):
        name = _collection_name(prefix, kind)
        if client.collections.exists(name):
            continue
        client.collections.create(
            name,
            properties=keys if kind == _META else [*text, *keys],
            multi_tenancy_config=Configure.multi_tenancy(enabled=True),
            vector_config=Configure.Vectors.self_provided(),
        )


def index_catalog(catalog: Catalog, client: weaviate.WeaviateClient | None = None,
                  embed: Embed | None = None, prefix: str = "Flowgen") -> int:
    """Replace the catalog's tenant in every collection with freshly imported objects.

    Returns:
        How many objects were imported.

    Raises:
        RetrievalError: the server is unreachable or rejected objects.
    """
    own = client is None
    client = client or connect()
    try:
        return _import(client, catalog, embed, prefix)
    except WeaviateBaseError as exc:
        raise RetrievalError(f"Weaviate import failed: {_one_line(exc)}") from None
    finally:
        if own:
            client.close()


def _import(client: weaviate.WeaviateClient, catalog: Catalog, embed: Embed | None,
            prefix: str) -> int:
    _ensure_collections(client, prefix)
    tenant = tenant_name(catalog)
    total = 0
    for kind, docs in catalog_documents(catalog).items():
        total += _load_kind(client.collections.use(_collection_name(prefix, kind)), tenant,
                            docs, embed)
    meta = _reset_tenant(client.collections.use(_collection_name(prefix, _META)), tenant)
    meta.data.insert({"k0": catalog.content_hash, "k1": INDEX_FORMAT, "k2": catalog.instance})
    return total


def _reset_tenant(collection: Collection, tenant: str) -> Collection:
    if collection.tenants.exists(tenant):
        collection.tenants.remove([tenant])
    collection.tenants.create([Tenant(name=tenant)])
    return collection.with_tenant(tenant)


def _load_kind(collection: Collection, tenant: str, docs: Sequence[Doc],
               embed: Embed | None) -> int:
    target = _reset_tenant(collection, tenant)
    with target.batch.fixed_size(batch_size=_BATCH) as batch:
        for start in range(0, len(docs), _BATCH):
            chunk = docs[start : start + _BATCH]
            vectors = embed([_doc_text(d) for d in chunk]) if embed else [None] * len(chunk)
            for doc, vector in zip(chunk, vectors, strict=True):
                batch.add_object(properties=_properties(doc), vector=vector,
                                 uuid=generate_uuid5("|".join((doc.kind, *doc.key))))
    failed = target.batch.failed_objects
    if failed:
        raise RetrievalError(f"{len(failed)} objects rejected, first: {failed[0].message}")
    return len(docs)


def _properties(doc: Doc) -> dict[str, str]:
    keys = (*doc.key, "", "", "")[:3]
    return {"name": doc.name, "label": doc.label, "description": doc.description,
            "context": doc.context, **dict(zip(_KEYS, keys, strict=True))}


def _doc_text(doc: Doc) -> str:
    return " ".join(filter(None, (doc.label, doc.name, doc.description)))


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
                _import(self._client, catalog, embed, prefix)
        except WeaviateBaseError as exc:
            self.close()
            raise RetrievalError(f"Weaviate index check failed: {_one_line(exc)}") from None

    def _is_current(self) -> bool:
        name = _collection_name(self._prefix, _META)
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
        return _keep(self._hits.step(key, s) for key, s in self._query("step", query, k, flt))

    def search_tables(self, query: str, k: int = 10) -> list[TableHit]:
        """Return tables matching the query."""
        return _keep(self._hits.table(key, s) for key, s in self._query("table", query, k))

    def search_columns(self, query: str, table: str | None = None, k: int = 10) -> list[ColumnHit]:
        """Return columns matching the query, within `table` (inherited included) if given."""
        k = clamp_k(k)
        if table is None:
            rows = self._query("column", query, k)
            return _keep(self._hits.column(key, s, None) for key, s in rows)
        lineage = [t.name for t in self.catalog.lineage(table)]
        if not lineage:
            return []
        rows = self._query("column", query, 2 * k + 10,
                           Filter.by_property("k0").contains_any(lineage))
        hits = _keep(self._hits.column(key, s, table) for key, s in rows)
        return [h for h in hits if owner_of(self.catalog, table, h.column) == h.owner][:k]

    def get_table_schema(self, table: str) -> TableSchema | None:
        """Return the table's full schema, or None for an unknown table."""
        return table_schema(self.catalog, table)

    def search_choices(self, table: str, column: str, query: str, k: int = 10) -> list[ChoiceHit]:
        """Return choice values of `table.column` (inherited column honoured) matching the query."""
        owner = owner_of(self.catalog, table, column)
        if owner is None:
            return []
        flt = Filter.by_property("k0").equal(owner) & Filter.by_property("k1").equal(column)
        rows = self._query("choice", query, k, flt)
        return _keep(self._hits.choice(key, s, table) for key, s in rows)

    def search_triggers(self, query: str, k: int = 5) -> list[TriggerHit]:
        """Return trigger types matching the query."""
        return _keep(self._hits.trigger(key, s) for key, s in self._query("trigger", query, k))

    def _query(self, kind: Kind, query: str, k: int,
               filters: Any = None) -> list[tuple[tuple[str, ...], float]]:
        terms = search_terms(query, self._synonyms)
        k = clamp_k(k)
        if not terms or k == 0:
            return []
        text = " ".join(terms)
        col = self._client.collections.use(_collection_name(self._prefix, kind))
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
            raise RetrievalError(f"Weaviate query failed: {_one_line(exc)}") from None
        rows = [(tuple(str(o.properties.get(f, "")) for f in _KEYS), o.metadata.score or 0.0)
                for o in res.objects]
        # Weaviate breaks ties arbitrarily; sort like SQLite so both backends agree.
        return sorted(rows, key=lambda r: (-r[1], r[0]))


def _one_line(exc: BaseException) -> str:
    """Collapse a server error (often multi-line) into one line for CLI output."""
    return " ".join(str(exc).split())


def _keep(hits: Iterable[_H | None]) -> list[_H]:
    return [h for h in hits if h is not None]

