"""Model configurations for `flowgen train sft --from-scratch` (small Llama-style causal LMs)."""

from __future__ import annotations

from transformers import LlamaConfig, PreTrainedTokenizerFast

PRESETS: dict[str, dict[str, int]] = {
    # Seconds-long smoke tests.
    "tiny": {
        "hidden_size": 64,
        "intermediate_size": 128,
        "num_hidden_layers": 2,
        "num_attention_heads": 2,
        "num_key_value_heads": 2,
    },
    # The built-in model: ~3M parameters, sized for under an hour on a shared 2-core CPU.
    "small": {
        "hidden_size": 192,
        "intermediate_size": 512,
        "num_hidden_layers": 4,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
    },
    # More capacity for a GPU box or a longer CPU budget.
    "base": {
        "hidden_size": 384,
        "intermediate_size": 1024,
        "num_hidden_layers": 6,
        "num_attention_heads": 6,
        "num_key_value_heads": 2,
    },
}
"""Named sizes; the vocabulary comes from the corpus tokenizer."""


class ConfigError(ValueError):
    """An unknown preset name."""


def build_config(preset: str, tokenizer: PreTrainedTokenizerFast, max_length: int) -> LlamaConfig:
    """Return a Llama config of a preset sized to the tokenizer and sequence length.

    Raises:
        ConfigError: `preset` is not one of `PRESETS`.
    """
    if preset not in PRESETS:
        raise ConfigError(f"unknown config {preset!r}; choose one of {', '.join(PRESETS)}")
    size = PRESETS[preset]
    return LlamaConfig(
        vocab_size=len(tokenizer),
        max_position_embeddings=max_length,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        bos_token_id=None,
        tie_word_embeddings=True,
        hidden_size=size["hidden_size"],
        intermediate_size=size["intermediate_size"],
        num_hidden_layers=size["num_hidden_layers"],
        num_attention_heads=size["num_attention_heads"],
        num_key_value_heads=size["num_key_value_heads"],
    )
