"""Plan candidates: what the planner is offered, and how many searches it costs."""

from __future__ import annotations

from typing import Any

from agent.candidates import candidate_steps
from catalog import demo_catalog
from tests.agent.scripted_runs import demo_retriever
from tools.retriever import StepHit


class CountingRetriever:
    """Forwards step searches to the demo retriever and records each query."""

    def __init__(self) -> None:
        self.inner = demo_retriever()
        self.queries: list[str] = []

    def search_steps(self, query: str, k: int = 10, kinds: Any = None) -> list[StepHit]:
        self.queries.append(query)
        return self.inner.search_steps(query, k=k, kinds=kinds)


def test_a_clause_said_twice_is_searched_once() -> None:
    retriever = CountingRetriever()
    requirement = ("When an incident is resolved, log it; then email the caller "
                   "and log it")
    candidate_steps(requirement, demo_catalog(), retriever, k=5)  # type: ignore[arg-type]
    assert retriever.queries[0] == requirement
    assert retriever.queries[1:] == ["an incident is resolved", "log it", "email the caller"]


def test_matches_come_first_then_every_core_action_and_flow_logic_once() -> None:
    catalog = demo_catalog()
    retriever = CountingRetriever()
    steps = candidate_steps("email the caller; then send an SMS to the caller", catalog,
                            retriever, k=3)  # type: ignore[arg-type]
    keys = [(s["category"], s["definition"], s["scope"]) for s in steps]
    assert len(keys) == len(set(keys))
    best = retriever.inner.search_steps("email the caller; then send an SMS to the caller", k=3,
                                        kinds=frozenset({"action", "subflow"}))
    assert keys[:len(best)] == [(h.category, h.definition, h.scope) for h in best]
    core = {(a.category, a.name, a.scope) for a in catalog.actions if a.scope == "global"}
    logic = {("flowlogic", f.token, "global") for f in catalog.flow_logic}
    assert core | logic <= set(keys)
