"""The loop guard closes a JSON string whose tail loops, and touches nothing else."""

from __future__ import annotations

import re

import pytest
import torch

from agent.api import generate
from agent.loop_guard import LoopGuard, TokenTexts
from agent.models import BUILTIN_DIR
from agent.settings import load_settings
from evals.dataset import load_dataset

VOCAB = ['"', '",', "{", "}", ":", " change", " the", " wait", " 1", '\\"', "x", "<pad>", "S",
         "it_", "0"]
CLOSERS = [0, 1]


class FakeTokenizer:
    """Decodes ids through `VOCAB`."""

    def decode(self, ids: list[int]) -> str:
        return "".join(VOCAB[i] for i in ids)


def feed(pieces: list[str], scores: torch.Tensor | None = None) -> tuple[LoopGuard, torch.Tensor]:
    """Decode `pieces` one token at a time; return the guard and its last scores."""
    guard = LoopGuard(TokenTexts(FakeTokenizer()))
    ids = [VOCAB.index("x")]  # the prompt
    base = scores if scores is not None else torch.zeros(1, len(VOCAB))
    out = guard(torch.tensor([ids]), base.clone())
    for piece in pieces:
        ids.append(VOCAB.index(piece))
        out = guard(torch.tensor([ids]), base.clone())
    return guard, out


def allowed(scores: torch.Tensor) -> list[int]:
    return [i for i in range(scores.shape[-1]) if torch.isfinite(scores[0, i])]


def test_a_word_repeated_four_times_in_a_string_forces_the_string_closed() -> None:
    guard, scores = feed(['"', " wait", " the", " change", " change", " change", " change"])
    assert allowed(scores) == CLOSERS
    assert guard.closed_loops == 1


def test_three_repeats_are_left_alone() -> None:
    guard, scores = feed(['"', " wait", " change", " change", " change"])
    assert allowed(scores) == list(range(len(VOCAB)))
    assert guard.closed_loops == 0


def test_a_repeated_phrase_counts_as_a_loop() -> None:
    _, scores = feed(['"'] + [" the", " change"] * 4)
    assert allowed(scores) == CLOSERS


def test_a_loop_of_a_few_characters_without_spaces_forces_the_string_closed() -> None:
    guard, scores = feed(['"', " wait", *["S"] * 8])
    assert allowed(scores) == CLOSERS
    _, scores = feed(['"', *["it_"] * 8])
    assert allowed(scores) == CLOSERS
    assert guard.closed_loops == 1


def test_seven_characters_or_a_run_of_digits_are_left_alone() -> None:
    _, scores = feed(['"', *["S"] * 7])
    assert allowed(scores) == list(range(len(VOCAB)))
    _, scores = feed(['"', *["0"] * 12])
    assert allowed(scores) == list(range(len(VOCAB)))


def test_repeats_outside_a_string_are_left_alone() -> None:
    # `"x"` opens and closes a string; the repeats after it are not inside one.
    _, scores = feed(['"', "x", '"', " change", " change", " change", " change"])
    assert allowed(scores) == list(range(len(VOCAB)))


def test_an_escaped_quote_does_not_end_the_string() -> None:
    _, scores = feed(['"', '\\"', " change", " change", " change", " change"])
    assert allowed(scores) == CLOSERS


def test_repeated_numbers_are_not_a_loop() -> None:
    _, scores = feed(['"', " 1", " 1", " 1", " 1", " 1"])
    assert allowed(scores) == list(range(len(VOCAB)))


def test_nothing_changes_when_the_grammar_forbids_closing() -> None:
    grammar = torch.zeros(1, len(VOCAB))
    grammar[0, CLOSERS] = float("-inf")
    guard, scores = feed(['"', " change", " change", " change", " change"], grammar)
    assert torch.equal(scores, grammar)
    assert guard.closed_loops == 0


def test_closing_keeps_the_grammar_mask_on_the_closers() -> None:
    grammar = torch.zeros(1, len(VOCAB))
    grammar[0, 0] = float("-inf")  # only `",` may close here
    _, scores = feed(['"', " change", " change", " change", " change"], grammar)
    assert allowed(scores) == [1]


@pytest.mark.skipif(
    not (BUILTIN_DIR / "model.safetensors").is_file(),
    reason="no built-in model in this checkout (models/builtin/model.safetensors)",
)
def test_the_builtin_models_loop_is_cut_and_the_flow_stays_valid() -> None:
    # Without the guard the committed model writes "Each morning at 1storeSSSSSSSS…" into the
    # trigger annotation for dev-032 until the context is full, so every outline comes back
    # truncated and the flow ends `invalid_after_repairs` (checked by disabling the guard).
    case = next(c for c in load_dataset("dev") if c.id == "dev-032")
    result = generate(case.requirement, settings=load_settings({"model": "builtin"}, env={}))
    assert result.flow is not None
    flow = result.flow
    texts = [flow["name"], flow["trigger"].get("annotation") or "",
             *(c.get("annotation") or "" for c in flow["components"])]
    assert not any(re.search(r"(\S{1,6}?)\1{15}", t) for t in texts), texts
    assert not any(re.search(r"\b(\w+)( \1\b){4}", t) for t in texts), texts
    assert result.status == "valid", result.issues
