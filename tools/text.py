"""Turn catalog identifiers and user text into search terms, safely.

Both backends see the same terms: identifiers are indexed raw *and* split into words
(`assignment_group` → "assignment_group assignment group", `lookUpRecords` → "look up records"),
and a user's query is reduced to plain word tokens (plus synonyms from `data/synonyms.json`)
before any backend sees it. That is what keeps user text from ever reaching FTS5 as syntax:
a token is letters, digits and underscores only, and is quoted as a phrase on top.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable
from functools import cache, lru_cache
from importlib import resources

MAX_QUERY_CHARS = 2000
"""Only the head of a query is read: a 100 KB paste should cost no more than a sentence."""

MAX_QUERY_TERMS = 48
"""Upper bound on distinct terms sent to a backend (keeps BM25 work per query bounded)."""

_WORD = re.compile(r"[^\W_]+(?:_[^\W_]+)*")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+|[^\W\d_]+")

# Function words carry no signal for catalog lookup but match most descriptions. Words that
# name flow logic ("if", "else", "each", "for", "until", "end", "wait") are deliberately kept.
STOPWORDS: frozenset[str] = frozenset(
    {
        "a", "an", "the", "to", "of", "it", "its", "is", "are", "was", "were", "be", "been",
        "being", "that", "this", "these", "those", "them", "they", "their", "there", "his",
        "her", "he", "she", "him", "and", "or", "in", "on", "at", "by", "with", "from", "as",
        "into", "so", "we", "our", "us", "i", "me", "my", "you", "your", "please", "should",
        "would", "could", "can", "will", "shall", "do", "does", "did", "has", "have", "had",
        "then", "than", "which", "who", "whom", "whose", "what", "also", "just", "any", "some",
    }
)


def split_identifier(identifier: str) -> list[str]:
    """Split a snake_case or camelCase identifier into lower-case words.

    Args:
        identifier: e.g. ``assignment_group``, ``lookUpRecords`` or ``sys_user_group``.

    Returns:
        The words in order, e.g. ``["look", "up", "records"]``; empty for no letters/digits.
    """
    return list(_split_cached(identifier))


@lru_cache(maxsize=1 << 16)
def _split_cached(identifier: str) -> tuple[str, ...]:
    # Cached: a catalog repeats the same words and names tens of thousands of times.
    words: list[str] = []
    for part in re.split(r"[\W_]+", identifier):
        words.extend(w.lower() for w in _CAMEL.findall(part))
    return tuple(words)


def identifier_text(identifier: str) -> str:
    """Return the identifier raw (lower-cased) followed by its words, for indexing."""
    words = split_identifier(identifier)
    raw = identifier.lower()
    if words == [raw]:
        return raw
    return " ".join([raw, *words])


def query_tokens(query: str) -> list[str]:
    """Reduce free text to distinct lower-case word tokens, stopwords dropped, in order.

    Identifiers typed by the user (`assignment_group`, `caller_id`) are kept whole and also
    split, so they match both an exact name and its words.
    """
    head = query[:MAX_QUERY_CHARS]
    out: dict[str, None] = {}
    for match in _WORD.finditer(head):
        raw = match.group(0)
        lowered = raw.lower()
        if lowered not in STOPWORDS:
            out.setdefault(lowered, None)
        for word in split_identifier(raw):
            # A lone letter split off an identifier ("P1" → "p") only adds noise.
            if word not in STOPWORDS and (len(word) > 1 or word.isdigit()):
                out.setdefault(word, None)
    return list(out)


SYNONYM_SECTIONS: tuple[str, ...] = ("any", "step", "table", "column", "choice", "trigger")
"""Sections of the synonym file: `any` applies to every search, the others to one kind."""


@cache
def synonyms(kind: str | None = None) -> dict[str, tuple[str, ...]]:
    """Return the synonym table for a kind of search (its section merged over `any`).

    Keys are lower-case words or two-word phrases; values are the expansion terms.
    Vocabulary stays with the kind it helps: "requester" → "requested" finds the
    `requested_by` column but would pull catalog actions into a step search.
    """
    raw = json.loads(resources.files("tools").joinpath("data/synonyms.json").read_text("utf-8"))
    table: dict[str, tuple[str, ...]] = {}
    for section in ("any", kind):
        for key, value in raw.get(section or "", {}).items():
            table[key.lower()] = tuple(t for v in value for t in query_tokens(v))
    return table


def expand(tokens: list[str], kind: str | None = None) -> list[str]:
    """Append the synonyms of single tokens and of adjacent two-word phrases, de-duplicated."""
    table = synonyms(kind)
    out: dict[str, None] = dict.fromkeys(tokens)
    phrases: Iterable[str] = [*tokens, *(f"{a} {b}" for a, b in itertools.pairwise(tokens))]
    for phrase in phrases:
        for term in table.get(phrase, ()):
            out.setdefault(term, None)
    return list(out)[:MAX_QUERY_TERMS]


def search_terms(query: str, use_synonyms: bool = True, kind: str | None = None) -> list[str]:
    """Return the terms a backend should search for: tokens (plus the kind's synonyms)."""
    return list(_search_terms(query, use_synonyms, kind))


@lru_cache(maxsize=4096)
def _search_terms(query: str, use_synonyms: bool, kind: str | None) -> tuple[str, ...]:
    # One step's annotation is searched against every table it may be about, and the
    # re-ranker asks again for the same query: tokenise and expand it once.
    tokens = query_tokens(query)
    return tuple(expand(tokens, kind) if use_synonyms else tokens[:MAX_QUERY_TERMS])


def fold_plural(word: str) -> str:
    """Fold plural forms ("incidents" → "incident", "categories" → "category")."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def fts_phrase(term: str) -> str:
    """Quote one term as an FTS5 string (doubling quotes, although tokens never contain one)."""
    return '"' + term.replace('"', '""') + '"'


def fts_any(terms: Iterable[str]) -> str:
    """Return an FTS5 expression matching any of the terms, each quoted as a phrase."""
    return " OR ".join(fts_phrase(t) for t in terms)
