"""Retrieval over one instance catalog: the `Retriever` protocol, its backends, lookup tools.

`make_retriever(catalog)` gives the embedded SQLite FTS5 backend; `backend="weaviate"` the
server-backed one. Backends are imported lazily, so importing `tools` stays cheap.
"""

from tools.retriever import (
    MAX_K,
    Backend,
    ChoiceHit,
    ChoiceValue,
    ColumnHit,
    RetrievalError,
    Retriever,
    SchemaColumn,
    StepCategory,
    StepHit,
    TableHit,
    TableSchema,
    TriggerHit,
    make_retriever,
)

__all__ = [
    "MAX_K",
    "Backend",
    "ChoiceHit",
    "ChoiceValue",
    "ColumnHit",
    "RetrievalError",
    "Retriever",
    "SchemaColumn",
    "StepCategory",
    "StepHit",
    "TableHit",
    "TableSchema",
    "TriggerHit",
    "make_retriever",
]
