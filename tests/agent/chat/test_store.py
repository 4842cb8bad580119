"""Where conversations are stored: SQLite by default, Postgres when a URL is given."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from agent.chat.store import DB_ENV, ChatStoreError, default_location, open_checkpointer
from tests.agent.chat.helpers import REQUIREMENT, scripted_session


def test_default_location_honours_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DB_ENV, "/tmp/elsewhere.sqlite")
    assert default_location() == "/tmp/elsewhere.sqlite"
    monkeypatch.delenv(DB_ENV)
    assert default_location().endswith(".local/share/flowgen/chat.sqlite")


def test_sqlite_store_is_created_with_its_folder(tmp_path: Path) -> None:
    db = tmp_path / "deep" / "chat.sqlite"
    with open_checkpointer(str(db)) as saver:
        chat = scripted_session(saver=saver, thread="x")
        chat.send(REQUIREMENT)
    assert db.is_file()
    with open_checkpointer(str(db)) as saver:
        assert "a proposal is pending" in scripted_session(saver=saver, thread="x").status_line()


def test_unopenable_sqlite_store(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("")
    with (
        pytest.raises(ChatStoreError, match="cannot open chat database"),
        open_checkpointer(str(tmp_path / "f" / "chat.sqlite")),
    ):
        pass


@pytest.mark.postgres
@pytest.mark.skipif(
    not os.environ.get("FLOWGEN_TEST_POSTGRES_URL"),
    reason="set FLOWGEN_TEST_POSTGRES_URL to a PostgreSQL server to run",
)
def test_postgres_store_survives_reopening() -> None:
    url = os.environ["FLOWGEN_TEST_POSTGRES_URL"]
    thread = f"test-{uuid.uuid4().hex[:8]}"
    with open_checkpointer(url) as saver:
        chat = scripted_session(saver=saver, thread=thread)
        chat.send(REQUIREMENT)
        chat.send("/accept")
    with open_checkpointer(url) as saver:
        assert (
            scripted_session(saver=saver, thread=thread).status_line()
            == f"thread {thread}: version 1"
        )


def test_unreachable_postgres_is_a_one_line_error_without_the_password() -> None:
    pytest.importorskip("langgraph.checkpoint.postgres", reason="needs the postgres extra")
    with (
        pytest.raises(ChatStoreError) as info,
        open_checkpointer("postgresql://user:secret@127.0.0.1:1/db?connect_timeout=2"),
    ):
        pass
    message = str(info.value)
    assert "user:***@127.0.0.1:1" in message and "secret" not in message
    assert "\n" not in message
