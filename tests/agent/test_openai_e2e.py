"""The langchain-openai path for real: a local OpenAI-compatible server replays recorded answers.

The server runs on 127.0.0.1 in a thread, answers `/v1/chat/completions` by recognising which
node is asking (from the prompt), and keeps every request so the tests can check what the
generator sent: the model name, the JSON-schema response format, the token limit, the key, and
the tool-call round trip of a filler that makes its own lookups.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import yaml

from agent.api import generate
from agent.settings import load_settings
from catalog import demo_catalog
from tests.agent.scripted_runs import REQUIREMENT, SCRIPTS, demo_retriever

RECORDED = yaml.safe_load((SCRIPTS / "clean.yaml").read_text(encoding="utf-8"))


@dataclass
class Replay:
    """What the server answers and what it has received."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    failures: dict[str, list[int]] = field(default_factory=dict)
    """Node → HTTP statuses to answer before the recorded output (consumed in order)."""
    truncate: set[str] = field(default_factory=set)
    """Nodes whose first answer stops at the token limit."""
    lookups: set[str] = field(default_factory=set)
    """Steps whose filler asks for one column search when offered tools (then stops)."""
    lock: threading.Lock = field(default_factory=threading.Lock)


def node_of(body: dict[str, Any]) -> tuple[str, str]:
    """Tell which node sent a request, and which step it is about."""
    text = "\n".join(str(m.get("content", "")) for m in body["messages"])
    if "fix the outline" in text:
        return "repair", "*"
    if "outline of a flow" in text:
        return "plan", "*"
    if "inputs of a flow's trigger" in text:
        return "fill_trigger", "trigger"
    step = re.search(r"^Step (\d+):", text, re.MULTILINE)
    return "fill", step.group(1) if step else "*"


def answer(node: str, key: str) -> str:
    """Return the recorded output of a node as JSON text."""
    entry = RECORDED["plan" if node == "repair" else node]
    value = entry[key] if isinstance(entry, dict) else entry
    return json.dumps(value[0])


def completion(model: str, text: str, finish: str = "stop") -> dict[str, Any]:
    """Build a chat-completions response body."""
    return {
        "id": "chatcmpl-test", "object": "chat.completion", "created": 0, "model": model,
        "choices": [{"index": 0, "finish_reason": finish,
                     "message": {"role": "assistant", "content": text}}],
        "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
    }


def tool_call_completion(model: str, name: str = "search_columns",
                         arguments: str | None = None) -> dict[str, Any]:
    """Build a response in which the model calls one tool (a column search by default)."""
    if arguments is None:
        arguments = json.dumps({"query": "assigned to", "table": "incident"})
    call = {"id": "call_1", "type": "function",
            "function": {"name": name, "arguments": arguments}}
    body = completion(model, "", "tool_calls")
    body["choices"][0]["message"] = {"role": "assistant", "content": None, "tool_calls": [call]}
    return body


