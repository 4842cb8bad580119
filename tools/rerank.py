"""Re-rank backend hits by how much of an item's label the query spells out.

BM25 rewards rare words and short fields, so "incidents" can rank `incident_task` (whose
description repeats "incident") above `incident`. A ServiceNow user names things by their
labels, so a hit whose whole label appears in the query ("send an email" → *Send Email*) gets
its score multiplied by up to `1 + LABEL_BONUS`. Both backends apply the same re-ranking.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from functools import lru_cache
from typing import Protocol, TypeVar

from tools.text import fold_plural, query_tokens, search_terms

LABEL_BONUS = 0.5
"""Score multiplier added at full label coverage (0.5 → ×1.5)."""


class _Scored(Protocol):
    @property
    def label(self) -> str: ...

    @property
    def score(self) -> float: ...


_H = TypeVar("_H", bound=_Scored)


def fetch_size(k: int) -> int:
    """Return how many backend hits to fetch so that re-ranking can reorder the top `k`."""
    return 0 if k <= 0 else 3 * k + 10


def rerank(hits: Iterable[_H], query: str, k: int, use_synonyms: bool = True,
           kind: str | None = None) -> list[_H]:
    """Boost hits by label coverage, sort by score (stable), and keep the top `k`.

    `kind` selects the synonym section, as for the backend query.
    """
    words = {fold_plural(t) for t in search_terms(query, use_synonyms, kind)}
    scored: list[tuple[float, float, _H]] = []
    for hit in hits:
        coverage = label_coverage(hit.label, words)
        score = hit.score * (1 + LABEL_BONUS * coverage) if coverage else hit.score
        scored.append((score, coverage, hit))
    top = sorted(range(len(scored)), key=lambda i: -scored[i][0])[: max(k, 0)]
    # Backends fetch three times `k` hits so that boosts can reorder them: copying a hit
    # with its new score costs more than the rest of re-ranking, so copy the kept ones only.
    return [dataclasses.replace(hit, score=score) if coverage else hit  # type: ignore[type-var]
            for score, coverage, hit in (scored[i] for i in top)]


def label_coverage(label: str, query_words: set[str]) -> float:
    """Return the share of the label's words (stopwords aside) found among the query words."""
    words = label_words(label)
    if not words:
        return 0.0
    return len(words & query_words) / len(words)


@lru_cache(maxsize=65536)
def label_words(label: str) -> frozenset[str]:
    """Return the folded words of a label (cached: a catalog's labels recur in every search)."""
    return frozenset(fold_plural(t) for t in query_tokens(label))
