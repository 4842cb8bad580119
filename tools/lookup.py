"""LangChain tools over a retriever, for a model that grounds a flow in the instance catalog.

`make_lookup_tools(retriever)` binds the retriever by closure (never a module global), so one
process can serve several instances. Each tool returns a compact JSON string; a failure the
model can act on (unknown table, backend down) comes back as `{"error": "..."}` instead of
an exception, because the model reads tool output and a raised error would end its turn.
A tool call's `ToolMessage` also carries the same answer as data (its `artifact`), so the
graph reads it without parsing the JSON back: remembered answers share that data, which
readers must never change.

The generator makes ~35 lookups per flow, so the per-call price of LangChain's tool layer
matters as much as the search itself. This module deliberately has no
``from __future__ import annotations``: LangChain resolves the type hints of a tool's `_run`
on every call, and string annotations are compiled anew each time (a `StructuredTool` pays
that twice, for its own `_run` and for the wrapped function). `LookupTool` has real
annotations and calls its search function directly.
"""

import dataclasses
import inspect
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any, Generic, Literal, TypeVar

from langchain_core.callbacks import BaseCallbackManager
from langchain_core.messages import ToolMessage
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool
from langchain_core.tracers.context import tracing_v2_callback_var
from langsmith.utils import tracing_is_enabled
from pydantic import BaseModel, Field

from tools.retriever import RetrievalError, Retriever, StepCategory

_DESCRIPTION_CHARS = 160
_K = Field(default=8, ge=1, le=25, description="How many results to return (1-25).")


class SearchStepsArgs(BaseModel):
    """Arguments of `search_steps`."""

    query: str = Field(description="What the step should do, in plain words, e.g. "
                       "'find all open incidents' or 'ask the manager to approve'.")
    k: int = _K
    kinds: list[Literal["action", "subflow", "flowlogic"]] | None = Field(
        default=None, description="Only these categories; omit for all.")


class SearchTablesArgs(BaseModel):
    """Arguments of `search_tables`."""

    query: str = Field(description="The kind of record, e.g. 'incident', 'change request', "
                       "'user group'.")
    k: int = _K


class SearchColumnsArgs(BaseModel):
    """Arguments of `search_columns`."""

    query: str = Field(description="The field in plain words, e.g. 'assignment group', "
                       "'who reported it', 'due date'.")
    table: str | None = Field(default=None, description="Exact table name to search within "
                              "(inherited columns included); omit to search every table.")
    k: int = _K


class GetTableSchemaArgs(BaseModel):
    """Arguments of `get_table_schema`."""

    table: str = Field(description="Exact table name, e.g. 'incident'.")


class SearchChoicesArgs(BaseModel):
    """Arguments of `search_choices`."""

    table: str = Field(description="Exact table name, e.g. 'incident'.")
    column: str = Field(description="Exact column name of a choice field, e.g. 'state'.")
    query: str = Field(description="The value in plain words, e.g. 'resolved', 'critical'.")
    k: int = _K


class SearchTriggersArgs(BaseModel):
    """Arguments of `search_triggers`."""

    query: str = Field(description="When the flow should start, e.g. 'when an incident is "
                       "created', 'every Monday at 9', 'when an email arrives'.")
    k: int = Field(default=5, ge=1, le=25, description="How many results to return (1-25).")


V = TypeVar("V")

MEMO_SIZE = 2048
"""Answers one tool set remembers (least recently used dropped first)."""
_MEMO_KEY_CHARS = 2000
"""Longer arguments are not remembered: a pasted page must not pin memory."""


class AnswerMemo(Generic[V]):
    """A bounded, thread-safe LRU of the successful answers of one tool set.

    A retriever answers from a fixed index, so the same call always gets the same answer:
    repair rounds, chat turns and batch runs repeat most of their lookups. The plan
    candidates of `agent.candidates.PLAN_MEMO` are remembered the same way.
    """

    def __init__(self, size: int = MEMO_SIZE) -> None:
        """Remember at most `size` answers (0: none)."""
        self.size = size
        self._answers: OrderedDict[tuple[Any, ...], V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> V | None:
        """Return the remembered answer of a call (now the most recent), or None."""
        with self._lock:
            answer = self._answers.get(key)
            if answer is not None:
                self._answers.move_to_end(key)
            return answer

    def put(self, key: tuple[Any, ...], answer: V) -> None:
        """Remember an answer, dropping the least recently used one beyond the size."""
        with self._lock:
            self._answers[key] = answer
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)

    def clear(self) -> None:
        """Forget every answer."""
        with self._lock:
            self._answers.clear()


Answer = tuple[str, dict[str, Any]]
"""A lookup's answer: the JSON text the model reads, and the same answer as data."""


