"""Where the parallel tasks of a super-step run: LangGraph's thread pool, or the calling thread.

The fill fan-out puts one task per step in one super-step. LangGraph's sync runner hands such a
super-step to a thread pool it opens for every run: concurrent fills, which is what a remote
model needs (one HTTP request per step, all in flight at once). An in-process model (builtin,
``hf:``, ``scripted:``) answers one call at a time anyway, so there the pool only adds thread
starts and hand-offs: about 4–5 ms a 10-step flow pinned to one core, and 9 ms on two cores,
where every hand-off crosses cores (docs/generator.md, "Session 11"). ``inline`` runs the tasks
one after another in the calling thread instead.

LangGraph has no public switch for this yet (langchain-ai/langgraph#8820 proposes one). Its
runner takes the function that submits tasks from the private config key
``CONFIG_KEY_RUNNER_SUBMIT``, the one that issue's reproduction uses; this module is the only
place that knows it. Should the key go away, runs fall back to the pool: slower, never wrong,
and `tests/agent/test_execution.py` fails so that the change is seen.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from contextvars import copy_context
from typing import Any, Literal

from agent.models import spec_kind
from agent.settings import Settings

SUBMIT_KEY: str | None
try:
    from langgraph._internal._constants import CONFIG_KEY_RUNNER_SUBMIT as SUBMIT_KEY
except ImportError:  # a LangGraph without the key: the pool it is
    SUBMIT_KEY = None

TaskMode = Literal["threads", "inline"]
REMOTE_KINDS = frozenset({"openai", "hf-endpoint"})
"""Model kinds that answer over the network, where concurrent fills overlap the waits."""


def task_mode(settings: Settings) -> TaskMode:
    """Return where a run's parallel tasks go (``fill_tasks``; ``auto`` reads the filler)."""
    if settings.fill_tasks != "auto":
        return settings.fill_tasks
    return "threads" if spec_kind(settings.model_for("filler")) in REMOTE_KINDS else "inline"


def task_config(settings: Settings) -> dict[str, Any]:
    """Return the ``configurable`` entries that make a run's tasks follow `task_mode`."""
    if task_mode(settings) == "threads" or SUBMIT_KEY is None:
        return {}
    return {SUBMIT_KEY: _inline_submitter}


def _inline_submitter() -> Callable[..., concurrent.futures.Future[Any]]:
    # The runner calls the value of the key to get the submit function (it expects a weak
    # method there), so the key holds this factory, not `inline_submit` itself.
    return inline_submit


def inline_submit(fn: Callable[..., Any], /, *args: Any, __name__: str | None = None,
                  __cancel_on_exit__: bool = False, __reraise_on_exit__: bool = True,
                  __next_tick__: bool = False, **kwargs: Any) -> concurrent.futures.Future[Any]:
    """Run `fn` now, in this thread, and return its result as a finished future.

    The signature is that of LangGraph's own `BackgroundExecutor.submit`; its scheduling flags
    mean nothing to a task that has already run (``__next_tick__`` only serves the functional
    API's ``call``, which the generator does not use). As in a pool, the task runs in a copy of the
    caller's context, and its error is kept in the future for the runner to raise after the
    super-step. Only an `Exception` is kept: Ctrl-C stops the run at once.
    """
    future: concurrent.futures.Future[Any] = concurrent.futures.Future()
    try:
        future.set_result(copy_context().run(fn, *args, **kwargs))
    except Exception as exc:  # noqa: BLE001 - not hidden: the runner raises it, as from a pool
        future.set_exception(exc)
    return future