def make_handler(replay: Replay) -> type[BaseHTTPRequestHandler]:
    """Build the request handler class bound to one replay."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            node, key = node_of(body)
            with replay.lock:
                replay.requests.append(body)
                replay.headers.append({k.lower(): v for k, v in self.headers.items()})
                pending = replay.failures.get(node, [])
                status = pending.pop(0) if pending else 200
                truncated = node in replay.truncate
                replay.truncate.discard(node)
                wants_lookup = "tools" in body and key in replay.lookups
                if wants_lookup:
                    replay.lookups.discard(key)
            if status != 200:
                self._send(status, {"error": {"message": "scripted", "type": "server_error"}})
            elif body.get("tool_choice", {}).get("function", {}).get("name") == "answer":
                self._send(200, tool_call_completion(body["model"], "answer", answer(node, key)))
            elif "tools" in body:
                reply = tool_call_completion(body["model"]) if wants_lookup else completion(
                    body["model"], "enough")
                self._send(200, reply)
            elif truncated:
                self._send(200, completion(body["model"], '{"name": "Reass', "length"))
            else:
                self._send(200, completion(body["model"], answer(node, key)))

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Keep the test output quiet."""

    return Handler


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Replay]]:
    """Serve a replay on a free loopback port; yield its base URL and the replay."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    replay = Replay()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(replay))
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1", replay
    httpd.shutdown()
    httpd.server_close()


def run(base_url: str, **settings: Any) -> Any:
    """Generate the test requirement with every role on the local server."""
    values = {"model": "openai:replay-model", "base_url": base_url, "backoff_s": 0.0,
              "timeout_s": 10.0, "max_new_tokens": 700, **settings}
    return generate(REQUIREMENT, settings=load_settings(values, env={}),
                    catalog=demo_catalog(), retriever=demo_retriever())


def test_generates_over_http_with_schema_and_token_limit(server: tuple[str, Replay]) -> None:
    base_url, replay = server
    result = run(base_url)
    assert result.status == "valid", result.issues
    assert [c["definition"] for c in result.flow["components"]] == [
        "look_up_records", "FOREACH", "update_record"]
    assert len(replay.requests) == 5  # plan, trigger, three steps
    for body in replay.requests:
        assert body["model"] == "replay-model"
        assert body["response_format"]["type"] == "json_schema"
        assert body["max_tokens"] == 700  # extra_body, for servers ignoring the new name
        assert [m["role"] for m in body["messages"]] == ["system", "user"]
    plan_schema = replay.requests[0]["response_format"]["json_schema"]["schema"]
    assert "record_update" in plan_schema["properties"]["trigger"]["anyOf"][0][
        "properties"]["type"]["enum"]
    assert all(h["authorization"] == "Bearer not-needed" for h in replay.headers)
    assert result.tokens["plan"].input_tokens == 100
    assert result.tokens["fill"].output_tokens == 60


def test_rate_limit_and_server_errors_are_retried(server: tuple[str, Replay]) -> None:
    base_url, replay = server
    replay.failures["plan"] = [429, 503]
    result = run(base_url, retries=2)
    assert result.status == "valid"
    assert sum(1 for b in replay.requests if node_of(b)[0] == "plan") == 3


def test_persistent_server_error_fails_cleanly(server: tuple[str, Replay]) -> None:
    base_url, replay = server
    replay.failures["plan"] = [500, 500]
    result = run(base_url, retries=1)
    assert result.status == "failed"
    assert result.reason is not None
    assert "'plan'" in result.reason and "openai:replay-model" in result.reason
    assert "HTTP 500" in result.reason


def test_truncated_answer_becomes_an_issue(server: tuple[str, Replay]) -> None:
    base_url, replay = server
    replay.truncate.add("plan")
    result = run(base_url)
    assert [i.code for i in result.initial_issues] == ["invalid_json"]
    assert result.status == "valid" and result.repairs_used == 1


def test_connection_refused_fails_cleanly() -> None:
    result = run("http://127.0.0.1:9/v1", retries=0, timeout_s=2.0)
    assert result.status == "failed"
    assert "connection failed" in (result.reason or "")


def test_missing_api_key_fails_cleanly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    result = generate(REQUIREMENT, settings=load_settings({"model": "openai:gpt-4o-mini"}, env={}),
                      catalog=demo_catalog(), retriever=demo_retriever())
    assert result.status == "failed"
    assert "missing API key" in (result.reason or "") and "OPENAI_API_KEY" in (result.reason or "")


def test_model_lookups_round_trip_over_http(server: tuple[str, Replay]) -> None:
    base_url, replay = server
    replay.lookups.add("1")
    result = run(base_url, model_lookup_rounds=2)
    assert result.status == "valid"
    offered = [b for b in replay.requests if "tools" in b]
    assert {t["function"]["name"] for t in offered[0]["tools"]} >= {"search_columns"}
    step1 = next(b for b in replay.requests
                 if "tools" not in b and node_of(b) == ("fill", "1"))
    roles = [m["role"] for m in step1["messages"]]
    assert roles == ["system", "user", "assistant", "tool"]
    assert "assigned_to" in step1["messages"][-1]["content"]
    assert step1["response_format"]["type"] == "json_schema"


@pytest.mark.parametrize("method", ["function_calling", "json_object"])
def test_other_structured_methods(server: tuple[str, Replay], method: str) -> None:
    base_url, replay = server
    result = run(base_url, structured_method=method)
    assert result.status == "valid", result.issues
    for body in replay.requests:
        if method == "json_object":
            assert body["response_format"] == {"type": "json_object"}
        else:
            assert "response_format" not in body
            assert body["tool_choice"]["function"]["name"] == "answer"