class LookupTool(BaseTool):
    """A lookup tool: pydantic-validated arguments in, the search function's answer out.

    When nothing observes the call (no callback handler in the config or on the tool, no
    LangSmith tracing), a tool call skips LangChain's callback and signature machinery,
    which costs several times the remembered answer itself; ToolNode still validates the
    call, routes it, and turns validation errors into error messages. With any observer,
    the full `BaseTool` path runs, so traces and callbacks see every lookup.
    """

    search: Callable[..., dict[str, Any]]
    """The search, called with the validated arguments as keywords; ``{"error": ...}`` when
    it fails in a way the model can act on."""
    memo: AnswerMemo[Answer] | None = None
    """Successful answers remembered by (tool, arguments); shared by one tool set."""
    response_format: Literal["content", "content_and_artifact"] = "content_and_artifact"

    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        if _is_tool_call(input) and not kwargs and self._unobserved(config):
            return self._fast(input)
        return super().invoke(input, config, **kwargs)

    async def ainvoke(
        self, input: Any, config: RunnableConfig | None = None, **kwargs: Any
    ) -> Any:
        if _is_tool_call(input) and not kwargs and self._unobserved(config):
            return self._fast(input)
        return await super().ainvoke(input, config, **kwargs)

    def _fast(self, call: dict[str, Any]) -> ToolMessage:
        """Answer a tool call as `BaseTool` would: validated arguments, a `ToolMessage`.

        Raises:
            pydantic.ValidationError: bad arguments (ToolNode reports them to the model).
        """
        args = call.get("args") or {}
        schema = self.args_schema
        assert isinstance(schema, type) and issubclass(schema, BaseModel)
        valid = schema.model_validate(args)
        # Like BaseTool: only the arguments given, validated; the search has the defaults.
        kwargs = {k: getattr(valid, k) for k in args if k in type(valid).model_fields}
        text, data = self._answer(kwargs)
        return ToolMessage(content=text, artifact=data, name=self.name,
                           tool_call_id=call["id"], status="success")

    def _unobserved(self, config: RunnableConfig | None) -> bool:
        if self.callbacks or self.verbose or tracing_v2_callback_var.get() is not None:
            return False
        handlers = (config or {}).get("callbacks")
        if isinstance(handlers, BaseCallbackManager):
            handlers = handlers.handlers
        return not handlers and not tracing_is_enabled()

    def _run(self, **kwargs: Any) -> Answer:
        return self._answer(kwargs)

    async def _arun(self, **kwargs: Any) -> Answer:
        # A lookup is a sub-millisecond local search: running it inline on the event loop
        # beats the executor thread LangChain's default `_arun` would hand it to.
        return self._answer(kwargs)

    def _answer(self, kwargs: dict[str, Any]) -> Answer:
        key = _memo_key(self.name, kwargs) if self.memo is not None else None
        answer = self.memo.get(key) if key is not None and self.memo is not None else None
        if answer is None:
            data = self.search(**kwargs)
            answer = (_dump(data), data)
            if key is not None and self.memo is not None and "error" not in data:
                self.memo.put(key, answer)  # a backend failure may pass: ask again
        return answer


def _is_tool_call(value: Any) -> bool:
    return isinstance(value, dict) and value.get("type") == "tool_call" and "id" in value


def _memo_key(name: str, kwargs: dict[str, Any]) -> tuple[Any, ...] | None:
    items = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in kwargs.items()))
    size = sum(len(v) for _, v in items if isinstance(v, str))
    return (name, items) if size <= _MEMO_KEY_CHARS else None


def clear_memos(tools: Iterable[BaseTool]) -> None:
    """Forget the remembered answers of lookup tools (benchmarks timing the searches)."""
    for tool in tools:
        if isinstance(tool, LookupTool) and tool.memo is not None:
            tool.memo.clear()


