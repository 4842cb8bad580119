"""Where conversations persist: a LangGraph checkpointer keyed by thread id.

SQLite by default (``$FLOWGEN_CHAT_DB``, else ``~/.local/share/flowgen/chat.sqlite``);
PostgreSQL when the location is a ``postgresql://`` URL, through the optional
``langgraph-checkpoint-postgres`` package (``pip install 'flowgen[postgres]'``), imported only
when asked for.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.sqlite import SqliteSaver

DB_ENV = "FLOWGEN_CHAT_DB"
DEFAULT_DB = Path.home() / ".local" / "share" / "flowgen" / "chat.sqlite"
POSTGRES_PREFIXES = ("postgresql://", "postgres://")


class ChatStoreError(Exception):
    """The conversation store cannot be opened (one-line message)."""


def default_location() -> str:
    """Return the store location: ``$FLOWGEN_CHAT_DB`` or the default SQLite file."""
    return os.environ.get(DB_ENV) or str(DEFAULT_DB)


@contextmanager
def open_checkpointer(location: str | None = None) -> Iterator[BaseCheckpointSaver[str]]:
    """Open the checkpointer at `location` (a SQLite path or a Postgres URL) and close it after.

    Raises:
        ChatStoreError: the file or server cannot be used, or Postgres support is missing.
    """
    where = location or default_location()
    if where.startswith(POSTGRES_PREFIXES):
        with _postgres(where) as saver:
            yield saver
        return
    path = Path(where).expanduser()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # The CLI is single-threaded, but LangGraph may run sync nodes in worker threads.
        conn = sqlite3.connect(str(path), check_same_thread=False)
        saver = SqliteSaver(conn)
        saver.setup()
    except (OSError, sqlite3.Error) as exc:
        raise ChatStoreError(f"cannot open chat database {path}: {exc}") from None
    try:
        yield saver
    finally:
        conn.close()


@contextmanager
def _postgres(url: str) -> Iterator[BaseCheckpointSaver[str]]:
    try:
        from langgraph.checkpoint.postgres import PostgresSaver
        from psycopg import Error as PsycopgError
    except ImportError:
        raise ChatStoreError(
            "a postgresql:// store needs the postgres extra: pip install 'flowgen[postgres]'"
        ) from None
    with ExitStack() as stack:
        try:
            saver = stack.enter_context(PostgresSaver.from_conn_string(url))
            saver.setup()
        except PsycopgError as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ChatStoreError(f"cannot open chat database at {_redact(url)}: {reason}") from None
        yield saver


def _redact(url: str) -> str:
    """Hide the password of a connection URL in messages."""
    head, sep, tail = url.partition("@")
    if not sep or ":" not in head.split("//", 1)[-1]:
        return url
    scheme, _, creds = head.partition("//")
    return f"{scheme}//{creds.split(':', 1)[0]}:***@{tail}"
