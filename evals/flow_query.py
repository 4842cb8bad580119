"""The reference-compatible decomposition of encoded queries for FlowSim-full trees.

This is deliberately *not* `validator.query`: the strict parser reads what the platform reads,
while FlowSim must split queries exactly as the public reference (ServiceNow/StarFlow,
`flow_similarity.py`) does, or published scores stop being comparable. Its rules, all kept:

- logical separators `^EQ`, `^OR`, `^NQ`, `^`, `OR` are found anywhere and case-sensitively, so
  `message=ERROR` splits inside the word;
- comparison operators are tried in the reference's list order (not longest-first) and are not
  matched right after an upper-case letter, `=` or `,`;
- a term that does not split into exactly one field, one operator and one value (a trailing
  `^EQ`, a leading `^`, an empty term, no or two operators) collapses the *whole* query into one
  empty-labelled node, as do the literal queries `^EQ` and `a to z`;
- terms are sorted by field and the separators sorted as strings, then nested right-deep.
"""

from __future__ import annotations

import re

from evals.ted import Tree

LOGICAL_OPERATORS: tuple[str, ...] = ("^EQ", "^OR", "^NQ", "^", "OR")
"""Separators in the reference's alternation order (earlier alternatives win at a position)."""

COMPARISON_OPERATORS: tuple[str, ...] = (
    "VALCHANGES",
    "RELATIVEGT",
    "RELATIVEGE",
    "RELATIVELE",
    "RELATIVELT",
    "BETWEEN",
    "CHANGESTO",
    "CHANGESFROM",
    "EMPTYSTRING",
    "ISEMPTY",
    "ISNOTEMPTY",
    "STARTSWITH",
    "ENDSWITH",
    "SAMEAS",
    "NOTON",
    "NOT LIKE",
    "NOT IN",
    "LIKE",
    "NOT",
    "IN",
    "ON",
    "!=",
    ">=",
    "<=",
    "=",
    ">",
    "<",
)
"""Comparison operators in the reference's order; differs from `validator.query.OPERATORS`."""

# Queries the reference treats as unparseable outright.
_COLLAPSING_QUERIES = frozenset({"^EQ", "a to z"})
_LOGICAL_RE = re.compile("|".join(re.escape(op) for op in LOGICAL_OPERATORS))
# The capture group matters: re.split then returns the operators between the parts.
_COMPARISON_RE = re.compile(
    "(?<![A-Z=,])(" + "|".join(re.escape(op) for op in COMPARISON_OPERATORS) + ")"
)

Term = tuple[str, str, str]
"""(field, operator, value) of one decomposed term."""


def _split_term(part: str) -> Term | None:
    """Split one term on comparison operators; None unless exactly field, operator, value."""
    found = _COMPARISON_RE.findall(part)
    # Like the reference, drop every piece that reads as a found operator once stripped: that
    # removes the captured separators, and also any field or value that equals one.
    pieces = [p for p in _COMPARISON_RE.split(part) if p.strip() not in found]
    if len(pieces) != 2 or len(found) != 1:
        return None
    return pieces[0], found[0], pieces[1]


def decompose(query: str) -> tuple[list[Term], list[str]] | None:
    """Return (terms, separators) as the reference reads `query`, or None if it collapses."""
    if query in _COLLAPSING_QUERIES:
        return None
    separators = _LOGICAL_RE.findall(query)
    terms: list[Term] = []
    for part in _LOGICAL_RE.split(query):
        term = _split_term(part)
        if term is None:
            return None
        terms.append(term)
    return terms, separators


def _term_tree(term: Term) -> Tree:
    """Return `field` → [`operator`, `value`]."""
    field, operator, value = term
    return Tree(field).add(Tree(operator)).add(Tree(value))


def query_tree(query: str) -> Tree:
    """Return the FlowSim-full subtree of an encoded query or field-value template.

    Terms sorted by field hang under the sorted separators, right-deep:
    `sep1` → [term1, `sep2` → [term2, term3]]. A collapsing query gives one empty node.
    """
    decomposed = decompose(query)
    if decomposed is None:
        return Tree("")
    terms, separators = decomposed
    terms.sort(key=lambda term: term[0])
    separators.sort()
    tree = _term_tree(terms[-1])
    # The reference recurses from the front; building from the back gives the same shape
    # without recursion, so long queries cannot exhaust the stack.
    for separator, term in zip(reversed(separators), reversed(terms[:-1]), strict=True):
        tree = Tree(separator).add(_term_tree(term)).add(tree)
    return tree