def make_lookup_tools(retriever: Retriever, memo_size: int = MEMO_SIZE) -> list[BaseTool]:
    """Return the six lookup tools bound to `retriever`, ready for LangGraph's ToolNode.

    The tools share one `AnswerMemo` of `memo_size` answers (0: no memo).
    """
    r = retriever
    memo: AnswerMemo[Answer] | None = AnswerMemo(memo_size) if memo_size > 0 else None
    # A table's schema is fixed for the retriever's catalog, and the column and choice tools
    # check names against it on every call: build each one once, not once per call.
    schema_of = lru_cache(maxsize=1024)(r.get_table_schema)

    @lru_cache(maxsize=1024)
    def columns_of(table: str) -> frozenset[str] | None:
        schema = schema_of(table)
        return None if schema is None else frozenset(c.name for c in schema.columns)

    def search_steps(
        query: str, k: int = 8, kinds: list[StepCategory] | None = None
    ) -> dict[str, Any]:
        """Find actions, subflows and flow-logic blocks (IF, FOREACH, ...) for one flow step.

        Returns JSON {"steps": [{category, definition, scope, label, description, score}]};
        use `category`, `definition` and `scope` exactly as given in the flow component.
        """
        wanted = frozenset(kinds) if kinds else None
        return _run(lambda: {"steps": [_compact(h) for h in r.search_steps(query, k, wanted)]})

    def search_tables(query: str, k: int = 8) -> dict[str, Any]:
        """Find tables of the instance by what they hold.

        Returns JSON {"tables": [{name, label, parent, description, score}]}; use `name`.
        """
        return _run(lambda: {"tables": [_compact(h) for h in r.search_tables(query, k)]})

    def search_columns(query: str, table: str | None = None, k: int = 8) -> dict[str, Any]:
        """Find columns (fields) by meaning, optionally within one table.

        Returns JSON {"columns": [{table, column, label, type, reference, owner, score}]};
        `reference` names the table a reference column points to, `owner` the table that
        defines an inherited column. Use `column` in conditions and values.
        """
        if table is not None and columns_of(table) is None:
            return _error(f"unknown table {table!r}: call search_tables first")
        return _run(lambda: {"columns": [_compact(h) for h in r.search_columns(query, table, k)]})

    def get_table_schema(table: str) -> dict[str, Any]:
        """Show every column of a table (inherited ones included) with types and choices.

        Returns JSON {name, label, parent, lineage, columns: [{name, label, type, reference,
        mandatory, owner, choices: [{value, label}]}]}. Choice fields take the stored `value`.
        """
        schema = schema_of(table)
        if schema is None:
            return _error(f"unknown table {table!r}: call search_tables first")
        return _compact(schema)

    def search_choices(table: str, column: str, query: str, k: int = 8) -> dict[str, Any]:
        """Find the stored value of a choice field (state, priority, ...) from its meaning.

        Returns JSON {"choices": [{table, column, value, label, score}]}; write `value`
        (e.g. state=6), never the label, into conditions and field values.
        """
        if column not in (columns_of(table) or ()):
            return _error(f"unknown column {table}.{column}: call get_table_schema first")
        return _run(lambda: {"choices": [_compact(h)
                                         for h in r.search_choices(table, column, query, k)]})

    def search_triggers(query: str, k: int = 5) -> dict[str, Any]:
        """Find the trigger type that starts the flow (record created/updated, schedule, ...).

        Returns JSON {"triggers": [{type, label, description, record_based, score}]}; a
        record-based trigger also needs a `table` input.
        """
        return _run(lambda: {"triggers": [_compact(h) for h in r.search_triggers(query, k)]})

    specs: list[tuple[Callable[..., dict[str, Any]], type[BaseModel]]] = [
        (search_steps, SearchStepsArgs),
        (search_tables, SearchTablesArgs),
        (search_columns, SearchColumnsArgs),
        (get_table_schema, GetTableSchemaArgs),
        (search_choices, SearchChoicesArgs),
        (search_triggers, SearchTriggersArgs),
    ]
    return [
        LookupTool(name=f.__name__, description=inspect.cleandoc(f.__doc__ or ""),
                   args_schema=schema, search=f, memo=memo)
        for f, schema in specs
    ]


def _run(produce: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    try:
        return produce()
    except RetrievalError as exc:
        return _error(f"catalog search failed: {exc}")


def _error(message: str) -> dict[str, Any]:
    return {"error": message}


def _dump(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _compact(hit: Any) -> dict[str, Any]:
    """Drop empty fields, shorten descriptions and round scores: less for the model to read."""
    out: dict[str, Any] = _prune(hit)
    return out


_FIELDS: dict[type, tuple[str, ...]] = {}
_LEAVES = frozenset({str, int, float, bool})


def _field_names(cls: type) -> tuple[str, ...]:
    """Return the field names of a dataclass type, () for any other type (memoised)."""
    names = _FIELDS.get(cls)
    if names is None:
        fields = dataclasses.fields(cls) if dataclasses.is_dataclass(cls) else ()
        names = tuple(f.name for f in fields)
        _FIELDS[cls] = names
    return names


def _prune(value: Any) -> Any:
    # Walks the (frozen, flat-ish) hit dataclasses directly: `dataclasses.asdict` deep-copies
    # every value first, which cost more than the search for small hits.
    names = _field_names(type(value))
    if names:
        value = {name: getattr(value, name) for name in names}
    if isinstance(value, dict):
        out = {}
        for key, v in value.items():
            if v is None or v == "" or v == () or v == []:
                continue
            if key == "score" and isinstance(v, float):
                v = round(v, 3)
            elif key == "description" and isinstance(v, str) and len(v) > _DESCRIPTION_CHARS:
                v = v[: _DESCRIPTION_CHARS - 1] + "…"
            # Most fields are plain text or numbers: only nested values need the walk.
            out[key] = v if type(v) in _LEAVES else _prune(v)
        return out
    if isinstance(value, list | tuple):
        return [_prune(v) for v in value]
    return value
