"""Catalog candidates as the plain dicts the prompts and output schemas take.

These helpers are shared by the nodes and by the SFT export (through the ``*_prompt_vars``
functions), so the built-in model is trained on exactly what the generator shows it.
"""

from __future__ import annotations

import re
import threading
import weakref
from typing import Any

from schemas.catalog import Catalog, Param
from schemas.flow import Component, OutlineComponent
from tools.lookup import AnswerMemo
from tools.retriever import Retriever, StepHit

_CLAUSE = re.compile(r"[,;.]|\b(?:and then|then|and|otherwise|else|if|when|for each)\b", re.I)
CLAUSE_K = 3
"""Step candidates taken per requirement clause, on top of the whole-requirement search."""


class RetrieverMemo:
    """An `AnswerMemo` of results per retriever, dropped with the retriever.

    A retriever answers from a fixed index, so the same question gets the same answer for
    as long as it lives; weak keys keep a closed retriever's answers from outliving it.
    """

    def __init__(self, size: int) -> None:
        """Remember at most `size` results per retriever."""
        self.size = size
        self._memos: weakref.WeakKeyDictionary[Any, AnswerMemo[Any]] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def _memo(self, retriever: Retriever, create: bool) -> AnswerMemo[Any] | None:
        with self._lock:
            try:
                memo = self._memos.get(retriever)
                if memo is None and create:
                    memo = self._memos.setdefault(retriever, AnswerMemo(self.size))
            except TypeError:  # a retriever without weak references is never remembered
                return None
            return memo

    def get(self, retriever: Retriever, key: tuple[Any, ...]) -> Any:
        """Return the remembered result (now the most recent), or None."""
        memo = self._memo(retriever, create=False)
        return None if memo is None else memo.get(key)

    def put(self, retriever: Retriever, key: tuple[Any, ...], value: Any) -> None:
        """Remember a result, dropping the least recently used beyond the size."""
        memo = self._memo(retriever, create=True)
        if memo is not None:
            memo.put(key, value)

    def clear(self) -> None:
        """Forget every result (benchmarks timing the searches)."""
        with self._lock:
            self._memos.clear()

    def forget(self, retriever: Retriever) -> None:
        """Forget the results of one retriever, keeping the others'."""
        with self._lock:
            try:
                self._memos.pop(retriever, None)
            except TypeError:  # never remembered (see `_memo`)
                return


PLAN_MEMO = RetrieverMemo(size=512)
"""The plan candidates of recent requirements, per retriever (`plan_prompt_vars`)."""


def param_dict(param: Param) -> dict[str, Any]:
    """Describe one catalog input for a prompt."""
    return {
        "name": param.name,
        "type": param.type,
        "mandatory": param.mandatory,
        "choices": [{"value": c.value, "label": c.label} for c in param.choices],
        "table_from": param.table_from,
        "reference": param.reference,
    }


def step_params(step: Component | OutlineComponent, catalog: Catalog) -> list[dict[str, Any]]:
    """Return the catalog inputs of a step (empty for placeholders and unknown steps)."""
    if step.category == "flowlogic":
        logic = catalog.logic(step.definition.upper())
        return [param_dict(p) for p in logic.inputs] if logic else []
    if step.category in ("action", "subflow"):
        action = catalog.action(step.definition, step.scope)
        return [param_dict(p) for p in action.inputs] if action else []
    return []


def trigger_params(trigger_type: str, catalog: Catalog) -> list[dict[str, Any]]:
    """Return the inputs of a trigger type (empty for an unknown type)."""
    trigger = catalog.trigger(trigger_type)
    return [param_dict(p) for p in trigger.inputs] if trigger else []


def needs_fill(step: OutlineComponent, catalog: Catalog) -> bool:
    """Tell whether a step has inputs a model must choose (ELSE, PATH, placeholders: no)."""
    if step.category == "flowlogic":
        logic = catalog.logic(step.definition.upper())
        return logic is not None and (bool(logic.inputs) or logic.variadic_inputs)
    return bool(step_params(step, catalog))


def _step_dict(hit: StepHit) -> dict[str, Any]:
    return {"category": hit.category, "definition": hit.definition, "scope": hit.scope,
            "label": hit.label}


def candidate_steps(
    requirement: str, catalog: Catalog, retriever: Retriever, k: int
) -> list[dict[str, Any]]:
    """Return actions/subflows matching the requirement and its clauses, then the rest.

    Every core (``global``) action is offered after the matches: they are the basic vocabulary
    of any instance (look up, create, update records) and a lexical search easily misses them
    ("reassign" does not match "update record"). Spoke actions come only from the search.
    """
    kinds = frozenset({"action", "subflow"})
    hits = list(retriever.search_steps(requirement, k=k, kinds=kinds))  # type: ignore[arg-type]
    for clause in _clauses(requirement):
        hits.extend(retriever.search_steps(clause, k=CLAUSE_K, kinds=kinds))  # type: ignore[arg-type]
    out: dict[tuple[str, str, str], dict[str, Any]] = {}
    for hit in hits:
        out.setdefault((hit.category, hit.definition, hit.scope), _step_dict(hit))
    for action in catalog.actions:
        if action.scope == "global":
            out.setdefault((action.category, action.name, action.scope), {
                "category": action.category, "definition": action.name, "scope": action.scope,
                "label": action.label})
    for logic in catalog.flow_logic:
        out.setdefault(("flowlogic", logic.token, "global"), {
            "category": "flowlogic", "definition": logic.token, "scope": "global",
            "label": logic.label})
    return list(out.values())


def candidate_triggers(
    requirement: str, catalog: Catalog, retriever: Retriever, k: int
) -> list[dict[str, Any]]:
    """Return every trigger type, the best matches for the requirement first."""
    ranked = [h.type for h in retriever.search_triggers(requirement, k=k)]
    order = {t: i for i, t in enumerate(ranked)}
    triggers = sorted(catalog.triggers, key=lambda t: order.get(t.type, len(order)))
    return [{"type": t.type, "label": t.label} for t in triggers]


def candidate_tables(
    requirement: str, catalog: Catalog, retriever: Retriever, k: int
) -> list[str]:
    """Return the tables the requirement pins (``#table``) or names, pinned first."""
    from tools.pinning import pinned_tables

    names = list(pinned_tables(requirement, catalog))
    names.extend(h.name for h in retriever.search_tables(requirement, k=k))
    return list(dict.fromkeys(names))


def _clauses(requirement: str) -> list[str]:
    parts = (p.strip() for p in _CLAUSE.split(requirement))
    # A clause said twice ("… log it; … and log it") has the same hits: search it once.
    return list(dict.fromkeys(p for p in parts if len(p.split()) >= 2))
