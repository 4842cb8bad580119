"""The one model factory: spec strings → LangChain chat models.

Specs:

- ``openai:<model>``: langchain-openai ``ChatOpenAI``; ``base_url`` reaches any
  OpenAI-compatible server (vLLM, llama.cpp, Ollama, ``transformers serve``, OpenAI).
- ``hf:<local model dir>``: ``agent.local_model.LocalConstrainedChat`` (offline, with
  JSON-schema-constrained decoding); ``builtin`` is the same over ``models/builtin/``.
- ``hf-endpoint:<url>``: langchain-huggingface ``HuggingFaceEndpoint`` + ``ChatHuggingFace``.
- ``scripted:<file>``: `agent.scripted.ScriptedChatModel` replaying recorded outputs.

Heavy libraries (torch, transformers, huggingface_hub) are imported only when a spec needs them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from langchain_core.language_models.chat_models import BaseChatModel

from agent.errors import FatalModelError, ModelSpecError
from agent.settings import Settings

SpecKind = Literal["openai", "hf", "builtin", "hf-endpoint", "scripted"]
VALID_FORMS = (
    "openai:<model>, hf:<local model dir>, hf-endpoint:<url>, builtin, scripted:<file>"
)
BUILTIN_DIR = Path(__file__).resolve().parent.parent / "models" / "builtin"
"""Where the project's own small model lives (committed with the repository)."""

# Local servers accept any key; OpenAI itself needs the real one.
PLACEHOLDER_KEY = "not-needed"


def spec_kind(spec: str) -> SpecKind:
    """Return the kind of a model spec.

    Raises:
        ModelSpecError: the spec has none of the valid forms (the message lists them).
    """
    if spec == "builtin":
        return "builtin"
    prefix, sep, rest = spec.partition(":")
    if sep and rest.strip():
        if prefix == "openai":
            return "openai"
        if prefix == "hf":
            return "hf"
        if prefix == "hf-endpoint":
            return "hf-endpoint"
        if prefix == "scripted":
            return "scripted"
    raise ModelSpecError(f"unknown model spec {spec!r}; valid forms: {VALID_FORMS}")


def check_spec(spec: str) -> None:
    """Check a spec without building its model: its form, and that a named dir/file exists.

    Raises:
        ModelSpecError: malformed spec, or a missing model directory or script file.
    """
    kind = spec_kind(spec)
    target = spec.partition(":")[2]
    if kind in ("builtin", "hf"):
        model_dir = BUILTIN_DIR if kind == "builtin" else Path(target)
        if not model_dir.is_dir():
            raise ModelSpecError(f"model directory {str(model_dir)!r} does not exist")
    elif kind == "scripted" and not Path(target).is_file():
        raise ModelSpecError(f"script file {target!r} does not exist")


def load_chat_model(spec: str, settings: Settings) -> BaseChatModel:
    """Build the chat model a spec names.

    Raises:
        ModelSpecError: the spec is malformed or names a missing file/dir.
        FatalModelError: the model cannot be used as configured (e.g. no API key).
    """
    kind = spec_kind(spec)
    target = spec.partition(":")[2]
    if kind == "openai":
        return _openai(target, settings)
    if kind == "scripted":
        from agent.scripted import ScriptedChatModel

        return ScriptedChatModel.from_file(target)
    if kind == "hf-endpoint":
        return _hf_endpoint(target, settings)
    model_dir = BUILTIN_DIR if kind == "builtin" else Path(target)
    return _local(model_dir, settings)


def _openai(model: str, settings: Settings) -> BaseChatModel:
    from langchain_openai import ChatOpenAI

    key = os.environ.get(settings.api_key_env)
    if not key:
        if settings.base_url is None:
            raise FatalModelError(
                f"missing API key: set {settings.api_key_env} or give a base URL of a local server"
            )
        key = PLACEHOLDER_KEY
    kwargs: dict[str, Any] = {
        "model": model,
        "api_key": key,
        "base_url": settings.base_url,
        "timeout": settings.timeout_s,
        # Retries are ours (agent.structured), bounded and logged without secrets.
        "max_retries": 0,
        "temperature": settings.temperature,
        "max_completion_tokens": settings.max_new_tokens,
        # Some servers (llama-cpp-python) ignore max_completion_tokens.
        "extra_body": {"max_tokens": settings.max_new_tokens},
    }
    return ChatOpenAI(**kwargs)


def _hf_endpoint(url: str, settings: Settings) -> BaseChatModel:
    from langchain_huggingface import ChatHuggingFace, HuggingFaceEndpoint

    llm = HuggingFaceEndpoint(  # type: ignore[call-arg]  # model comes from endpoint_url
        endpoint_url=url,
        max_new_tokens=settings.max_new_tokens,
        timeout=settings.timeout_s,
        temperature=settings.temperature or None,
        do_sample=settings.temperature > 0,
    )
    return ChatHuggingFace(llm=llm, model_id=url)


def _local(model_dir: Path, settings: Settings) -> BaseChatModel:
    if not model_dir.is_dir():
        raise ModelSpecError(f"model directory {str(model_dir)!r} does not exist")
    try:
        from agent.local_model import LocalConstrainedChat, LocalModelError
    except ImportError as exc:
        raise FatalModelError(f"local models are unavailable: {exc}") from None
    try:
        model: BaseChatModel = LocalConstrainedChat.from_dir(
            model_dir, max_new_tokens=settings.max_new_tokens
        )
    except LocalModelError as exc:
        raise FatalModelError(str(exc)) from None
    return model
