"""Tokenisation: identifier splitting, query tokens, synonyms, FTS5 quoting."""

from __future__ import annotations

import pytest

from tools.text import (
    MAX_QUERY_TERMS,
    expand,
    fts_any,
    fts_phrase,
    identifier_text,
    query_tokens,
    search_terms,
    split_identifier,
)


@pytest.mark.parametrize(
    ("identifier", "words"),
    [
        ("assignment_group", ["assignment", "group"]),
        ("lookUpRecords", ["look", "up", "records"]),
        ("sys_user_group", ["sys", "user", "group"]),
        ("HTTPResponseCode", ["http", "response", "code"]),
        ("cmdb_ci_win_server", ["cmdb", "ci", "win", "server"]),
        ("os_version2", ["os", "version", "2"]),
        ("FOREACH", ["foreach"]),
        ("__", []),
    ],
)
def test_split_identifier(identifier: str, words: list[str]) -> None:
    assert split_identifier(identifier) == words


def test_identifier_text_keeps_raw_and_words() -> None:
    assert identifier_text("assignment_group") == "assignment_group assignment group"
    assert identifier_text("state") == "state"


def test_query_tokens_drop_stopwords_and_split_identifiers() -> None:
    assert query_tokens("Assign it to the assignment_group") == [
        "assign", "assignment_group", "assignment", "group"]
    assert query_tokens("the of to") == []


def test_query_tokens_ignore_syntax_and_control_characters() -> None:
    assert query_tokens('"state" NEAR(priority) -active* \x00x\x01') == [
        "state", "near", "priority", "active", "x"]


def test_query_tokens_keep_digits_but_not_lone_letters_split_off() -> None:
    assert query_tokens("P1") == ["p1", "1"]


def test_query_tokens_read_only_the_head_of_huge_text() -> None:
    tokens = query_tokens(" ".join(f"w{i}" for i in range(50_000)))
    assert 0 < len(tokens) < 1000


def test_synonyms_expand_words_and_two_word_phrases() -> None:
    assert {"incident", "task"} <= set(expand(["ticket"]))
    assert "requested" in expand(["requester"], "column")
    assert "requested" not in expand(["requester"], "step")
    assert "backout" in expand(["roll", "back"], "column")
    assert expand(["zzz"]) == ["zzz"]


def test_search_terms_bounded_and_switchable() -> None:
    assert len(search_terms(" ".join(f"t{i}" for i in range(500)))) == MAX_QUERY_TERMS
    assert "incident" not in search_terms("ticket", use_synonyms=False)


def test_fts_quoting_makes_every_term_a_phrase() -> None:
    assert fts_phrase('a"b') == '"a""b"'
    assert fts_any(["near", "or"]) == '"near" OR "or"'


def test_search_terms_are_remembered_but_never_shared() -> None:
    from tools.text import search_terms

    first = search_terms("assigned to the caller", True, "column")
    first.append("mutated")
    assert search_terms("assigned to the caller", True, "column") == first[:-1]
