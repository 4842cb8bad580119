"""The LangGraph floor of the generator: its graph's shape and state with nodes that do nothing.

`bench_graph` measures everything but model time. Part of that is LangGraph's own price for
the generator's shape (plan → lookup → one `Send` per step and the trigger → validate →
finalize, over the real `State` with its reducers); part is flowgen's work in the nodes. This
graph keeps the first and drops the second, so the benchmark can say which is which: the time
above this floor is what flowgen's nodes, prompts, lookups and model calls through LangChain
add. `measure_chat_call` prices one of those calls: LangChain's `BaseChatModel.invoke` around an
answer that is already there.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, START, StateGraph
from langgraph.types import Send

from agent.state import TRIGGER_ORDER, InputState, OutputState, State, StepFill


def floor_graph(steps: int) -> Any:
    """Compile a no-op graph of the generator's shape with `steps` fills plus the trigger's."""

    def plan(state: State) -> dict[str, Any]:
        return {"outline_version": state.outline_version + 1}

    def lookup(state: State) -> dict[str, Any]:
        return {"lookups": {}}

    def fan_out(state: State) -> list[Send]:
        return [Send("fill", {"order": o, "version": state.outline_version})
                for o in range(TRIGGER_ORDER, steps + 1)]

    def fill(task: dict[str, Any]) -> dict[str, Any]:
        return {"fills": {task["order"]: StepFill(task["order"], task["version"], [])}}

    def validate(state: State) -> dict[str, Any]:
        return {"issues": []}

    def finalize(state: State) -> dict[str, Any]:
        return {"result": None}

    builder = StateGraph(State, input_schema=InputState, output_schema=OutputState)
    # Added untyped: letting mypy match these local functions against `add_node`'s overloads
    # changes how it then reads graph.py's nodes (its inference is order-dependent there).
    nodes: dict[str, Any] = {"plan": plan, "lookup": lookup, "fill": fill,
                             "validate": validate, "finalize": finalize}
    for name, node in nodes.items():
        builder.add_node(name, node)
    builder.add_edge(START, "plan")
    builder.add_edge("plan", "lookup")
    builder.add_conditional_edges("lookup", fan_out, ["fill"])
    builder.add_edge("fill", "validate")
    builder.add_edge("validate", "finalize")
    builder.add_edge("finalize", END)
    return builder.compile(name="flowgen-floor")


def measure_floor(steps: int, repeat: int, warmup: int,
                  config: RunnableConfig | None = None) -> dict[str, Any]:
    """Run the no-op graph and return its wall time per run (milliseconds).

    `config` is that of the generator's runs (`agent.api.run_config`), so that the floor's
    fills run where the generator's do (`agent.execution`).
    """
    graph = floor_graph(steps)
    for _ in range(warmup):
        graph.invoke({"requirement": "x"}, config)
    walls: list[float] = []
    for _ in range(repeat):
        started = time.perf_counter()
        graph.invoke({"requirement": "x"}, config)
        walls.append((time.perf_counter() - started) * 1000)
    return {"steps": steps, "repeat": repeat,
            "mean_ms": round(statistics.fmean(walls), 2),
            "p50_ms": round(statistics.median(walls), 2),
            "min_ms": round(min(walls), 2)}


def measure_chat_call(repeat: int) -> dict[str, Any]:
    """Time LangChain's `invoke` on an instant chat model against its bare `_generate` (µs)."""
    model = FakeListChatModel(responses=['{"inputs":[]}'])
    messages = [SystemMessage(content="rules " * 300), HumanMessage(content="step " * 80)]

    def per_call(call: Any) -> float:
        for _ in range(20):
            call()
        started = time.perf_counter()
        for _ in range(repeat):
            call()
        return (time.perf_counter() - started) / repeat * 1e6

    invoke = per_call(lambda: model.invoke(messages))
    bare = per_call(lambda: model._generate(messages))
    return {"repeat": repeat, "invoke_us": round(invoke, 1), "generate_us": round(bare, 1),
            "wrapper_us": round(invoke - bare, 1)}
