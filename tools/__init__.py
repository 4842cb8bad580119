"""Retrieval over one instance catalog: the `Retriever` protocol, its backends, lookup tools.

`make_retriever(catalog)` gives the embedded SQLite FTS5 backend; `backend="weaviate"` the
server-backed one. Backends are imported lazily, so importing `tools` stays cheap; the
LangChain tools live in `tools.lookup` (imported on demand for the same reason).
"""

from tools.pinning import Pins, find_pins, pinned_tables, strip_pins
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
    "Pins",
    "RetrievalError",
    "Retriever",
    "SchemaColumn",
    "StepCategory",
    "StepHit",
    "TableHit",
    "TableSchema",
    "TriggerHit",
    "find_pins",
    "make_retriever",
    "pinned_tables",
    "strip_pins",
]
