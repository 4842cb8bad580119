"""The span rule admits exactly the word-aligned substrings of its text, as JSON strings."""

from __future__ import annotations

import json
import random

import pytest
import xgrammar as xgr

from agent.span_grammar import span_rules, suffix_automaton

_VOCAB = [chr(i) for i in range(32, 127)] + ["<eos>"]
_COMPILER = xgr.GrammarCompiler(xgr.TokenizerInfo(_VOCAB, stop_token_ids=[len(_VOCAB) - 1]))


def _walks(automaton: list[dict[str, int]], text: str) -> bool:
    state = 0
    for char in text:
        if char not in automaton[state]:
            return False
        state = automaton[state][char]
    return True


@pytest.mark.parametrize("seed", range(5))
def test_automaton_spells_exactly_the_substrings(seed: int) -> None:
    rng = random.Random(seed)
    text = "".join(rng.choice("abc") for _ in range(rng.randint(1, 30)))
    automaton = suffix_automaton(text)
    assert len(automaton) <= max(2 * len(text) - 1, 2)
    substrings = {text[i:j] for i in range(len(text)) for j in range(i, len(text) + 1)}
    for length in range(1, 6):
        for _ in range(60):
            probe = "".join(rng.choice("abc") for _ in range(length))
            assert _walks(automaton, probe) is (probe in substrings), (text, probe)


def _accepts(text: str, answer: str) -> bool:
    rules = span_rules(text, "ann")
    ebnf = "root ::= ann\n" + "\n".join(f"{k} ::= {v}" for k, v in rules.items()) + "\n"
    matcher = xgr.GrammarMatcher(_COMPILER.compile_grammar(ebnf))
    return bool(matcher.accept_string(answer)) and bool(matcher.accept_token(len(_VOCAB) - 1))


REQUIREMENT = 'When a user becomes inactive, set state to "closed" in C:\\temp'


@pytest.mark.parametrize(
    ("answer", "ok"),
    [
        ("When a user becomes inactive", True),
        ("becomes inactive", True),
        ("inactive,", True),
        (REQUIREMENT, True),
        ('set state to "closed"', True),
        ("C:\\temp", True),
        ("", False),  # an annotation quotes something
        ("When a user bec", False),  # cut mid-word
        ("ser becomes", False),  # starts mid-word
        (" becomes", False),
        ("becomes ", False),
        ("becomes enable", False),  # a paraphrase
        ("when a user", False),  # case matters: it is the user's own text
        ("inactive inactive", False),  # a loop
        (REQUIREMENT + " ", False),
    ],
)
def test_span_rule_admits_only_substrings(answer: str, ok: bool) -> None:
    assert _accepts(REQUIREMENT, json.dumps(answer)) is ok


@pytest.mark.parametrize("text", ["", "   "])
def test_span_rule_needs_a_word(text: str) -> None:
    with pytest.raises(ValueError, match="word"):
        span_rules(text)


def test_trailing_spaces_of_the_text_cannot_end_a_span() -> None:
    assert _accepts("close it  ", json.dumps("close it"))
    assert not _accepts("close it  ", json.dumps("close it "))
