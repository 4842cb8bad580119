"""A chat model that replays recorded outputs per node, for tests, demos and benchmarks.

Script file (JSON or YAML): one entry per node (``plan``, ``fill``, ``fill_trigger``,
``repair``). A node's value is a list of outputs replayed in order (the last one repeats once
the list is spent), or a mapping from a key to such a list; ``fill`` is keyed by step order
(``"3"``), with ``"*"`` as the fallback for any key. Each output is one of:

- a JSON object or array: sent back as its JSON text;
- a string: sent back verbatim (use it for invalid JSON);
- ``{"text": "...", "finish_reason": "length", "usage": {"input_tokens": 1, "output_tokens": 2}}``;
- ``{"error": "rate_limit" | "server" | "timeout" | "connection" | "auth"}``: the call fails;
- ``{"tool_calls": [{"name": "search_columns", "args": {...}}]}``: the model calls tools (the
  node ``fill_lookup`` / ``fill_trigger_lookup`` answers the model's own lookup rounds).

The model records every prompt it receives (`calls`) so tests can assert on them.
"""

from __future__ import annotations

import copy
import json
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, ToolCall
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import PrivateAttr

from agent.errors import FatalModelError, ModelSpecError, TransientModelError

TEXT_KEYS = frozenset({"text", "finish_reason", "usage"})


@dataclass(frozen=True)
class ScriptedCall:
    """One call the scripted model received."""

    node: str
    key: str
    messages: tuple[BaseMessage, ...]

    @property
    def prompt(self) -> str:
        """Return every message's text joined, for substring assertions."""
        return "\n".join(str(m.content) for m in self.messages)


def load_script(path: str | Path) -> dict[str, Any]:
    """Read a script file (JSON or YAML) into a mapping of node → outputs.

    Raises:
        ModelSpecError: the file is missing, unreadable or not a mapping.
    """
    try:
        stamp = Path(path).stat().st_mtime_ns
    except OSError as exc:
        raise ModelSpecError(f"cannot read script {str(path)!r}: {exc}") from None
    return copy.deepcopy(_parse_script(str(path), stamp))


@lru_cache(maxsize=32)
def _parse_script(path: str, stamp: int) -> dict[str, Any]:
    # Parsed once per file version: YAML parsing dominated the benchmark's overhead.
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ModelSpecError(f"cannot read script {path!r}: {exc}") from None
    if not isinstance(data, dict):
        raise ModelSpecError(f"script {path!r} must map node names to outputs")
    return data


class ScriptedChatModel(BaseChatModel):
    """Replay scripted outputs; the node and key arrive as call kwargs from `agent.structured`."""

    script: dict[str, Any]
    """Node name → outputs (see the module docstring)."""

    _cursor: dict[tuple[str, str], int] = PrivateAttr(default_factory=dict)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _calls: list[ScriptedCall] = PrivateAttr(default_factory=list)

    @classmethod
    def from_file(cls, path: str | Path) -> ScriptedChatModel:
        """Build a scripted model from a script file."""
        return cls(script=load_script(path))

    @property
    def _llm_type(self) -> str:
        return "flowgen-scripted"

    @property
    def calls(self) -> list[ScriptedCall]:
        """Return the calls received so far, in arrival order."""
        with self._lock:
            return list(self._calls)

    def calls_for(self, node: str, key: str | None = None) -> list[ScriptedCall]:
        """Return the calls received by one node (and key)."""
        return [c for c in self.calls if c.node == node and (key is None or c.key == key)]

    def bind_tools(self, tools: Any, **kwargs: Any) -> ScriptedChatModel:
        """Return self: scripted outputs do not depend on the tools offered."""
        return self

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        node = str(kwargs.get("script_node", "plan"))
        key = str(kwargs.get("script_key", "*"))
        with self._lock:
            self._calls.append(ScriptedCall(node, key, tuple(messages)))
            output = self._next(node, key)
        return _result(output)

    def _next(self, node: str, key: str) -> Any:
        outputs = self._outputs(node, key)
        slot = (node, key)
        index = self._cursor.get(slot, 0)
        self._cursor[slot] = index + 1
        return outputs[min(index, len(outputs) - 1)]

    def _outputs(self, node: str, key: str) -> list[Any]:
        entry = self.script.get(node)
        if isinstance(entry, dict):
            entry = entry.get(key, entry.get("*"))
        if isinstance(entry, list) and entry:
            return entry
        if entry is not None and not isinstance(entry, list):
            return [entry]
        raise FatalModelError(f"script has no output for node {node!r} key {key!r}")


def _result(output: Any) -> ChatResult:
    if isinstance(output, dict) and "error" in output:
        _raise(str(output["error"]))
    if isinstance(output, dict) and "tool_calls" in output:
        calls = [ToolCall(name=str(c["name"]), args=dict(c.get("args", {})), id=f"call_{i}",
                          type="tool_call")
                 for i, c in enumerate(output["tool_calls"])]
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content="",
                                                                       tool_calls=calls))])
    meta: dict[str, Any] = {"finish_reason": "stop"}
    usage = None
    if isinstance(output, dict) and "text" in output and set(output) <= TEXT_KEYS:
        text = str(output["text"])
        meta["finish_reason"] = output.get("finish_reason", "stop")
        usage = output.get("usage")
    elif isinstance(output, str):
        text = output
    else:
        text = json.dumps(output)
    message = AIMessage(content=text, response_metadata=meta)
    if isinstance(usage, dict):
        inp, out = int(usage.get("input_tokens", 0)), int(usage.get("output_tokens", 0))
        message.usage_metadata = {
            "input_tokens": inp,
            "output_tokens": out,
            "total_tokens": inp + out,
        }
    return ChatResult(generations=[ChatGeneration(message=message)])


def _raise(kind: str) -> None:
    if kind == "rate_limit":
        raise TransientModelError("429 Too Many Requests (scripted)")
    if kind == "server":
        raise TransientModelError("503 Service Unavailable (scripted)")
    if kind == "timeout":
        raise TimeoutError("request timed out (scripted)")
    if kind == "connection":
        raise ConnectionRefusedError("connection refused (scripted)")
    raise FatalModelError(f"scripted {kind} error")
