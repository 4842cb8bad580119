"""Training: the corpus tokenizer, model presets, and a tiny from-scratch SFT smoke run."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest

from training.model_config import ConfigError, build_config
from training.tokenizer import train_tokenizer
from training.train import SftOptions, TrainError, load_rows, run_sft, sft_config

PLAN = '{"name":"N","trigger":{"type":"record_update","annotation":"when a user changes"},'
STEP = '{"category":"action","definition":"look_up_records","scope":"global","order":1,'


def _rows(n: int) -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        completion = (
            PLAN + '"components":[' + STEP + f'"block":null,"annotation":"find {i}"' + "}]}"
        )
        out.append(
            {
                "node": "plan",
                "prompt": [{"role": "user", "content": f"plan\nwhen a user changes find {i}"}],
                "completion": [{"role": "assistant", "content": completion}],
            }
        )
    return out


def _write(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_tokenizer_keeps_catalog_names_and_json_keys_whole() -> None:
    rows = _rows(40)
    texts = [r["prompt"][0]["content"] for r in rows] + [
        r["completion"][0]["content"] for r in rows
    ]
    tok = train_tokenizer(texts, texts[40:], vocab_size=400)
    pieces = tok.tokenize(STEP)
    assert "look_up_records" in pieces
    assert any('"definition":"' in p for p in pieces)
    prompt: Any = tok.apply_chat_template(
        rows[0]["prompt"], tokenize=False, add_generation_prompt=True
    )
    full: Any = tok.apply_chat_template(rows[0]["prompt"] + rows[0]["completion"], tokenize=False)
    assert full.startswith(prompt) and full.endswith(tok.eos_token)


def test_unknown_preset_is_a_config_error() -> None:
    tok = train_tokenizer(["a b c"], [], vocab_size=300)
    with pytest.raises(ConfigError, match="unknown config"):
        build_config("huge", tok, 128)


def test_bad_data_is_a_train_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"prompt": []}\n', encoding="utf-8")
    with pytest.raises(TrainError, match="needs 'prompt' and 'completion'"):
        load_rows(bad)
    with pytest.raises(TrainError, match="no such data file"):
        load_rows(tmp_path / "missing.jsonl")


@pytest.mark.slow
def test_tiny_from_scratch_run_lowers_the_loss_and_saves(tmp_path: Path) -> None:
    data = _write(tmp_path / "sft.jsonl", _rows(16))
    opts = SftOptions(
        data=data,
        output=tmp_path / "model",
        from_scratch=True,
        config="tiny",
        vocab_size=400,
        max_steps=8,
        lr=5e-3,
        batch_size=4,
        max_length=128,
        save_steps=1000,
        logging_steps=2,
    )
    metrics = run_sft(opts)
    losses = metrics["losses"]
    assert losses[-1] < losses[0]
    assert (tmp_path / "model" / "model.safetensors").is_file()
    assert (tmp_path / "model" / "tokenizer.json").is_file()


def test_scratch_and_base_model_are_exclusive(tmp_path: Path) -> None:
    data = _write(tmp_path / "sft.jsonl", _rows(2))
    opts = SftOptions(data=data, output=tmp_path / "m", from_scratch=True, base_model=tmp_path)
    with pytest.raises(TrainError, match="exactly one"):
        run_sft(opts)


def test_sft_config_names_checkpointing_without_a_deprecation_warning(tmp_path: Path) -> None:
    opts = SftOptions(data=tmp_path / "sft.jsonl", output=tmp_path / "m", from_scratch=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        config = sft_config(opts)
    assert config.activation_checkpointing is True
    assert config.gradient_checkpointing is True  # the old name mirrors the new one
