"""The embedded default retriever: SQLite FTS5 with field-weighted BM25 (standard library only).

Thread safety: each thread gets its own read-only connection to the persisted index file
(`threading.local`), so LangGraph nodes running concurrently never share a connection and
SQLite serves the readers in parallel. Connections of threads that have ended are closed when
the next one opens; `close()` closes every connection.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from schemas.catalog import Catalog
from tools.documents import HitFactory, Kind, table_schema
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
from tools.sqlite_index import ensure_index, fts_table
from tools.text import fold_plural, fts_any, fts_phrase, query_tokens, search_terms

DEFAULT_WEIGHTS: tuple[float, float, float, float] = (4.0, 4.0, 1.0, 0.5)
"""BM25 weights of (name, label, description, context); `flt` is always weighted 0."""

PRUNE_MIN_DOCS = 5000
"""Kinds with more documents than this get common-word pruning on unrestricted searches."""

PRUNE_MAX_DF = 400
"""Default document-frequency cap of a query word under pruning."""

ENOUGH_ALL_WORDS = 10
"""On large kinds, this many rows matching every word make the any-word search unnecessary."""

_H = TypeVar("_H")
_R = TypeVar("_R", StepHit, TableHit, ColumnHit, ChoiceHit, TriggerHit)
_Row = tuple[str, str, str, float]


class SqliteRetriever:
    """Retriever over a persisted SQLite FTS5 index of one catalog."""

    def __init__(
        self,
        catalog: Catalog,
        index_dir: str | Path | None = None,
        synonyms: bool = True,
        weights: Sequence[float] = DEFAULT_WEIGHTS,
        rerank_labels: bool = True,
        prune_max_df: int = PRUNE_MAX_DF,
    ) -> None:
        """Open (building if needed) the index of `catalog`.

        Args:
            catalog: the instance catalog.
            index_dir: folder of index files (default `$FLOWGEN_INDEX_DIR` or
                `~/.cache/flowgen/index`).
            synonyms: expand queries with `tools/data/synonyms.json`.
            weights: BM25 weights of name, label, description and context.
            rerank_labels: boost hits whose label the query spells out (`tools.rerank`).
            prune_max_df: on kinds with more than `PRUNE_MIN_DOCS` documents, searches not
                restricted to a table drop query words found in more documents than this
                (the rarest word is always kept); 0 disables pruning.

        Raises:
            RetrievalError: the index cannot be built or opened.
        """
        if len(weights) != 4:
            raise RetrievalError("weights must give 4 numbers: name, label, description, context")
        self.catalog = catalog
        self.index_path, self.built = ensure_index(catalog, index_dir)
        self._synonyms = synonyms
        self._rerank_labels = rerank_labels
        self._prune_max_df = prune_max_df
        self._weights = ", ".join(str(float(w)) for w in (*weights, 0.0))
        self._hits = HitFactory(catalog)
        self._lineages: dict[str, tuple[list[str], dict[str, str]]] = {}
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[tuple[threading.Thread, sqlite3.Connection]] = []
        self._doc_counts = self._read_doc_counts()

    def __enter__(self) -> SqliteRetriever:
        """Return self; connections close on exit."""
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close every connection."""
        self.close()

    def close(self) -> None:
        """Close every per-thread connection opened so far."""
        with self._lock:
            for _, conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()

    def search_steps(
        self, query: str, k: int = 10, kinds: frozenset[StepCategory] | None = None
    ) -> list[StepHit]:
        """Return actions, subflows and flow-logic blocks matching the query."""
        where, params = "", []
        if kinds is not None:
            where = f" AND k0 IN ({', '.join('?' * len(kinds))})"
            params = sorted(kinds)
        k = clamp_k(k)
        rows = self._search("step", query, fetch_size(k), where=where, params=params)
        return self._rerank(_build(rows, self._hits.step), query, k, "step")

    def search_tables(self, query: str, k: int = 10) -> list[TableHit]:
        """Return tables matching the query."""
        k = clamp_k(k)
        rows = self._search("table", query, fetch_size(k))
        return self._rerank(_build(rows, self._hits.table), query, k, "table")

    def search_columns(self, query: str, table: str | None = None, k: int = 10) -> list[ColumnHit]:
        """Return columns matching the query, within `table` (inherited included) if given."""
        k = clamp_k(k)
        if table is None:
            rows = self._search("column", query, fetch_size(k))
            return self._rerank(_build(rows, lambda key, s: self._hits.column(key, s, None)),
                                query, k, "column")
        lineage, owners = self._lineage(table)
        if not lineage:
            return []
        # Over-fetch: a column redefined below an ancestor appears once per definition.
        rows = self._search("column", query, fetch_size(k), owners=lineage,
                            where=f" AND k0 IN ({', '.join('?' * len(lineage))})", params=lineage)
        hits: list[ColumnHit] = []
        for row in rows:
            hit = self._hits.column(row[:3], row[3], table)
            if hit and owners.get(hit.column) == hit.owner:
                hits.append(hit)
        return self._rerank(hits, query, k, "column")

    def get_table_schema(self, table: str) -> TableSchema | None:
        """Return the table's full schema, or None for an unknown table."""
        return table_schema(self.catalog, table)

    def search_choices(self, table: str, column: str, query: str, k: int = 10) -> list[ChoiceHit]:
        """Return choice values of `table.column` (inherited column honoured) matching the query."""
        owner = self._lineage(table)[1].get(column)
        if owner is None:
            return []
        k = clamp_k(k)
        rows = self._search("choice", query, fetch_size(k), owners=[f"{owner}.{column}"],
                            where=" AND k0 = ? AND k1 = ?", params=[owner, column])
        return self._rerank(_build(rows, lambda key, s: self._hits.choice(key, s, table)),
                            query, k, "choice")

    def search_triggers(self, query: str, k: int = 5) -> list[TriggerHit]:
        """Return trigger types matching the query."""
        k = clamp_k(k)
        rows = self._search("trigger", query, fetch_size(k))
        return self._rerank(_build(rows, self._hits.trigger), query, k, "trigger")

    def _lineage(self, table: str) -> tuple[list[str], dict[str, str]]:
        """Return `table`'s lineage (nearest first) and its column → defining table map.

        Resolved once per table: the generator searches the same few tables' columns dozens
        of times per flow, and walking the lineage per hit cost more than the query.
        """
        cached = self._lineages.get(table)
        if cached is None:
            owners: dict[str, str] = {}
            lineage = self.catalog.lineage(table)
            for t in lineage:
                for c in t.columns:
                    owners.setdefault(c.name, t.name)
            cached = ([t.name for t in lineage], owners)
            if lineage:  # table names can come from a model: never cache unknown ones
                self._lineages[table] = cached  # a race only builds the same entry twice
        return cached

    def _rerank(self, hits: list[_R], query: str, k: int, kind: Kind) -> list[_R]:
        if not self._rerank_labels:
            return hits[:k]
        return rerank(hits, query, k, self._synonyms, kind)

    def _search(
        self, kind: Kind, query: str, k: int, owners: Sequence[str] = (), where: str = "",
        params: Sequence[str] = (),
    ) -> list[_Row]:
        terms = search_terms(query, self._synonyms, kind)
        if not terms or k == 0:
            return []
        if not owners and self._doc_counts.get(kind, 0) > PRUNE_MIN_DOCS and self._prune_max_df:
            return self._search_large(kind, query, terms, k, where, params)
        expr = "{name label description context} : (" + fts_any(terms) + ")"
        if owners:
            # Restricting inside MATCH lets FTS5 intersect posting lists instead of scanning.
            expr = f"flt : ({' OR '.join(fts_phrase(o) for o in owners)}) AND {expr}"
        return self._execute(kind, expr, k, where, params)

    def _search_large(self, kind: Kind, query: str, terms: list[str], k: int, where: str,
                      params: Sequence[str]) -> list[_Row]:
        """Search a very large kind with bounded work: every scored row costs ~10 µs.

        First try the rows whose name or label has all the query's words (an intersection of
        posting lists, cheap); if too few, rank by any word, minus very common words.
        """
        df = self._doc_freqs(kind, terms)
        present = [t for t in query_tokens(query) if df.get(fold_plural(t), 0) > 0]
        if len(present) > 1:
            every = "{name label} : (" + " AND ".join(fts_phrase(t) for t in present) + ")"
            rows = self._execute(kind, every, k, where, params)
            if len(rows) >= min(k, ENOUGH_ALL_WORDS):
                return rows
        counts = {t: df.get(fold_plural(t), 0) for t in terms}
        found = [t for t in terms if counts[t] > 0]
        if not found:
            return []  # no word occurs in any name or label
        kept = [t for t in found if counts[t] <= self._prune_max_df]
        kept = kept or [min(found, key=counts.__getitem__)]
        return self._execute(kind, "{name label} : (" + fts_any(kept) + ")", k, where, params)

    def _execute(self, kind: Kind, expr: str, k: int, where: str,
                 params: Sequence[str]) -> list[_Row]:
        table = fts_table(kind)
        # Rank rowids first and read the stored keys of the top rows only: sorting whole rows
        # would read every matching row's content. Ties keep catalog (insertion) order.
        sql = (
            f"SELECT t.k0, t.k1, t.k2, top.score FROM (SELECT rowid AS id, "
            f"-bm25({table}, {self._weights}) AS score FROM {table} WHERE {table} MATCH ?"
            f"{where} ORDER BY score DESC, rowid LIMIT ?) AS top "
            f"JOIN {table} AS t ON t.rowid = top.id ORDER BY top.score DESC, top.id"
        )
        try:
            return self._conn().execute(sql, [expr, *params, k]).fetchall()
        except sqlite3.Error as exc:
            raise RetrievalError(f"search index query failed: {exc}") from None

    def _doc_freqs(self, kind: Kind, terms: list[str]) -> dict[str, int]:
        """Return how many documents of the kind contain each (plural-folded) term."""
        folded = sorted({fold_plural(t) for t in terms})
        sql = (f"SELECT term, n FROM term_df WHERE kind = ? AND term IN "
               f"({', '.join('?' * len(folded))})")
        try:
            return dict(self._conn().execute(sql, [kind, *folded]).fetchall())
        except sqlite3.Error as exc:
            raise RetrievalError(f"search index query failed: {exc}") from None

    def _read_doc_counts(self) -> dict[str, int]:
        sql = "SELECT key, value FROM meta WHERE key LIKE 'docs:%'"
        try:
            rows = self._conn().execute(sql).fetchall()
        except sqlite3.Error as exc:
            raise RetrievalError(f"cannot read search index {self.index_path}: {exc}") from None
        return {key.removeprefix("docs:"): int(value) for key, value in rows}

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(
                    f"{self.index_path.as_uri()}?mode=ro", uri=True, check_same_thread=False
                )
            except sqlite3.Error as exc:
                raise RetrievalError(f"cannot open search index {self.index_path}: {exc}") from None
            # Scoring reads a docsize and a content row per matching row: keep pages mapped
            # and cached instead of paying a read() per page (4× faster at 50k columns).
            conn.execute("PRAGMA mmap_size = 268435456")
            conn.execute("PRAGMA cache_size = -65536")
            with self._lock:
                self._close_orphans()
                self._connections.append((threading.current_thread(), conn))
            self._local.conn = conn
        return conn

    def _close_orphans(self) -> None:
        # Called with the lock held. LangGraph runs nodes on short-lived pool threads: without
        # this, every run would leave connections (and file descriptors) open until `close()`.
        alive = []
        for thread, conn in self._connections:
            if thread.is_alive():
                alive.append((thread, conn))
            else:
                conn.close()
        self._connections = alive


def _build(rows: list[_Row], make: Callable[[tuple[str, ...], float], _H | None]) -> list[_H]:
    hits = (make(tuple(r[:3]), float(r[3])) for r in rows)
    return [h for h in hits if h is not None]
