"""What every model-calling node shares: ask the role's model, time it, report failures."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

from agent.context import Context
from agent.errors import GeneratorError, ModelCallError
from agent.model_lookups import can_look_up, gather_lookups
from agent.models import spec_kind
from agent.prompts import render_messages
from agent.settings import Role
from agent.structured import LOCAL_KINDS, Call, Outcome, call_structured
from catalog import CatalogError
from schemas.issues import Issue
from tools.retriever import RetrievalError

T = TypeVar("T", bound=BaseModel)

RUN_ERRORS: tuple[type[Exception], ...] = (GeneratorError, CatalogError, RetrievalError)
"""Errors that end a run with status `failed` (reason = the error's one-line message)."""


def ask(
    ctx: Context,
    role: Role,
    node: str,
    variables: dict[str, Any],
    schema: Callable[[], dict[str, Any]],
    output_type: type[T],
    *,
    key: str = "*",
    order: int | None = None,
    model_lookups: bool = False,
    grammar: Callable[[], str] | None = None,
) -> Outcome[T]:
    """Render a node's prompt for the role's model and call it for structured output.

    With `model_lookups`, a tool-calling model may first make bounded catalog lookups of its
    own (`agent.model_lookups`); the structured answer then sees their results. `schema`
    builds the JSON schema of the answer, and is only called for models that are sent one;
    `grammar` builds the EBNF a local constrained decoder uses instead, and is only called for
    such models.

    Raises:
        ModelCallError: the model could not be built or called (after retries).
        PromptError: the prompt template is missing or lacks a variable.
    """
    spec = ctx.settings.model_for(role)
    fresh, started = spec not in ctx.models, time.perf_counter()
    try:
        model, spec = ctx.get_model(role)
    except GeneratorError as exc:
        raise ModelCallError(node, spec, str(exc)) from None
    # A first use loads the model (the built-in one: seconds of imports and weights); counted
    # apart so the node's time is the node's. A call that waited for another thread's load
    # counts its wait the same way.
    load_s = time.perf_counter() - started if fresh else 0.0
    messages = render_messages(node, ctx.settings.style_for(spec), **variables)
    call = Call(node=node, spec=spec, key=key, order=order)
    if model_lookups and can_look_up(spec, ctx.settings):
        messages = gather_lookups(model, messages, ctx.get_tool_node(), call, ctx.settings)
    ebnf = grammar() if grammar is not None and spec_kind(spec) in LOCAL_KINDS else None
    outcome = call_structured(model, messages, schema, output_type, call, ctx.settings, ebnf)
    outcome.load_s = load_s
    return outcome


def since(started: float) -> float:
    """Return the seconds elapsed since `started` (a `time.perf_counter()` value)."""
    return time.perf_counter() - started


MODEL_LOAD = "model_load"
"""The timings key of the seconds spent loading models, apart from the nodes that asked."""


def accounting(node: str, started: float, outcome: Outcome[Any] | None = None) -> dict[str, Any]:
    """Return the timing (and token usage, when reported) update of one node call."""
    load = outcome.load_s if outcome is not None else 0.0
    timings = {node: since(started) - load, MODEL_LOAD: load} if load else {node: since(started)}
    update: dict[str, Any] = {"timings": timings}
    if outcome is not None and outcome.usage is not None:
        update["tokens"] = {node: outcome.usage}
    return update


def issue_dict(issue: Issue, fragment: str = "") -> dict[str, Any]:
    """Describe an issue for a prompt: the contract keys plus the faulty fragment."""
    return {
        "code": issue.code,
        "order": issue.order,
        "path": issue.path,
        "message": issue.message,
        "hint": issue.hint,
        "fragment": fragment,
    }
