"""Supervised fine-tuning with transformers + TRL: from scratch, full fine-tune, or LoRA.

Three ways to get a model, one loop:

- `from_scratch`: train a BPE tokenizer on the SFT rows (`training.tokenizer`), build a small
  Llama from a preset (`training.model_config`), train it (this is how the built-in model is made);
- `base_model` + `lora`: load a user's local causal LM (e.g. a Mistral-Nemo-12B checkout on a
  GPU box) and train LoRA adapters with PEFT;
- `base_model` alone: full fine-tune of a local model.

The loss covers the completion only (`completion_only_loss=True`), the rows are TRL's
conversational prompt/completion rows written by `training.sft_export`. Checkpoints go to
`<output>/checkpoints`, the final model (safetensors) and tokenizer to `<output>`.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from datasets import Dataset
from transformers import (
    AutoModelForCausalLM,
    AutoTokenizer,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)
from trl import SFTConfig, SFTTrainer

from training.callbacks import TimeBudget
from training.model_config import build_config
from training.tokenizer import train_tokenizer

log = logging.getLogger(__name__)


class TrainError(Exception):
    """Training cannot start: bad data file, missing base model, bad options."""


@dataclass(frozen=True)
class SftOptions:
    """Everything one SFT run needs."""

    data: Path
    output: Path
    base_model: Path | None = None
    lora: bool = False
    from_scratch: bool = False
    config: str = "small"
    vocab_size: int = 6000
    epochs: float = 1.0
    max_steps: int = -1
    lr: float = 1e-3
    batch_size: int = 16
    max_length: int = 512
    resume: bool = False
    save_steps: int = 200
    threads: int | None = None
    seed: int = 0
    max_minutes: float | None = None
    logging_steps: int = 10


def load_rows(path: Path) -> list[dict[str, Any]]:
    """Read prompt/completion rows from JSONL, keeping only the fields TRL needs.

    Raises:
        TrainError: the file is missing, not JSONL, or a row lacks prompt/completion.
    """
    if not path.is_file():
        raise TrainError(f"{path}: no such data file")
    rows: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as exc:
                raise TrainError(f"{path}:{number}: not JSON ({exc.msg})") from None
            if not isinstance(raw, dict) or "prompt" not in raw or "completion" not in raw:
                raise TrainError(f"{path}:{number}: a row needs 'prompt' and 'completion'")
            rows.append({"prompt": raw["prompt"], "completion": raw["completion"]})
    if not rows:
        raise TrainError(f"{path}: no rows")
    return rows


def _texts(rows: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    prompts = [m["content"] for r in rows for m in r["prompt"]]
    completions = [m["content"] for r in rows for m in r["completion"]]
    return prompts + completions, completions


def scratch_model(
    rows: list[dict[str, Any]], opts: SftOptions
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """Train a tokenizer on the rows and build a fresh model of the chosen preset."""
    texts, completions = _texts(rows)
    tokenizer = train_tokenizer(texts, completions, vocab_size=opts.vocab_size)
    config = build_config(opts.config, tokenizer, opts.max_length)
    torch.manual_seed(opts.seed)
    model = AutoModelForCausalLM.from_config(config)
    log.info(
        "fresh %s model: %.1fM parameters, vocab %d",
        opts.config,
        sum(p.numel() for p in model.parameters()) / 1e6,
        len(tokenizer),
    )
    return model, tokenizer


def base_model(opts: SftOptions) -> tuple[Any, PreTrainedTokenizerBase]:
    """Load a local base model (optionally wrapped with LoRA adapters).

    Raises:
        TrainError: the directory is missing or does not hold a loadable causal LM.
    """
    assert opts.base_model is not None
    if not (opts.base_model / "config.json").is_file():
        raise TrainError(f"{opts.base_model}: not a model directory (no config.json)")
    try:
        tokenizer = AutoTokenizer.from_pretrained(opts.base_model, local_files_only=True)
        model: Any = AutoModelForCausalLM.from_pretrained(
            opts.base_model, local_files_only=True, dtype="auto"
        )
    except (OSError, ValueError) as exc:
        raise TrainError(f"{opts.base_model}: cannot load model: {exc}") from None
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    if opts.lora:
        from peft import LoraConfig, get_peft_model

        lora = LoraConfig(
            r=16,
            lora_alpha=32,
            lora_dropout=0.05,
            task_type="CAUSAL_LM",
            target_modules="all-linear",
        )
        model = get_peft_model(model, lora)
    return model, tokenizer


def sft_config(opts: SftOptions) -> SFTConfig:
    """Return the TRL config of a run (CPU when no GPU is present)."""
    return SFTConfig(
        output_dir=str(opts.output / "checkpoints"),
        max_length=opts.max_length,
        completion_only_loss=True,
        use_cpu=not torch.cuda.is_available(),
        report_to="none",
        per_device_train_batch_size=opts.batch_size,
        num_train_epochs=opts.epochs,
        max_steps=opts.max_steps,
        learning_rate=opts.lr,
        # A time budget brings its own (time-based) decay, see training.callbacks.
        lr_scheduler_type="constant" if opts.max_minutes else "cosine",
        warmup_steps=0.03,
        weight_decay=0.01,
        logging_steps=opts.logging_steps,
        save_steps=opts.save_steps,
        save_total_limit=2,
        seed=opts.seed,
        dataloader_num_workers=0,
        # Batches of similar length: padding would otherwise be most of the compute on CPU.
        train_sampling_strategy="group_by_length",
        bf16=False,
        disable_tqdm=False,
        # TRL's default, under the name transformers 5 reads (TRL still sets the deprecated
        # `gradient_checkpointing`, which warns): it saves the memory LoRA on a large base
        # needs, and costs the 2.3M built-in model 2–4 % of its step time (same losses).
        activation_checkpointing=True,
    )


def run_sft(opts: SftOptions) -> dict[str, Any]:
    """Train and save a model; return the training metrics (loss history included).

    Raises:
        TrainError: bad data, base model or options.
    """
    if opts.threads:
        torch.set_num_threads(opts.threads)
    if opts.from_scratch == (opts.base_model is not None):
        raise TrainError("give exactly one of --from-scratch or --base-model DIR")
    rows = load_rows(opts.data)
    resume_dir = opts.output / "checkpoints"
    resuming = opts.resume and any(resume_dir.glob("checkpoint-*"))
    if opts.from_scratch and resuming:
        model, tokenizer = _resume_scratch(resume_dir)
    elif opts.from_scratch:
        model, tokenizer = scratch_model(rows, opts)
    else:
        model, tokenizer = base_model(opts)
    trainer = SFTTrainer(
        model=model,
        args=sft_config(opts),
        train_dataset=Dataset.from_list(rows),
        processing_class=tokenizer,
        callbacks=[TimeBudget(opts.max_minutes)] if opts.max_minutes else None,
    )
    result = trainer.train(resume_from_checkpoint=True if resuming else None)
    opts.output.mkdir(parents=True, exist_ok=True)
    trainer.save_model(str(opts.output))
    tokenizer.save_pretrained(str(opts.output))
    losses = [e["loss"] for e in trainer.state.log_history if "loss" in e]
    return {**result.metrics, "losses": losses}


def _resume_scratch(checkpoints: Path) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """Rebuild a from-scratch model and its tokenizer from the latest checkpoint folder."""
    latest = max(checkpoints.glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[-1]))
    tokenizer = AutoTokenizer.from_pretrained(latest, local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(latest, local_files_only=True)
    return model, tokenizer
