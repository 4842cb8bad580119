"""Train a byte-level BPE tokenizer on the SFT export, with a chat template, for the small model.

Why a corpus tokenizer: catalog names (`look_up_records`, `short_description`) and the JSON
skeleton of the outputs (`","definition":"`) become single tokens, so the small model spends its
few generation steps on choices, not on spelling. Words are pre-split as identifier runs
(letters, digits, `_`) so a catalog name stays whole; frequent JSON key fragments are added as
tokens of their own because a pre-split can never merge across quotes and colons.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import PreTrainedTokenizerFast

SPECIAL_TOKENS: tuple[str, ...] = ("<|pad|>", "<|end|>", "<|system|>", "<|user|>", "<|assistant|>")
PAD, EOS = "<|pad|>", "<|end|>"

CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{% if message['role'] == 'system' %}<|system|>{{ message['content'] }}"
    "{% elif message['role'] == 'user' %}<|user|>{{ message['content'] }}"
    "{% else %}<|assistant|>{% generation %}{{ message['content'] }}<|end|>{% endgeneration %}"
    "{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>{% endif %}"
)
"""Minimal chat template; `generation` marks assistant text for assistant-only losses."""

# Identifier runs stay whole; punctuation runs split from them; a leading space joins a word.
_SPLIT = Regex(r" ?[A-Za-z0-9_]+| ?[^A-Za-z0-9_\s]+|\s+")
_KEY_FRAGMENT = re.compile(r'"?[,{\[]*"[a-z_]+":[\[{"]?(?:null,|null\}|\{"|\[\{")?')
MIN_FRAGMENT_COUNT = 20


def json_key_fragments(texts: Iterable[str], limit: int = 200) -> list[str]:
    """Return the most frequent JSON key fragments (`","order":`) of the completions."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(_KEY_FRAGMENT.findall(text))
    return [frag for frag, n in counts.most_common(limit) if n >= MIN_FRAGMENT_COUNT]


def train_tokenizer(
    texts: list[str], completions: list[str], vocab_size: int = 6000
) -> PreTrainedTokenizerFast:
    """Train the BPE tokenizer on `texts` and wrap it for transformers.

    Args:
        texts: every prompt and completion string the model will see.
        completions: the completions alone (JSON), mined for key fragments.
        vocab_size: target vocabulary size including special and added tokens.
    """
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(_SPLIT, behavior="isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer=trainer)
    tok.add_tokens(json_key_fragments(completions))
    wrapped = PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token=PAD, eos_token=EOS, unk_token=None
    )
    wrapped.chat_template = CHAT_TEMPLATE
    wrapped.model_max_length = 1024
    return wrapped
