"""The model factory: spec forms, clear errors, the scripted model's replay rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.errors import FatalModelError, ModelSpecError, TransientModelError
from agent.models import load_chat_model, spec_kind
from agent.scripted import ScriptedChatModel
from agent.settings import load_settings


@pytest.mark.parametrize(
    ("spec", "kind"),
    [("openai:gpt-4o-mini", "openai"), ("hf:models/x", "hf"), ("builtin", "builtin"),
     ("hf-endpoint:http://127.0.0.1:8080", "hf-endpoint"), ("scripted:a.yaml", "scripted")],
)
def test_spec_kinds(spec: str, kind: str) -> None:
    assert spec_kind(spec) == kind


@pytest.mark.parametrize("spec", ["gpt-4o", "openai:", "anthropic:claude", "", "hf"])
def test_unknown_spec_lists_the_valid_forms(spec: str) -> None:
    with pytest.raises(ModelSpecError, match="valid forms: openai:<model>"):
        spec_kind(spec)


def test_openai_without_key_or_base_url_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(FatalModelError, match="missing API key: set OPENAI_API_KEY"):
        load_chat_model("openai:gpt-4o-mini", load_settings(env={}))


def test_openai_with_base_url_needs_no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    settings = load_settings({"base_url": "http://127.0.0.1:1/v1", "max_new_tokens": 64}, env={})
    model = load_chat_model("openai:local", settings)
    assert model.max_retries == 0  # type: ignore[attr-defined]
    assert model.extra_body == {"max_tokens": 64}  # type: ignore[attr-defined]


def test_missing_local_model_dir_is_a_spec_error(tmp_path: Path) -> None:
    with pytest.raises(ModelSpecError, match="does not exist"):
        load_chat_model(f"hf:{tmp_path / 'nope'}", load_settings(env={}))


def test_missing_script_is_a_spec_error(tmp_path: Path) -> None:
    with pytest.raises(ModelSpecError, match="cannot read script"):
        load_chat_model(f"scripted:{tmp_path / 'nope.yaml'}", load_settings(env={}))


def test_scripted_replays_per_key_and_repeats_the_last(tmp_path: Path) -> None:
    script = tmp_path / "s.yaml"
    script.write_text(
        'fill:\n  "1": [{a: 1}, "raw"]\n  "*": [{b: 2}]\nplan: [{error: rate_limit}]\n'
    )
    model = ScriptedChatModel.from_file(script)
    texts = [model.invoke("x", script_node="fill", script_key="1").content for _ in range(3)]
    assert texts == ['{"a": 1}', "raw", "raw"]
    assert model.invoke("x", script_node="fill", script_key="9").content == '{"b": 2}'
    with pytest.raises(TransientModelError, match="429"):
        model.invoke("x", script_node="plan")
    assert [c.key for c in model.calls_for("fill")] == ["1", "1", "1", "9"]
    with pytest.raises(FatalModelError, match="no output for node 'repair'"):
        model.invoke("x", script_node="repair")
