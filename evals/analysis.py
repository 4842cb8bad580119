"""Error analysis as the research did it: a binary feature matrix and FlowSim per feature.

Each case gets the features it is tagged with plus those derivable from its reference flow
(structure, inputs and enterprise features; phrasing — explicit or implicit — only comes from
tags). FlowSim is then averaged over the cases that have each feature, per configuration, with
the delta of every configuration against the first (the baseline).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from evals.dataset import KNOWN_FEATURES, EvalCase
from evals.scoring import CaseRecord
from schemas.flow import Component, Flow
from validator.query import QueryError, parse_query, pills_in

ANALYSED_SCORES: tuple[str, ...] = ("flowsim_outline", "flowsim_full")

_CONDITION_INPUTS = frozenset({"condition", "conditions", "email_conditions"})
_CATALOG_ACTIONS = frozenset(
    {"create_catalog_task", "get_catalog_variables", "submit_catalog_item_request"}
)
_CATALOG_TABLES = frozenset({"sc_req_item", "sc_task", "sc_request", "sc_cat_item"})
# PATH is the mandatory wrapper of a PARALLEL branch, not a level of logic a designer nests.
_TRANSPARENT_BLOCKS = frozenset({"PATH"})


def derived_features(flow: Flow) -> set[str]:
    """Return the features visible in a reference flow (flow-format v1)."""
    comps = flow.components
    defs = {c.definition for c in comps}
    values = [i.value for c in comps for i in c.inputs]
    trigger_type = flow.trigger.type if flow.trigger else None
    if flow.trigger is not None:
        values += [i.value for i in flow.trigger.inputs]
    tables = {v for v in values if v in _CATALOG_TABLES or v == "task_sla"}
    found = {
        "foreach": "FOREACH" in defs,
        "parallel": "PARALLEL" in defs,
        "trycatch": "TRY" in defs,
        "ifelse": "IF" in defs,
        "dountil": "DOUNTIL" in defs,
        "nesting": max_depth(comps) > 1,
        "multiple_conditions": _has_multiple_conditions(flow),
        "work_notes": any("work_notes" in v for v in values),
        "dot_walk": _has_dot_walk(flow, values),
        "pills": any(pills_in(v) for v in values),
        "flow_variables": "SETFLOWVARIABLES" in defs or any("{{flow." in v for v in values),
        "sla": trigger_type == "sla_task" or "sla_percentage_timer" in defs or "task_sla" in tables,
        "service_catalog": trigger_type == "service_catalog"
        or bool(defs & _CATALOG_ACTIONS)
        or bool(tables & _CATALOG_TABLES),
        "approval": "ask_for_approval" in defs
        or "sysapproval_approver" in values
        or any(_mentions_field(v, "approval") for v in values),
        "email_trigger": trigger_type == "email",
        "spoke": any(c.category == "action" and c.scope != "global" for c in comps),
    }
    return {name for name, present in found.items() if present}


def max_depth(components: Sequence[Component]) -> int:
    """Return the deepest nesting of flow-logic blocks (0: no component inside a block)."""
    by_order = {c.order: c for c in components}
    deepest = 0
    for comp in components:
        depth, parent, guard = 0, comp.block, 0
        while parent is not None and parent in by_order and guard < len(components):
            if by_order[parent].definition not in _TRANSPARENT_BLOCKS:
                depth += 1
            parent, guard = by_order[parent].block, guard + 1
        deepest = max(deepest, depth)
    return deepest


def _mentions_field(text: str, field: str) -> bool:
    """Tell whether an encoded query or template tests or sets `field` (e.g. approval=…)."""
    return any(part.startswith(f"{field}=") for part in text.split("^"))


def _has_multiple_conditions(flow: Flow) -> bool:
    inputs = [i for c in flow.components for i in c.inputs]
    if flow.trigger is not None:
        inputs += flow.trigger.inputs
    for inp in inputs:
        if inp.name not in _CONDITION_INPUTS:
            continue
        try:
            if len(parse_query(inp.value).terms) > 1:
                return True
        except QueryError:
            continue  # only reference flows reach here and they validate
    return False


def _has_dot_walk(flow: Flow, values: Sequence[str]) -> bool:
    # {{trigger.current.caller_id.manager}}: root, output, then two or more fields.
    for value in values:
        for pill in pills_in(value):
            parts = pill.strip("{}").split(".")
            walks_record = parts[0] == "trigger" or parts[0].startswith("step_")
            if walks_record and len(parts) >= 4:
                return True
    inputs = [i for c in flow.components for i in c.inputs]
    if flow.trigger is not None:
        inputs += flow.trigger.inputs
    # A pill used as a condition field was handled above; only plain dotted fields remain.
    return any(
        "." in term.field and not term.field.startswith("{{")
        for i in inputs
        if i.name in _CONDITION_INPUTS
        for term in _terms(i.value)
    )


def _terms(text: str) -> list[Any]:
    try:
        return list(parse_query(text).terms)
    except QueryError:
        return []


def feature_matrix(cases: Sequence[EvalCase]) -> dict[str, list[str]]:
    """Return the sorted features of each case: its tags plus what its flow shows."""
    return {c.id: sorted(set(c.features) | derived_features(c.flow)) for c in cases}


def feature_analysis(
    cases: Sequence[EvalCase], by_config: Mapping[str, Sequence[CaseRecord]]
) -> dict[str, Any]:
    """Average FlowSim per feature subset and configuration, with deltas to the baseline.

    Returns:
        ``{"baseline", "matrix": {case_id: [features]}, "by_feature": {feature: {"n",
        "configs": {config: {score: mean}}, "delta": {config: {score: mean - baseline}}}}}``;
        ``all`` is the whole dataset. Features no case has are left out.
    """
    matrix = feature_matrix(cases)
    names = list(by_config)
    baseline = names[0] if names else None
    scores = {name: {r.case_id: r for r in recs} for name, recs in by_config.items()}
    extra = sorted({f for feats in matrix.values() for f in feats} - set(KNOWN_FEATURES))
    by_feature: dict[str, Any] = {}
    for feature in ("all", *KNOWN_FEATURES, *extra):
        ids = [cid for cid, feats in matrix.items() if feature == "all" or feature in feats]
        if not ids:
            continue
        per_config = {name: _means(scores[name], ids) for name in names}
        delta = {
            name: {s: per_config[name][s] - per_config[baseline][s] for s in ANALYSED_SCORES}
            for name in names
            if baseline is not None
        }
        by_feature[feature] = {"n": len(ids), "configs": per_config, "delta": delta}
    return {"baseline": baseline, "matrix": matrix, "by_feature": by_feature}


def _means(records: Mapping[str, CaseRecord], ids: Sequence[str]) -> dict[str, float]:
    present = [records[i] for i in ids if i in records]
    return {
        s: (sum(getattr(r, s) for r in present) / len(present) if present else 0.0)
        for s in ANALYSED_SCORES
    }
