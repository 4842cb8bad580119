"""SQLite index persistence: reuse, rebuild on content change only, and concurrent readers."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import tools.sqlite_fts as sqlite_fts
from schemas.catalog import Column, Table
from tests.tools.catalogs import small_catalog
from tools.retriever import RetrievalError
from tools.sqlite_fts import SqliteRetriever
from tools.sqlite_index import ENV_INDEX_DIR, ensure_index, index_path


def test_index_is_reused_until_the_catalog_changes(tmp_path: Path) -> None:
    catalog = small_catalog()
    with SqliteRetriever(catalog, index_dir=tmp_path) as first:
        assert first.built
    mtime = first.index_path.stat().st_mtime_ns
    with SqliteRetriever(small_catalog(), index_dir=tmp_path) as again:
        assert not again.built
        assert again.index_path == first.index_path
    assert first.index_path.stat().st_mtime_ns == mtime

    changed = small_catalog(extra_tables=(
        Table(name="u_vendor_contract", label="Vendor Contract",
              columns=(Column(name="u_renewal", label="Renewal date", type="glide_date"),)),))
    with SqliteRetriever(changed, index_dir=tmp_path) as rebuilt:
        assert rebuilt.built
        assert rebuilt.index_path != first.index_path
        assert rebuilt.search_tables("vendor contract")[0].name == "u_vendor_contract"


def test_index_file_named_by_instance_and_hash(tmp_path: Path) -> None:
    catalog = small_catalog(instance="acme prod/eu")
    path = index_path(catalog, tmp_path)
    assert path.parent == tmp_path
    assert path.name == f"acme_prod_eu-{catalog.content_hash[:16]}.sqlite"


def test_env_variable_sets_the_default_folder(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_INDEX_DIR, str(tmp_path / "env"))
    path, built = ensure_index(small_catalog())
    assert built and path.parent == tmp_path / "env" and path.is_file()


def test_corrupt_index_file_is_rebuilt(tmp_path: Path) -> None:
    catalog = small_catalog()
    path = index_path(catalog, tmp_path)
    tmp_path.mkdir(exist_ok=True)
    path.write_bytes(b"not a database")
    with SqliteRetriever(catalog, index_dir=tmp_path) as r:
        assert r.built
        assert r.search_tables("incident")[0].name == "incident"


def test_unwritable_index_folder_is_a_retrieval_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(RetrievalError, match="cannot write the search index"):
        SqliteRetriever(small_catalog(), index_dir=blocker / "sub")


def test_bad_weights_are_a_retrieval_error(tmp_path: Path) -> None:
    with pytest.raises(RetrievalError, match="weights"):
        SqliteRetriever(small_catalog(), index_dir=tmp_path, weights=(1.0, 2.0))


def test_concurrent_threads_get_the_same_answers(tmp_path: Path) -> None:
    queries = ["assignment group", "caller", "state", "manager", "priority", "email"]
    with SqliteRetriever(small_catalog(), index_dir=tmp_path) as r:
        expected = {q: r.search_columns(q, table="incident") for q in queries}
        errors: list[str] = []

        def worker() -> None:
            for _ in range(30):
                for q in queries:
                    if r.search_columns(q, table="incident") != expected[q]:
                        errors.append(q)

        threads = [threading.Thread(target=worker) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc/self/fd")
def test_ended_threads_leave_no_connection_open(tmp_path: Path) -> None:
    # LangGraph runs nodes on short-lived pool threads; each opened its own connection.
    with SqliteRetriever(small_catalog(), index_dir=tmp_path) as r:
        for _ in range(20):
            thread = threading.Thread(target=r.search_tables, args=("incident",))
            thread.start()
            thread.join()
        r.search_tables("incident")
        index = r.index_path.resolve()
        open_files = [f for f in Path("/proc/self/fd").iterdir()
                      if f.exists() and f.resolve() == index]
    assert len(open_files) <= 2  # this thread's and the last ended thread's


def test_common_words_are_pruned_on_large_kinds_only_without_table(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite_fts, "PRUNE_MIN_DOCS", 5)  # the small catalog has ~25 columns
    with SqliteRetriever(small_catalog(), index_dir=tmp_path, prune_max_df=1) as r:
        # "manager" names two columns (df 2 > 1): dropped, the rarer "email" decides.
        assert {h.column for h in r.search_columns("manager email")} == {"email"}
        # Only common words: the rarest one is kept rather than returning nothing, even
        # next to a word that occurs nowhere.
        assert {h.column for h in r.search_columns("manager")} == {"manager"}
        assert {h.column for h in r.search_columns("frobnicate the manager")} == {"manager"}
        assert r.search_columns("frobnicate") == []
        # A search within a table is never pruned.
        assert r.search_columns("manager email", table="sys_user")[0].column in {
            "manager", "email"}
        assert len(r.search_columns("manager email", table="sys_user")) == 2
    with SqliteRetriever(small_catalog(), index_dir=tmp_path, prune_max_df=0) as unpruned:
        assert {h.column for h in unpruned.search_columns("manager email")} == {
            "email", "manager"}


def test_large_kinds_prefer_rows_with_every_word(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite_fts, "PRUNE_MIN_DOCS", 5)
    monkeypatch.setattr(sqlite_fts, "ENOUGH_ALL_WORDS", 1)
    catalog = small_catalog(extra_tables=(Table(name="u_escalation", label="Escalation", columns=(
        Column(name="u_manager_email", label="Manager email", type="email"),)),))
    with SqliteRetriever(catalog, index_dir=tmp_path, prune_max_df=1) as r:
        # Both words are common (pruning alone would keep only "email"); one column has both.
        assert [h.column for h in r.search_columns("manager email")] == ["u_manager_email"]
