"""Ask a model for JSON under a schema; bad output becomes issues, failures become one error.

The model's text is untrusted input: it is parsed and validated here with pydantic, and any
problem (invalid JSON, a length stop, a wrong shape) comes back as an `Issue` that the repair
loop sees. Transport failures (timeouts, 429/5xx, refused connections) are retried with
exponential backoff; what is left raises `ModelCallError` naming only the node and model spec.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import httpx
import openai
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from pydantic import BaseModel, ValidationError

from agent.errors import FatalModelError, ModelCallError, TransientModelError
from agent.models import spec_kind
from agent.settings import Settings
from schemas.issues import Issue
from schemas.result import TokenUsage

T = TypeVar("T", bound=BaseModel)
log = logging.getLogger(__name__)

RETRYABLE: tuple[type[BaseException], ...] = (
    TransientModelError,
    TimeoutError,
    ConnectionError,
    openai.APIConnectionError,  # includes APITimeoutError
    openai.RateLimitError,
    openai.InternalServerError,
    httpx.TransportError,  # hf-endpoint models talk httpx directly
)
# Errors a retry cannot fix; RuntimeError/ValueError cover local generation failures, and
# httpx errors come from hf-endpoint models (huggingface_hub), transient ones sorted out below.
FATAL: tuple[type[BaseException], ...] = (
    FatalModelError,
    openai.APIStatusError,
    openai.OpenAIError,
    httpx.HTTPError,
    RuntimeError,
    ValueError,
    OSError,
)
LOCAL_KINDS = frozenset({"builtin", "hf"})
"""Model kinds decoded locally under a grammar (`agent.local_model.LocalConstrainedChat`)."""
TRANSIENT_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.IGNORECASE)


@dataclass(frozen=True)
class Call:
    """Who is calling: used for script keys, error messages and issue positions."""

    node: str
    spec: str
    key: str = "*"
    order: int | None = None


@dataclass
class Outcome(Generic[T]):
    """The parsed value (None when unusable), the issues found, and the reported usage."""

    value: T | None
    issues: list[Issue] = field(default_factory=list)
    usage: TokenUsage | None = None
    text: str = ""
    load_s: float = 0.0
    """Seconds this call spent building (loading) its model: non-zero on first use only."""


def call_structured(
    model: BaseChatModel,
    messages: list[BaseMessage],
    schema: Callable[[], dict[str, Any]],
    output_type: type[T],
    call: Call,
    settings: Settings,
    grammar: str | None = None,
) -> Outcome[T]:
    """Call `model` for one JSON value matching `schema`, parsed into `output_type`.

    A local constrained decoder (``builtin``, ``hf:``) decodes under `grammar` (EBNF, see
    `agent.grammars`) when one is given, else under the schema `schema` builds; OpenAI-compatible
    servers get that schema. `schema` is called only for a model that is sent it.

    Raises:
        ModelCallError: the call failed after the bounded retries (or could never succeed).
    """
    kwargs = _request_kwargs(call, schema, settings, grammar)
    try:
        message = invoke_with_retries(model, messages, kwargs, call, settings)
    except openai.LengthFinishReasonError:
        # The OpenAI client refuses to hand back a truncated structured answer.
        return Outcome(None, [_truncated(call)])
    text, finish = _text_of(message)
    usage = _usage(message)
    if finish == "length":
        return Outcome(None, [_truncated(call)], usage, text)
    value, issues = parse_json_output(text, output_type, call.order)
    return Outcome(value, issues, usage, text)


def parse_json_output(
    text: str, output_type: type[T], order: int | None = None
) -> tuple[T | None, list[Issue]]:
    """Parse model text into `output_type`, turning every failure into an issue."""
    cleaned = _FENCE.sub("", text.strip())
    try:
        data = json.loads(cleaned)
    except json.JSONDecodeError as exc:
        return None, [_issue("invalid_json", order, f"output is not JSON: {exc.msg}",
                             "answer with one JSON object and nothing else")]
    try:
        return output_type.model_validate(data), []
    except ValidationError as exc:
        return None, [_schema_issue(exc, order)]


def _request_kwargs(
    call: Call, schema: Callable[[], dict[str, Any]], settings: Settings, grammar: str | None
) -> dict[str, Any]:
    kind = spec_kind(call.spec)
    if kind == "scripted":
        return {"script_node": call.node, "script_key": call.key}
    if kind in LOCAL_KINDS:
        return {"grammar": grammar} if grammar is not None else {"json_schema": schema()}
    if kind == "openai":
        if settings.structured_method == "json_object":
            return {"response_format": {"type": "json_object"}}
        if settings.structured_method == "function_calling":
            return {"tools": [_function(schema())],
                    "tool_choice": {"type": "function", "function": {"name": "answer"}}}
        return {"response_format": {"type": "json_schema", "json_schema": {
            "name": "answer", "schema": schema(), "strict": False}}}
    return {}


def _function(schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": "function", "function": {
        "name": "answer", "description": "Give the answer.", "parameters": schema}}


def invoke_with_retries(
    model: Any,
    messages: list[BaseMessage],
    kwargs: dict[str, Any],
    call: Call,
    settings: Settings,
) -> BaseMessage:
    """Invoke a chat model (or a model with tools bound), retrying transient failures.

    Raises:
        ModelCallError: a fatal failure, or a transient one that outlived the retries.
        openai.LengthFinishReasonError: passed through for the caller to turn into an issue.
    """
    attempts = settings.retries + 1
    for attempt in range(attempts):
        try:
            return model.invoke(messages, **kwargs)
        except openai.LengthFinishReasonError:
            raise
        except (*RETRYABLE, *FATAL) as exc:
            if not is_transient(exc):
                raise ModelCallError(call.node, call.spec, describe_error(exc)) from None
            if attempt == attempts - 1:
                raise ModelCallError(call.node, call.spec,
                                     f"{describe_error(exc)} after {attempts} attempt(s)") from None
            delay = min(settings.backoff_s * 2**attempt, settings.backoff_max_s)
            log.warning("model %s in node %s: %s; retrying in %.1fs",
                        call.spec, call.node, describe_error(exc), delay)
            time.sleep(delay)
    raise AssertionError("unreachable: the loop returns or raises")


def is_transient(exc: BaseException) -> bool:
    """Tell whether a failed call is worth retrying (rate limit, 5xx, timeout, dropped link)."""
    if isinstance(exc, RETRYABLE):
        return True
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    return isinstance(exc, httpx.HTTPError) and status in TRANSIENT_STATUS


def describe_error(exc: BaseException) -> str:
    """Describe a model failure in one line without request content or secrets."""
    if isinstance(exc, openai.APITimeoutError | TimeoutError | httpx.TimeoutException):
        return "timeout"
    if isinstance(exc, openai.APIConnectionError | ConnectionError | httpx.TransportError):
        return "connection failed"
    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code} from the model server"
    status = getattr(getattr(exc, "response", None), "status_code", None)
    if isinstance(exc, httpx.HTTPError) and status is not None:
        return f"HTTP {status} from the model server"
    if isinstance(exc, TransientModelError | FatalModelError):
        return str(exc)
    return f"{type(exc).__name__}: {str(exc)[:200]}"


def _text_of(message: BaseMessage) -> tuple[str, str | None]:
    finish = message.response_metadata.get("finish_reason")
    if isinstance(message, AIMessage) and message.tool_calls:
        return json.dumps(message.tool_calls[0]["args"]), finish
    content = message.content
    if isinstance(content, list):
        content = "".join(p if isinstance(p, str) else str(p.get("text", "")) for p in content)
    return str(content), finish


def _usage(message: BaseMessage) -> TokenUsage | None:
    meta = getattr(message, "usage_metadata", None)
    if not meta:
        return None
    return TokenUsage(input_tokens=meta.get("input_tokens", 0),
                      output_tokens=meta.get("output_tokens", 0))


def _issue(code: str, order: int | None, message: str, hint: str) -> Issue:
    return Issue(code=code, severity="error", kind="schema", order=order, path="",
                 message=message, hint=hint)


def _truncated(call: Call) -> Issue:
    return _issue("invalid_json", call.order, "output was cut off at the token limit",
                  "answer with a shorter JSON object: fewer steps, no extra text")


def _schema_issue(exc: ValidationError, order: int | None) -> Issue:
    parts = []
    for err in exc.errors()[:5]:
        where = "/" + "/".join(str(p) for p in err["loc"])
        parts.append(f"{where}: {err['msg']}")
    return _issue("schema_violation", order, "output has the wrong shape: " + "; ".join(parts),
                  "follow the output shape exactly: field names, types and nesting")
