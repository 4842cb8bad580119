"""Build and persist the SQLite FTS5 index of a catalog; rebuild only when its content changes.

One file per (instance, catalog content hash): `<dir>/<instance>-<hash[:16]>.sqlite`, where
`<dir>` is the `index_dir` option, else `$FLOWGEN_INDEX_DIR`, else `~/.cache/flowgen/index`.
A file whose recorded hash and index format match is reused as is. A new file is written
under a temporary name and renamed into place, so a concurrent reader never sees half an index
and two processes building the same index at once both end with a complete file.
"""

from __future__ import annotations

import os
import re
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from schemas.catalog import Catalog
from tools.documents import KINDS, Doc, Kind, catalog_documents
from tools.retriever import RetrievalError
from tools.text import fold_plural, query_tokens

INDEX_FORMAT = "6"
"""Bump when the document layout or tokenizer changes, so old files are rebuilt."""

TOKENIZER = "porter unicode61 remove_diacritics 2 tokenchars '_'"
"""Porter stems words; `_` is a token character so `assignment_group` is also one token."""

ENV_INDEX_DIR = "FLOWGEN_INDEX_DIR"


def fts_table(kind: Kind) -> str:
    """Return the FTS5 table name of a document kind."""
    return f"{kind}_fts"


def default_index_dir() -> Path:
    """Return `$FLOWGEN_INDEX_DIR` or `~/.cache/flowgen/index`."""
    env = os.environ.get(ENV_INDEX_DIR)
    return Path(env) if env else Path.home() / ".cache" / "flowgen" / "index"


def index_path(catalog: Catalog, index_dir: str | Path | None = None) -> Path:
    """Return where the index of this catalog content lives."""
    base = Path(index_dir) if index_dir is not None else default_index_dir()
    instance = re.sub(r"[^A-Za-z0-9_.-]+", "_", catalog.instance)[:64] or "instance"
    return base / f"{instance}-{catalog.content_hash[:16]}.sqlite"


def ensure_index(catalog: Catalog, index_dir: str | Path | None = None) -> tuple[Path, bool]:
    """Return the index file of `catalog`, building it first if missing or stale.

    Returns:
        The path and whether this call built it.

    Raises:
        RetrievalError: the folder cannot be created or the file cannot be written.
    """
    path = index_path(catalog, index_dir)
    if _is_current(path, catalog.content_hash):
        return path, False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=path.stem, suffix=".tmp", dir=path.parent)
        os.close(fd)
        try:
            build_index(catalog, Path(tmp_name))
            os.replace(tmp_name, path)
        finally:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
    except (OSError, sqlite3.Error) as exc:
        raise RetrievalError(
            f"cannot write the search index at {path}: {exc} (set {ENV_INDEX_DIR})"
        ) from None
    return path, True


def _is_current(path: Path, content_hash: str) -> bool:
    if not path.is_file():
        return False
    try:
        with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True) as conn:
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.Error:
        return False  # unreadable or foreign file: rebuild it
    return meta.get("format") == INDEX_FORMAT and meta.get("content_hash") == content_hash


def build_index(catalog: Catalog, path: Path) -> None:
    """Write the full index of `catalog` into a new SQLite file at `path`."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        conn.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [("format", INDEX_FORMAT), ("content_hash", catalog.content_hash),
             ("instance", catalog.instance)],
        )
        docs = catalog_documents(catalog)
        conn.execute("CREATE TABLE term_df (kind TEXT, term TEXT, n INTEGER NOT NULL, "
                     "PRIMARY KEY (kind, term)) WITHOUT ROWID")
        for kind in KINDS:
            _create_kind(conn, kind, docs[kind])
            _record_df(conn, kind, docs[kind])
        for kind in KINDS:
            conn.execute(f"INSERT INTO {fts_table(kind)}({fts_table(kind)}) VALUES ('optimize')")
        conn.commit()
    finally:
        conn.close()


def _create_kind(conn: sqlite3.Connection, kind: Kind, docs: Iterable[Doc]) -> None:
    table = fts_table(kind)
    conn.execute(
        f"CREATE VIRTUAL TABLE {table} USING fts5(name, label, description, context, flt, "
        f"k0 UNINDEXED, k1 UNINDEXED, k2 UNINDEXED, tokenize=\"{TOKENIZER}\")"
    )
    conn.executemany(
        f"INSERT INTO {table} VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (_row(d) for d in docs),
    )


def _record_df(conn: sqlite3.Connection, kind: Kind, docs: Sequence[Doc]) -> None:
    """Store how many documents of the kind contain each (plural-folded) word.

    The retriever uses it to drop very common words from queries on very large kinds,
    where scoring every row that contains them would dominate query time.
    """
    counts: Counter[str] = Counter()
    for doc in docs:
        text = f"{doc.name} {doc.label}"  # the fields searched when pruning applies
        counts.update({fold_plural(t) for t in query_tokens(text)})
    conn.executemany("INSERT INTO term_df VALUES (?, ?, ?)",
                     ((kind, term, n) for term, n in counts.items()))
    conn.execute("INSERT INTO meta VALUES (?, ?)", (f"docs:{kind}", str(len(docs))))


def filter_text(kind: Kind, key: tuple[str, ...]) -> str:
    """Return the `flt` text a document is filtered by: owner, or owner.column for choices."""
    if kind == "column":
        return key[0]
    if kind == "choice":
        return f"{key[0]}.{key[1]}"
    return ""


def _row(doc: Doc) -> tuple[str, ...]:
    keys = (*doc.key, "", "", "")[:3]
    return (doc.name, doc.label, doc.description, doc.context, filter_text(doc.kind, doc.key),
            *keys)
