"""`LocalConstrainedChat`: a local causal LM as a LangChain chat model with JSON-schema decoding.

Built on langchain-huggingface (`ChatHuggingFace` over a local `HuggingFacePipeline`, offline,
`return_full_text=False`). A call may pass ``json_schema=<dict>`` or ``grammar=<EBNF>``
(`agent.grammars`): the output is then decoded under it with xgrammar, so it always parses and
every enum (step, table, input name) is one the caller offered. Greedy decoding;
``max_new_tokens`` per call from the constructor; a word loop inside a string is cut short by
closing the string (`agent.loop_guard`).
A length stop is reported as ``response_metadata["finish_reason"] == "length"`` (the caller
turns it into an issue); token counts come back as ``usage_metadata``.

Models load lazily, once per directory and process. Used for ``builtin`` (``models/builtin``)
and ``hf:<dir>`` model specs.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import torch
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatResult
from langchain_huggingface import ChatHuggingFace, HuggingFacePipeline
from pydantic import PrivateAttr
from transformers import LogitsProcessor, LogitsProcessorList

from agent.errors import FatalModelError
from agent.loop_guard import LoopGuard, TokenTexts

GRAMMAR_CACHE_SIZE = 64
"""Compiled grammars kept per model (they repeat across repair rounds and runs); one takes
0.1–5 MB, so the cache stays within a few hundred MB in long batch runs."""


MIN_NEW_TOKENS = 16
"""Smallest output budget of a call, even when the prompt nearly fills the context window."""


class LocalModelError(FatalModelError):
    """A local model directory is missing, broken or unusable; the message says which and why.

    It is fatal for the run (retrying cannot fix a broken directory), so a failure while
    generating ends the run as `failed` with this message instead of escaping the graph.
    """


@dataclass
class _Loaded:
    """One loaded model directory: pipeline, tokenizer and its grammar compiler."""

    pipeline: HuggingFacePipeline
    tokenizer: Any
    compiler: Any
    texts: TokenTexts
    grammars: dict[str, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def grammar(self, schema: dict[str, Any] | None = None, ebnf: str | None = None) -> Any:
        """Return the compiled grammar of a JSON Schema (compact JSON) or an EBNF text (cached).

        Raises:
            LocalModelError: the EBNF text does not parse.
        """
        key = ebnf if ebnf is not None else json.dumps(schema, sort_keys=True)
        with self.lock:
            if key not in self.grammars:
                if len(self.grammars) >= GRAMMAR_CACHE_SIZE:
                    self.grammars.pop(next(iter(self.grammars)))
                self.grammars[key] = self._compile(schema, ebnf)
            return self.grammars[key]

    def _compile(self, schema: dict[str, Any] | None, ebnf: str | None) -> Any:
        if ebnf is None:
            return self.compiler.compile_json_schema(
                json.dumps(schema), any_whitespace=False, separators=(",", ":")
            )
        try:
            return self.compiler.compile_grammar(ebnf)
        except RuntimeError as exc:  # xgrammar reports EBNF syntax errors as RuntimeError
            raise LocalModelError(f"bad decoding grammar: {str(exc)[:200]}") from None


@cache
def load_local(model_dir: str) -> _Loaded:
    """Load a model directory once per process.

    Raises:
        LocalModelError: the directory is missing, lacks a model or tokenizer, or cannot load.
    """
    path = Path(model_dir)
    if not (path / "config.json").is_file():
        raise LocalModelError(f"{model_dir}: not a model directory (no config.json)")
    try:
        import xgrammar
    except ImportError:
        # Installed without its GPU-only dependencies (scripts/bootstrap.sh), so a plain
        # `pip install -e .` does not bring it.
        raise LocalModelError(
            "constrained decoding needs xgrammar: "
            "pip install --no-deps xgrammar==0.2.8 apache-tvm-ffi==0.1.15.post2"
        ) from None
    from transformers import AutoModelForCausalLM, AutoTokenizer, pipeline
    from transformers.utils import logging as hf_logging

    # transformers draws a "Loading weights" bar on stderr; for a local directory that loads
    # in milliseconds it is only noise above the flow `flowgen generate` prints.
    bar = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        model = AutoModelForCausalLM.from_pretrained(path, local_files_only=True)
    except (OSError, ValueError, KeyError) as exc:
        raise LocalModelError(f"{model_dir}: cannot load model: {exc}") from None
    finally:
        if bar:
            hf_logging.enable_progress_bar()
    model.eval()
    if tokenizer.chat_template is None:
        raise LocalModelError(f"{model_dir}: tokenizer has no chat template")
    pipe = pipeline("text-generation", model=model, tokenizer=tokenizer, device="cpu")
    llm = HuggingFacePipeline(pipeline=pipe, model_id=str(path))
    info = xgrammar.TokenizerInfo.from_huggingface(tokenizer, vocab_size=model.config.vocab_size)
    # Our own LRU keeps compiled grammars; xgrammar's cache would keep every one forever.
    compiler = xgrammar.GrammarCompiler(info, cache_enabled=False)
    return _Loaded(llm, tokenizer, compiler, TokenTexts(tokenizer))


class _Counter(LogitsProcessor):
    """Count decoding steps (= generated tokens) and optionally apply a grammar mask."""

    def __init__(self, inner: LogitsProcessor | None) -> None:
        self.inner = inner
        self.steps = 0

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        self.steps += 1
        return self.inner(input_ids, scores) if self.inner is not None else scores


class LocalConstrainedChat(ChatHuggingFace):
    """A local model directory as a chat model; pass ``json_schema=`` or ``grammar=``."""

    max_new_tokens: int = 512
    model_dir: str = ""
    _loaded: _Loaded = PrivateAttr()

    @classmethod
    def from_dir(cls, model_dir: str | Path, max_new_tokens: int = 512) -> LocalConstrainedChat:
        """Load (or reuse) the model in `model_dir` and wrap it.

        Raises:
            LocalModelError: the directory cannot be used.
        """
        loaded = load_local(str(Path(model_dir).resolve()))
        chat = cls(
            llm=loaded.pipeline,
            tokenizer=loaded.tokenizer,
            model_id=str(model_dir),
            model_dir=str(model_dir),
            max_new_tokens=max_new_tokens,
        )
        chat._loaded = loaded
        return chat

    @property
    def _llm_type(self) -> str:
        return "flowgen-local-constrained"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        stream: bool | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        """Generate greedily, under `grammar` (EBNF) or `json_schema` when one is given."""
        schema = kwargs.pop("json_schema", None)
        ebnf = kwargs.pop("grammar", None)
        inner = None
        if schema is not None or ebnf is not None:
            from xgrammar.contrib.hf import LogitsProcessor as GrammarProcessor

            inner = GrammarProcessor(self._loaded.grammar(schema, ebnf))
        counter = _Counter(inner)
        limit = self._token_limit(messages)
        pipeline_kwargs = {
            "max_new_tokens": limit,
            "do_sample": False,
            "return_full_text": False,
            # The guard runs after the grammar mask, so it only narrows what the grammar allows.
            "logits_processor": LogitsProcessorList([counter, LoopGuard(self._loaded.texts)]),
        }
        with torch.inference_mode():
            result = super()._generate(
                messages,
                stop=stop,
                run_manager=run_manager,
                stream=False,
                pipeline_kwargs=pipeline_kwargs,
            )
        self._annotate(result, messages, counter.steps, limit)
        return result

    def _prompt_tokens(self, messages: list[BaseMessage]) -> int:
        prompt = self._to_chat_prompt(messages)
        return len(self._loaded.tokenizer(prompt, add_special_tokens=False)["input_ids"])

    def _token_limit(self, messages: list[BaseMessage]) -> int:
        """Return the call's output budget: `max_new_tokens`, capped by the context window.

        A small model trained on short sequences has nothing sensible to say past its window;
        running into it is reported as a length stop like any other.
        """
        window = getattr(self._loaded.pipeline.pipeline.model.config, "max_position_embeddings", 0)
        if not window:
            return self.max_new_tokens
        return max(MIN_NEW_TOKENS, min(self.max_new_tokens, window - self._prompt_tokens(messages)))

    def _annotate(
        self, result: ChatResult, messages: list[BaseMessage], steps: int, limit: int
    ) -> None:
        """Attach finish reason and token usage to the generated message."""
        n_in = self._prompt_tokens(messages)
        finish = "length" if steps >= limit else "stop"
        for gen in result.generations:
            msg = gen.message
            if isinstance(msg, AIMessage):
                msg.response_metadata["finish_reason"] = finish
                msg.usage_metadata = {
                    "input_tokens": n_in,
                    "output_tokens": steps,
                    "total_tokens": n_in + steps,
                }
