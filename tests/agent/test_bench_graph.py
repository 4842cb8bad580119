"""Smoke test of the graph benchmark: its scripted 10-step flow still comes out valid."""

from __future__ import annotations

from benchmarks.bench_graph import NullRetriever, measure
from tests.agent.scripted_runs import demo_retriever


def test_benchmark_flow_is_valid_with_and_without_remembered_lookups() -> None:
    retriever = demo_retriever()
    for forget in (False, True):
        numbers = measure(repeat=1, warmup=0, retriever=retriever, forget=forget)
        assert numbers["status"] == "valid"
        assert numbers["cpu_p50_ms"] > 0 and "lookup" in numbers["node_mean_ms"]
    assert measure(repeat=1, warmup=0, retriever=NullRetriever())["status"] == "valid"
