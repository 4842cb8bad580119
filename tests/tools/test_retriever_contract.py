"""One behaviour contract for every retrieval backend (SQLite always, Weaviate with a server)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tools.retriever import MAX_K, Retriever

HOSTILE = [
    "",
    "   ",
    "x" * 100_000,
    "assignment " * 10_000,
    '"',
    'state" OR "1',
    "*",
    "state*",
    "NEAR(state priority)",
    "state NEAR priority",
    "(",
    "())(",
    "-state",
    "state - priority",
    "AND OR NOT",
    "name:state",
    "{name}: state",
    "^",
    "ünïcödé 日本語 😀 résolu",
    "\x00\x01\x02\x7f",
    "state\x00priority",
    "'; DROP TABLE step_fts; --",
]


def test_steps_top_hits(retriever: Retriever) -> None:
    assert retriever.search_steps("send the caller an email")[0].definition == "send_email"
    assert retriever.search_steps("ask the manager to approve")[0].definition == (
        "ask_for_approval")
    top = retriever.search_steps("for each item in the list")[0]
    assert (top.category, top.definition, top.scope) == ("flowlogic", "FOREACH", "global")
    slack = retriever.search_steps("post a message in slack")[0]
    assert (slack.definition, slack.scope) == ("post_message", "sn_slack_ah")


def test_step_kinds_filter(retriever: Retriever) -> None:
    hits = retriever.search_steps("record", k=20, kinds=frozenset({"flowlogic"}))
    assert all(h.category == "flowlogic" for h in hits)
    actions = retriever.search_steps("repeat for each record", kinds=frozenset({"action"}))
    assert actions and all(h.category == "action" for h in actions)


def test_tables_top_hits(retriever: Retriever) -> None:
    assert retriever.search_tables("change request")[0].name == "change_request"
    assert retriever.search_tables("incidents")[0].name == "incident"
    group = retriever.search_tables("sys_user_group")[0]
    assert (group.name, group.label) == ("sys_user_group", "Group")


def test_columns_within_table_include_inherited(retriever: Retriever) -> None:
    hit = retriever.search_columns("assignment group", table="incident")[0]
    assert (hit.table, hit.column, hit.owner) == ("incident", "assignment_group", "task")
    assert hit.reference == "sys_user_group"
    assert retriever.search_columns("who reported it caller", table="incident")[0].column == (
        "caller_id")


def test_columns_within_table_stay_in_lineage(retriever: Retriever) -> None:
    hits = retriever.search_columns("manager email active state", table="sys_user", k=50)
    assert hits and {h.owner for h in hits} == {"sys_user"}
    assert {h.table for h in hits} == {"sys_user"}


def test_overridden_column_reported_once_from_nearest_owner(retriever: Retriever) -> None:
    hits = [h for h in retriever.search_columns("state", table="incident", k=50)
            if h.column == "state"]
    assert [(h.owner, h.table) for h in hits] == [("incident", "incident")]


def test_columns_without_table_search_everywhere(retriever: Retriever) -> None:
    owners = {h.owner for h in retriever.search_columns("manager", k=10)}
    assert owners == {"sys_user", "sys_user_group"}


def test_choices_honour_inheritance_and_overrides(retriever: Retriever) -> None:
    resolved = retriever.search_choices("incident", "state", "set it to resolved")[0]
    assert (resolved.table, resolved.column, resolved.value, resolved.label) == (
        "incident", "state", "6", "Resolved")
    # change_request inherits task.state, whose choices have no "Resolved".
    assert all(h.value != "6" for h in retriever.search_choices("change_request", "state",
                                                                 "resolved"))
    critical = retriever.search_choices("change_request", "priority", "critical")[0]
    assert (critical.table, critical.value) == ("change_request", "1")


def test_choices_of_unknown_or_plain_columns_are_empty(retriever: Retriever) -> None:
    assert retriever.search_choices("incident", "nope", "resolved") == []
    assert retriever.search_choices("nope", "state", "resolved") == []
    assert retriever.search_choices("incident", "short_description", "resolved") == []


def test_triggers_top_hits(retriever: Retriever) -> None:
    assert retriever.search_triggers("when a record is updated")[0].type == "record_update"
    assert retriever.search_triggers("every day")[0].type == "daily"
    top = retriever.search_triggers("when an email arrives")[0]
    assert (top.type, top.record_based) == ("email", False)


def test_table_schema_has_inherited_columns_once(retriever: Retriever) -> None:
    schema = retriever.get_table_schema("incident")
    assert schema is not None
    names = [c.name for c in schema.columns]
    assert len(names) == len(set(names))
    assert schema.lineage == ("incident", "task")
    by_name = {c.name: c for c in schema.columns}
    assert by_name["assignment_group"].owner == "task"
    assert by_name["state"].owner == "incident"
    assert {c.value for c in by_name["state"].choices} == {"1", "6"}
    assert names.index("caller_id") < names.index("number")  # own columns first
    assert retriever.get_table_schema("nope") is None


def test_unknown_table_gives_no_columns(retriever: Retriever) -> None:
    assert retriever.search_columns("state", table="nope") == []


def _searches(r: Retriever) -> list[Callable[[str], list[object]]]:
    return [
        lambda q: list(r.search_steps(q)),
        lambda q: list(r.search_tables(q)),
        lambda q: list(r.search_columns(q)),
        lambda q: list(r.search_columns(q, table="incident")),
        lambda q: list(r.search_choices("incident", "state", q)),
        lambda q: list(r.search_triggers(q)),
    ]


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_queries_never_raise(retriever: Retriever, query: str) -> None:
    for search in _searches(retriever):
        assert isinstance(search(query), list)


def test_empty_queries_return_nothing(retriever: Retriever) -> None:
    for search in _searches(retriever):
        assert search("") == []
        assert search("the a of to") == []  # only stopwords


def test_hostile_text_around_a_word_still_finds_it(retriever: Retriever) -> None:
    for query in ['"incident"', "incident*", "(incident)", "-incident", "NEAR(incident)"]:
        assert retriever.search_tables(query)[0].name == "incident"


def test_scores_sorted_and_k_respected(retriever: Retriever) -> None:
    hits = retriever.search_columns("state priority group manager user", k=5)
    assert 0 < len(hits) <= 5
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    assert len(retriever.search_steps("record", k=1)) == 1
    assert retriever.search_steps("record", k=0) == []
    assert retriever.search_steps("record", k=-3) == []
    assert len(retriever.search_steps("record", k=10**9)) <= MAX_K
