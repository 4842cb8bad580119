"""Per-retriever and per-draft memos: same answers as without them, bounded, never stale."""

from __future__ import annotations

from typing import Any

import pytest

from agent.candidates import PLAN_MEMO, RetrieverMemo
from agent.draft import pill_dicts
from agent.nodes.plan import plan_prompt_vars
from agent.settings import load_settings
from catalog import demo_catalog
from schemas.catalog import Catalog
from schemas.flow import Flow
from tools.retriever import Retriever, make_retriever
from training.corpus import build
from validator.scope import visible_pills, visible_pills_by_order


class _Counting:
    """Wraps a retriever and counts its searches."""

    def __init__(self, inner: Retriever) -> None:
        self.inner = inner
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.inner, name)

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return method(*args, **kwargs)

        return counted


class _Slotted:
    """A retriever that cannot be weakly referenced: it is simply never remembered."""

    __slots__ = ("inner",)

    def __init__(self, inner: Retriever) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return demo_catalog()


def test_plan_candidates_are_searched_once_per_requirement(catalog: Catalog) -> None:
    retriever = _Counting(make_retriever(catalog))
    settings = load_settings({}, env={})
    first = plan_prompt_vars("close old incidents", catalog, retriever, settings)
    searches = retriever.calls
    assert searches > 0
    again = plan_prompt_vars("close old incidents", catalog, retriever, settings)
    assert retriever.calls == searches and again == first
    other = load_settings({"k_steps": 3}, env={})
    plan_prompt_vars("close old incidents", catalog, retriever, other)
    assert retriever.calls > searches  # other sizes, other candidates
    PLAN_MEMO.clear()
    plan_prompt_vars("close old incidents", catalog, retriever, settings)
    assert retriever.calls > searches


def test_retrievers_without_weak_references_are_not_remembered(catalog: Catalog) -> None:
    retriever = _Slotted(make_retriever(catalog))
    memo = RetrieverMemo(size=2)
    memo.put(retriever, ("k",), 1)
    assert memo.get(retriever, ("k",)) is None
    settings = load_settings({}, env={})
    assert plan_prompt_vars("log it", catalog, retriever, settings)["steps"]


def test_memo_keeps_the_most_recent_results(catalog: Catalog) -> None:
    retriever = make_retriever(catalog)
    memo = RetrieverMemo(size=2)
    for key in ("a", "b", "c"):
        memo.put(retriever, (key,), key.upper())
    assert memo.get(retriever, ("a",)) is None
    assert (memo.get(retriever, ("b",)), memo.get(retriever, ("c",))) == ("B", "C")
    other = make_retriever(catalog)
    assert memo.get(other, ("c",)) is None  # each retriever has its own answers


def test_pills_of_a_draft_match_the_scope_resolver(catalog: Catalog) -> None:
    cases = build(catalog, {"train": 15, "dev": 0, "test": 0}, seed=3)["train"]
    for case in cases:
        flow = Flow.model_validate(case.flow)
        for comp in flow.components:
            expected = [p.pill for p in visible_pills(flow, comp.order, catalog)]
            got = pill_dicts(flow, comp.order, catalog)
            assert [p["pill"] for p in got] == expected
            got.clear()  # callers may change what they get; the memo keeps its own
            assert [p["pill"] for p in pill_dicts(flow, comp.order, catalog)] == expected


def test_a_changed_flow_is_resolved_again(catalog: Catalog) -> None:
    cases = build(catalog, {"train": 10, "dev": 0, "test": 0}, seed=4)["train"]
    flow = next(f for f in (Flow.model_validate(c.flow) for c in cases)
                if len(f.components) >= 2)
    last = flow.components[-1].order
    before = pill_dicts(flow, last, catalog)
    shorter = flow.model_copy(update={"components": flow.components[:1]})
    assert pill_dicts(shorter, last, catalog) == []  # that step is gone from the new flow
    assert pill_dicts(flow, last, catalog) == before


def test_pills_by_order_equal_pills_one_by_one(catalog: Catalog) -> None:
    flow = Flow.model_validate(build(catalog, {"train": 1, "dev": 0, "test": 0}, seed=9)
                               ["train"][0].flow)
    every = visible_pills_by_order(flow, catalog)
    assert set(every) == {c.order for c in flow.components}
    for order, pills in every.items():
        assert pills == visible_pills(flow, order, catalog)


def test_forgetting_one_retriever_keeps_the_others(catalog: Catalog) -> None:
    first, second = make_retriever(catalog), make_retriever(catalog)
    memo = RetrieverMemo(size=4)
    memo.put(first, ("k",), 1)
    memo.put(second, ("k",), 2)
    memo.forget(first)
    memo.forget(_Slotted(first))  # never remembered: nothing to forget, no error
    assert memo.get(first, ("k",)) is None
    assert memo.get(second, ("k",)) == 2
