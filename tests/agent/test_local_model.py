"""LocalConstrainedChat: offline local models with JSON-schema-constrained decoding."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import torch
from langchain_core.messages import HumanMessage
from transformers import AutoModelForCausalLM

from agent.grammars import inputs_grammar
from agent.local_model import LocalConstrainedChat, LocalModelError, load_local
from agent.models import BUILTIN_DIR
from agent.output_schemas import inputs_schema, outline_schema
from catalog import demo_catalog
from evals.dataset import load_dataset
from schemas.flow import Outline
from training.model_config import build_config
from training.tokenizer import train_tokenizer

ENUM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "kind": {"enum": ["look_up_records", "update_record", "log"]},
        "level": {"enum": ["info", "warn", "error"]},
        "flags": {"type": "array", "items": {"enum": ["a", "b"]}, "maxItems": 3},
    },
    "required": ["kind", "level", "flags"],
    "additionalProperties": False,
}


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A randomly initialised tiny model saved like a trained one (no training needed)."""
    texts = [
        json.dumps(ENUM_SCHEMA),
        '{"inputs":[{"name":"log_level","value":"info"}]}',
        "plan when a user changes update_record look_up_records log info warn error",
    ] * 5
    tok = train_tokenizer(texts, texts, vocab_size=350)
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(build_config("tiny", tok, 256))
    path = tmp_path_factory.mktemp("tiny_model")
    model.save_pretrained(path)
    tok.save_pretrained(path)
    return path


def _ask(chat: LocalConstrainedChat, schema: dict[str, Any], text: str = "plan\nhello") -> Any:
    return chat.invoke([HumanMessage(content=text)], json_schema=schema)


def test_constrained_output_always_validates(tiny_dir: Path) -> None:
    chat = LocalConstrainedChat.from_dir(tiny_dir, max_new_tokens=64)
    for text in ("plan\nhello", "fill log\nwrite it", "x"):
        reply = _ask(chat, ENUM_SCHEMA, text)
        jsonschema.validate(json.loads(reply.content), ENUM_SCHEMA)
        assert reply.response_metadata["finish_reason"] == "stop"
        assert reply.usage_metadata["output_tokens"] > 0


def test_inputs_schema_names_come_from_the_params(tiny_dir: Path) -> None:
    chat = LocalConstrainedChat.from_dir(tiny_dir, max_new_tokens=48)
    params = [{"name": "log_level", "type": "choice", "choices": [{"value": "info", "label": "I"}]}]
    schema = inputs_schema(params)
    reply = _ask(chat, schema, "fill log\nlog it")
    if reply.response_metadata["finish_reason"] == "stop":
        value = json.loads(reply.content)
        jsonschema.validate(value, schema)
        assert all(i["name"] == "log_level" for i in value["inputs"])


def test_grammar_constrains_like_a_schema(tiny_dir: Path) -> None:
    chat = LocalConstrainedChat.from_dir(tiny_dir, max_new_tokens=64)
    params = [{"name": "log_level", "type": "choice", "mandatory": True,
               "choices": [{"value": "info"}, {"value": "warn"}]},
              {"name": "log_message", "type": "string", "mandatory": False}]
    ebnf = inputs_grammar(params, [], [], demo_catalog())
    reply = chat.invoke([HumanMessage(content="fill log\nlog it")], grammar=ebnf)
    if reply.response_metadata["finish_reason"] == "stop":
        names = [i["name"] for i in json.loads(str(reply.content))["inputs"]]
        assert names[0] == "log_level" and len(names) == len(set(names))


def test_bad_grammar_is_a_typed_error(tiny_dir: Path) -> None:
    chat = LocalConstrainedChat.from_dir(tiny_dir, max_new_tokens=8)
    with pytest.raises(LocalModelError, match="bad decoding grammar"):
        chat.invoke([HumanMessage(content="x")], grammar="root ::= ")


def test_length_stop_is_reported(tiny_dir: Path) -> None:
    chat = LocalConstrainedChat.from_dir(tiny_dir, max_new_tokens=2)
    reply = _ask(chat, ENUM_SCHEMA)
    assert reply.response_metadata["finish_reason"] == "length"


def test_missing_or_broken_dir_is_a_typed_error(tmp_path: Path) -> None:
    with pytest.raises(LocalModelError, match=r"no config\.json"):
        LocalConstrainedChat.from_dir(tmp_path / "nowhere")
    (tmp_path / "config.json").write_text("{}", encoding="utf-8")
    with pytest.raises(LocalModelError, match="cannot load"):
        LocalConstrainedChat.from_dir(tmp_path)


@pytest.mark.skipif(
    not (BUILTIN_DIR / "model.safetensors").is_file(),
    reason="no built-in model in this checkout (models/builtin/model.safetensors)",
)
def test_builtin_model_writes_schema_valid_outlines_offline() -> None:
    chat = LocalConstrainedChat.from_dir(BUILTIN_DIR, max_new_tokens=400)
    catalog = demo_catalog()
    steps = [
        {"category": "action", "definition": a.name, "scope": a.scope, "label": a.label}
        for a in catalog.actions
    ]
    steps += [
        {"category": "flowlogic", "definition": f.token, "scope": "global", "label": f.label}
        for f in catalog.flow_logic
    ]
    triggers = [{"type": t.type, "label": t.label} for t in catalog.triggers]
    schema = outline_schema(steps, triggers)
    known = {(s["category"], s["definition"], s["scope"]) for s in steps}
    for case in load_dataset("dev")[:2]:
        reply = _ask(chat, schema, f"plan\n{case.requirement}")
        assert reply.response_metadata["finish_reason"] == "stop", reply.content
        outline = Outline.model_validate_json(reply.content)
        jsonschema.validate(json.loads(reply.content), schema)
        for comp in outline.components:
            assert (comp.category, comp.definition, comp.scope) in known | {
                ("placeholder", "PLACEHOLDER", "global")
            }


def test_loading_draws_no_progress_bar_and_leaves_the_setting_alone(
    tiny_dir: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    from transformers.utils import logging as hf_logging

    load_local.cache_clear()
    hf_logging.enable_progress_bar()
    load_local(str(tiny_dir))
    assert "Loading weights" not in capfd.readouterr().err
    assert hf_logging.is_progress_bar_enabled()
