"""An EBNF rule that admits the word-aligned substrings of one text (as JSON strings).

The contract says an annotation is the fragment of the requirement that the item implements
(`flow-format.md`), and the corpus writes every annotation as a span of its requirement. A
small model left free in an annotation sometimes loops ("morning at morning at …") until the
token limit cuts the answer off, or paraphrases ("becomes enable"), and the lookups then search
for words the user never wrote. Decoding under this rule removes both.

A span starts and ends at a whole word or punctuation mark: held to any substring, the model
closed annotations mid-word when its favourite next token was not allowed ("On th", "find
publ"), and the lookups then searched for fragments.

The rule is the suffix automaton of the text's words, spaces and punctuation marks: the
smallest deterministic automaton whose paths from the start spell all runs of consecutive
symbols (at most 2n states, 3n transitions), so the grammar stays linear in the requirement's
length and the decoder never has to choose between two equal prefixes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from agent.ebnf import inner

_SYMBOL = re.compile(r"\w+|\s+|[^\w\s]")


@dataclass
class _State:
    length: int = 0
    link: int = -1
    next: dict[str, int] = field(default_factory=dict)


def symbols(text: str) -> list[str]:
    """Split `text` into the units a span is made of: words, runs of spaces, punctuation."""
    return _SYMBOL.findall(text)


def suffix_automaton(text: Sequence[str]) -> list[dict[str, int]]:
    """Return the transitions of each state of the suffix automaton of a sequence of symbols
    (characters of a string, or `symbols`); state 0 is the start."""
    states, last = [_State()], 0
    for char in text:
        current = len(states)
        states.append(_State(length=states[last].length + 1))
        p = last
        while p != -1 and char not in states[p].next:
            states[p].next[char] = current
            p = states[p].link
        if p == -1:
            states[current].link = 0
        else:
            _link(states, p, char, current)
        last = current
    return [s.next for s in states]


def _link(states: list[_State], p: int, char: str, current: int) -> None:
    """Set the suffix link of `current`, cloning the state reached from `p` if it is too long."""
    q = states[p].next[char]
    if states[p].length + 1 == states[q].length:
        states[current].link = q
        return
    clone = len(states)
    states.append(_State(states[p].length + 1, states[q].link, dict(states[q].next)))
    while p != -1 and states[p].next.get(char) == q:
        states[p].next[char] = clone
        p = states[p].link
    states[q].link = clone
    states[current].link = clone


def span_rules(text: str, name: str = "span") -> dict[str, str]:
    """Return the rules of `name`: a JSON string whose content is a run of `text`'s symbols
    that starts and ends with a word or punctuation mark (never with spaces).

    `text` must hold a word or punctuation mark. Characters are matched as JSON writes them (a
    quote as ``\\"``), so the answer parses to the substring itself.
    """
    units = symbols(text.strip())
    if not any(not unit.isspace() for unit in units):
        raise ValueError("a span rule needs a text with a word in it")
    automaton = suffix_automaton(units)
    after_spaces = _after_spaces(automaton)
    rules = {name: f'"\\"" {name}_0 "\\""'}
    for state, moves in enumerate(automaton):
        steps = [f"{inner(unit)} {name}_{target}" for unit, target in sorted(moves.items())
                 if state or not unit.isspace()]
        if state and state not in after_spaces:
            steps.insert(0, '""')
        rules[f"{name}_{state}"] = " | ".join(steps) if steps else '""'
    return rules


def _after_spaces(automaton: list[dict[str, int]]) -> set[int]:
    """Return the states entered by a run of spaces (every way into a state reads one symbol)."""
    return {target for moves in automaton for unit, target in moves.items() if unit.isspace()}
