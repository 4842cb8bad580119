"""Smoke test of the graph benchmark: its scripted 10-step flow still comes out valid."""

from __future__ import annotations

import time
from typing import Any

import pytest

from agent.api import generate
from agent.scripted import ScriptedChatModel
from agent.settings import load_settings
from benchmarks import bench_graph
from benchmarks.bench_graph import NullRetriever, measure
from benchmarks.graph_floor import floor_graph, measure_chat_call, measure_floor
from catalog import demo_catalog
from graph import graph
from tests.agent.scripted_runs import demo_retriever
from tools.retriever import Retriever

FLOOR_NODE_IN_GRAPH = {"fill": ("fill_step", "fill_trigger")}
"""The floor's one fill node stands for both fill nodes of the generator."""


def test_benchmark_flow_is_valid_with_and_without_remembered_lookups() -> None:
    retriever = demo_retriever()
    for forget in (False, True):
        numbers = measure(repeat=1, warmup=0, retriever=retriever, forget=forget)
        assert numbers["status"] == "valid"
        assert numbers["cpu_p50_ms"] > 0 and "lookup" in numbers["node_mean_ms"]
    assert measure(repeat=1, warmup=0, retriever=NullRetriever())["status"] == "valid"


def test_floor_graph_has_the_generator_shape() -> None:
    # The floor is only a fair baseline if it runs the same super-steps and fan-out.
    updates = list(floor_graph(10).stream({"requirement": "x"}, stream_mode="updates"))
    nodes = [name for update in updates for name in update]
    assert nodes[:2] == ["plan", "lookup"]
    assert nodes.count("fill") == 11
    assert nodes[-2:] == ["validate", "finalize"]
    assert measure_floor(10, repeat=2, warmup=0)["p50_ms"] > 0


def test_floor_graph_edges_are_edges_of_the_generator() -> None:
    # graph_floor copies graph.py's main path by hand: an edge the generator loses or
    # renames must fail here, or the floor would time a graph that no longer exists.
    real = {(e.source, e.target) for e in graph.get_graph().edges}
    floor = {(e.source, e.target) for e in floor_graph(3).get_graph().edges}
    for source, target in floor:
        sources = FLOOR_NODE_IN_GRAPH.get(source, (source,))
        targets = FLOOR_NODE_IN_GRAPH.get(target, (target,))
        for pair in ((s, t) for s in sources for t in targets):
            assert pair in real, f"floor edge {source}->{target}: {pair} is not in graph.py"


def test_chat_call_price_separates_the_wrapper_from_the_model() -> None:
    numbers = measure_chat_call(repeat=5)
    assert numbers["invoke_us"] > numbers["generate_us"] > 0
    # Each number is rounded to 0.1 µs on its own.
    assert abs(numbers["wrapper_us"] - (numbers["invoke_us"] - numbers["generate_us"])) <= 0.2


def test_rounds_alternate_blocks_of_the_configurations(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every configuration must see the same stretch of machine time: one run each per round.
    order: list[bool] = []
    real = bench_graph.run_once

    models: set[int] = set()
    modes: set[str] = set()

    def recording(retriever: Retriever, forget: bool = False, model: Any = None,
                  settings: Any = None) -> Any:
        order.append(forget)
        models.add(id(model))
        modes.add(settings.fill_tasks)
        return real(retriever, forget, model, settings)

    monkeypatch.setattr(bench_graph, "run_once", recording)
    retriever = demo_retriever()
    configs = {"a": (retriever, False), "b": (retriever, True)}
    numbers = bench_graph.measure_rounds(3, 1, configs, block=2,
                                         settings=bench_graph.bench_settings("threads"))
    # Warm-up, then per round and config one uncounted flow and a block of (at most) two.
    assert order == [False, True] + [False] * 3 + [True] * 3 + [False] * 2 + [True] * 2
    assert [numbers[k]["repeat"] for k in "ab"] == [3, 3]
    assert len(models) == 2 and id(None) not in models  # one model per configuration
    assert modes == {"threads"}  # every run gets the settings asked for
    assert numbers["a"]["min_ms"] <= numbers["a"]["p50_ms"]


def test_the_flow_makes_the_model_calls_the_report_counts() -> None:
    model = ScriptedChatModel(script=bench_graph.script())
    settings = load_settings({"model": bench_graph.SPEC}, env={})
    result = generate(bench_graph.REQUIREMENT, settings=settings, catalog=demo_catalog(),
                      retriever=demo_retriever(), models={bench_graph.SPEC: model})
    assert result.status == "valid"
    assert len(model.calls) == bench_graph.MODEL_CALLS


def test_the_overhead_leaves_out_the_models_own_time(monkeypatch: pytest.MonkeyPatch) -> None:
    # A model that burns 2 ms of CPU per answer: its time must be measured and taken off.
    real = ScriptedChatModel._generate

    def slow(self: ScriptedChatModel, *args: Any, **kwargs: Any) -> Any:
        until = time.thread_time() + 0.002
        while time.thread_time() < until:
            pass
        return real(self, *args, **kwargs)

    monkeypatch.setattr(ScriptedChatModel, "_generate", slow)
    wall, cpu, model, result = bench_graph.run_once(demo_retriever())
    assert result.status == "valid"
    assert model >= bench_graph.MODEL_CALLS * 0.002
    numbers = bench_graph.summarise([(wall, cpu, model, result)])
    assert numbers["model_ms"] == round(model * 1000, 3)
    assert numbers["p50_ms"] == round((wall - model) * 1000, 2)
    assert numbers["cpu_p50_ms"] == round((cpu - model) * 1000, 2)


def test_cpu_model_reads_the_model_name_from_cpuinfo(tmp_path: Any) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nvendor_id\t: AuthenticAMD\n"
                       "model name\t: AMD EPYC 7B13\nflags\t\t: fpu\n", encoding="utf-8")
    assert bench_graph.cpu_model(str(cpuinfo)) == "AMD EPYC 7B13"


def test_cpu_model_falls_back_without_cpuinfo(tmp_path: Any,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench_graph.platform, "processor", lambda: "")
    monkeypatch.setattr(bench_graph.platform, "machine", lambda: "arm64")
    assert bench_graph.cpu_model(str(tmp_path / "missing")) == "arm64"
    blank = tmp_path / "blank"
    blank.write_text("model name\t:\n", encoding="utf-8")
    assert bench_graph.cpu_model(str(blank)) == "arm64"
