"""Weaviate side of indexing: connection, multi-tenant collections, batch import of a catalog.

Each document kind (steps, tables, columns, choices, triggers) lives in its own multi-tenant
collection `<prefix><Kind>` (no vectorizer module: vectors, if any, are self-provided); a
customer instance is one tenant of every collection. A meta collection records, per tenant,
the catalog content hash that was imported, so a retriever can tell a stale tenant.

Connection: `WEAVIATE_URL` (e.g. http://localhost:8080), `WEAVIATE_API_KEY` (optional),
`WEAVIATE_GRPC_PORT` (default 50051, or 443 over https).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

import weaviate
from weaviate.classes.config import Configure, DataType, Property, Tokenization
from weaviate.classes.init import Auth
from weaviate.classes.tenants import Tenant
from weaviate.collections import Collection
from weaviate.exceptions import WeaviateBaseError
from weaviate.util import generate_uuid5

from schemas.catalog import Catalog
from tools.documents import KINDS, TEXT_FIELDS, Doc, catalog_documents
from tools.retriever import RetrievalError

Embed = Callable[[list[str]], list[list[float]]]
"""Embedding function: texts → vectors (self-provided vectors, hybrid search)."""

INDEX_FORMAT = "1"
KEYS = ("k0", "k1", "k2")
META = "IndexMeta"
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
        raise RetrievalError(f"cannot connect to Weaviate at {url}: {one_line(exc)}") from None


def tenant_name(catalog: Catalog) -> str:
    """Return the tenant of the catalog's instance (Weaviate allows [A-Za-z0-9_-], ≤ 64)."""
    cleaned = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "_-") else "_"
                      for ch in catalog.instance)
    return cleaned[:64] or "instance"


def collection_name(prefix: str, kind: str) -> str:
    return f"{prefix}{kind[:1].upper()}{kind[1:]}"


def ensure_collections(client: weaviate.WeaviateClient, prefix: str) -> None:
    """Create the per-kind and meta collections if missing (multi-tenant, no vectorizer)."""
    text = [Property(name=f, data_type=DataType.TEXT, tokenization=Tokenization.WORD)
            for f in TEXT_FIELDS]
    keys = [Property(name=k, data_type=DataType.TEXT, tokenization=Tokenization.FIELD,
                     index_searchable=False, index_filterable=True) for k in KEYS]
    for kind in (*KINDS, META):
        name = collection_name(prefix, kind)
        if client.collections.exists(name):
            continue
        client.collections.create(
            name,
            properties=keys if kind == META else [*text, *keys],
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
        return import_catalog(client, catalog, embed, prefix)
    except WeaviateBaseError as exc:
        raise RetrievalError(f"Weaviate import failed: {one_line(exc)}") from None
    finally:
        if own:
            client.close()


def import_catalog(client: weaviate.WeaviateClient, catalog: Catalog, embed: Embed | None,
            prefix: str) -> int:
    ensure_collections(client, prefix)
    tenant = tenant_name(catalog)
    total = 0
    for kind, docs in catalog_documents(catalog).items():
        total += _load_kind(client.collections.use(collection_name(prefix, kind)), tenant,
                            docs, embed)
    meta = _reset_tenant(client.collections.use(collection_name(prefix, META)), tenant)
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
                batch.add_object(properties=object_properties(doc), vector=vector,
                                 uuid=generate_uuid5("|".join((doc.kind, *doc.key))))
    failed = target.batch.failed_objects
    if failed:
        raise RetrievalError(f"{len(failed)} objects rejected, first: {failed[0].message}")
    return len(docs)


def object_properties(doc: Doc) -> dict[str, str]:
    """Return the stored properties of a document: its text fields and key fields."""
    keys = (*doc.key, "", "", "")[:3]
    return {"name": doc.name, "label": doc.label, "description": doc.description,
            "context": doc.context, **dict(zip(KEYS, keys, strict=True))}


def _doc_text(doc: Doc) -> str:
    return " ".join(filter(None, (doc.label, doc.name, doc.description)))


def one_line(exc: BaseException) -> str:
    """Collapse a server error (often multi-line) into one line for CLI output."""
    return " ".join(str(exc).split())
