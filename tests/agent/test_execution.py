"""Where a super-step's tasks run: the fills of in-process models in the calling thread."""

from __future__ import annotations

import contextvars
import threading
from dataclasses import dataclass
from typing import Any

import pytest
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatResult
from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, START, StateGraph
from pydantic import Field

from agent.api import generate
from agent.execution import SUBMIT_KEY, inline_submit, task_config, task_mode
from agent.scripted import ScriptedChatModel
from agent.settings import load_settings
from catalog import demo_catalog
from schemas.result import GenerationResult
from tests.agent.scripted_runs import REQUIREMENT, SCRIPTS, demo_retriever

CLEAN = SCRIPTS / "clean.yaml"
SPEC = f"scripted:{CLEAN}"


class ThreadRecordingModel(ScriptedChatModel):
    """The scripted model, noting the thread that asked for each answer."""

    threads: list[int] = Field(default_factory=list)

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: Any = None, **kwargs: Any) -> ChatResult:
        self.threads.append(threading.get_ident())
        return super()._generate(messages, stop, run_manager, **kwargs)


def run(**settings: Any) -> tuple[GenerationResult, list[int]]:
    """Generate the clean script's flow; return the result and the thread of every call."""
    model = ThreadRecordingModel.from_file(CLEAN)
    assert isinstance(model, ThreadRecordingModel)
    result = generate(
        REQUIREMENT, settings=load_settings({"model": SPEC, **settings}, env={}),
        catalog=demo_catalog(), retriever=demo_retriever(), models={SPEC: model})
    return result, model.threads


def test_langgraph_still_takes_a_submit_function_from_the_config() -> None:
    # Without the key every run falls back to the thread pool: correct, but slower.
    assert SUBMIT_KEY == "__pregel_runner_submit"


@pytest.mark.parametrize(("spec", "mode"), [
    ("builtin", "inline"), ("hf:/models/x", "inline"), ("scripted:x.yaml", "inline"),
    ("openai:gpt-4o-mini", "threads"), ("hf-endpoint:http://127.0.0.1:8080", "threads"),
])
def test_auto_uses_threads_only_for_a_remote_filler(spec: str, mode: str) -> None:
    assert task_mode(load_settings({"filler_model": spec}, env={})) == mode


def test_an_explicit_mode_beats_the_filler_kind() -> None:
    remote = {"filler_model": "openai:gpt-4o-mini"}
    assert task_mode(load_settings({**remote, "fill_tasks": "inline"}, env={})) == "inline"
    assert task_mode(load_settings({"fill_tasks": "threads"}, env={})) == "threads"
    assert task_config(load_settings({"fill_tasks": "threads"}, env={})) == {}


def test_fills_of_an_in_process_model_run_in_the_calling_thread() -> None:
    result, threads = run()
    assert result.status == "valid"
    assert len(threads) >= 3  # the plan, the trigger's fill and the step fills
    assert set(threads) == {threading.get_ident()}


def test_threads_mode_fills_in_the_pool_with_the_same_flow() -> None:
    inline, _ = run(fill_tasks="inline")
    pooled, threads = run(fill_tasks="threads")
    assert threads[0] == threading.get_ident()  # the plan: a super-step of one task
    assert any(t != threading.get_ident() for t in threads[1:])
    assert pooled.flow == inline.flow and pooled.status == inline.status


def test_inline_submit_returns_a_finished_future() -> None:
    assert inline_submit(lambda a, b=0: a + b, 2, b=3, __reraise_on_exit__=False).result() == 5
    failed = inline_submit(int, "not a number")
    assert isinstance(failed.exception(), ValueError)


def test_inline_submit_lets_ctrl_c_through_at_once() -> None:
    def interrupted() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        inline_submit(interrupted)


def test_inline_submit_runs_each_task_in_a_copy_of_the_context() -> None:
    var: contextvars.ContextVar[str] = contextvars.ContextVar("var", default="caller")
    inline_submit(var.set, "task")
    assert var.get() == "caller"


@dataclass
class Pair:
    """State of a two-node fan-out."""

    a: int = 0
    b: int = 0


def test_a_failing_task_fails_the_inline_run() -> None:
    def boom(state: Pair) -> dict[str, int]:
        raise ValueError("node failed")

    builder = StateGraph(Pair)
    builder.add_node("boom", boom)
    builder.add_node("other", lambda state: {"b": 2})
    builder.add_edge(START, "boom")
    builder.add_edge(START, "other")
    builder.add_edge("boom", END)
    builder.add_edge("other", END)
    config: RunnableConfig = {"configurable": task_config(load_settings({}, env={}))}
    assert config["configurable"]
    with pytest.raises(ValueError, match="node failed"):
        builder.compile().invoke(Pair(), config=config)
