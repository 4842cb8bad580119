"""Score one generator result against its reference, and aggregate case records.

A `CaseRecord` is everything the report needs about one (configuration, case) pair; it is what
the cache stores, so a resumed run aggregates exactly the same numbers. The final flow is
re-validated here against the catalog rather than trusting the generator's own issue list, so
a configuration cannot look better by under-reporting.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from schemas.catalog import Catalog
from schemas.issues import Issue, is_structural
from schemas.result import GenerationResult

GROUNDING_KINDS: dict[str, str] = {
    "steps": "unknown_action",
    "tables": "unknown_table",
    "columns": "unknown_column",
    "choice_values": "unknown_choice_value",
}
"""Hallucination kinds the report counts, mapped to the validator codes that reveal them."""

SCORE_FIELDS: tuple[str, ...] = (
    "flowsim_outline",
    "flowsim_full",
    "tree_bleu",
    "tree_bleu_outline",
    "trigger_match",
    "component_jaccard",
)
"""Per-pair metrics of `evals.metrics.score_pair` kept for every case."""


class CaseRecord(BaseModel):
    """The scored outcome of one case under one configuration."""

    case_id: str
    ok: bool = Field(description="False when the generator raised or reported status=failed.")
    reason: str | None = Field(default=None, description="Why the case failed.")
    status: str | None = Field(default=None, description="The generator's status, if it ran.")
    flow: dict[str, Any] | None = None
    flowsim_outline: float = 0.0
    flowsim_full: float = 0.0
    tree_bleu: float = 0.0
    tree_bleu_outline: float = 0.0
    trigger_match: float | None = Field(
        default=0.0, description="None when neither flow has a trigger (two subflows)."
    )
    component_jaccard: float | None = Field(
        default=0.0, description="None when neither flow has components."
    )
    score_problem: str | None = Field(
        default=None, description="Why a side could not be scored (from score_pair)."
    )
    unusable: bool = Field(
        default=False,
        description="The generator ran but made no usable flow (e.g. output never parsed): "
        "scores 0 and counts as a structural error before and after repair.",
    )
    structural_before: bool = False
    structural_after: bool = False
    errors_after: int = Field(default=0, description="Error-severity issues in the final flow.")
    grounding: dict[str, int] = Field(
        default_factory=dict, description="Count per GROUNDING_KINDS key in the final flow."
    )
    placeholders: int = 0
    repairs_used: int = 0
    fixes: list[str] = Field(
        default_factory=list,
        description="Last-resort fixes the generator applied once its repair budget was spent.",
    )
    latency_s: float = 0.0
    timings: dict[str, float] = Field(
        default_factory=dict, description="Seconds per generator node, as the generator reports."
    )
    tokens_in: int | None = None
    tokens_out: int | None = None


def failure_record(case_id: str, reason: str, latency_s: float) -> CaseRecord:
    """Return the record of a case whose generation did not produce a flow (scores 0)."""
    return CaseRecord(case_id=case_id, ok=False, reason=reason, latency_s=latency_s)


def score_result(
    case_id: str,
    result: GenerationResult,
    gold: dict[str, Any],
    catalog: Catalog,
    latency_s: float,
) -> CaseRecord:
    """Score a generator result against the reference flow `gold`.

    A run that failed (status ``failed``) is a failure; a run that finished without a usable
    flow is the model's miss: it scores 0 and counts as unparseable/structurally broken.
    """
    if result.status == "failed":
        record = failure_record(case_id, result.reason or "generator failed", latency_s)
        return record.model_copy(update={"status": result.status})
    if result.flow is None:
        return _unusable_record(case_id, result, latency_s)
    from evals.metrics import score_pair  # lazy: keeps `flowgen eval compare` light
    from validator import validate

    scores = score_pair(result.flow, gold)
    issues = validate(result.flow, catalog)
    after = any(is_structural(i) for i in issues)
    before = any(is_structural(i) for i in result.initial_issues)
    if result.repairs_used == 0:
        before = before or after  # no repair ran, so the final flow is the first draft
    tokens_in, tokens_out = _token_totals(result)
    return CaseRecord(
        case_id=case_id,
        ok=True,
        status=result.status,
        flow=result.flow,
        **{name: getattr(scores, name) for name in SCORE_FIELDS},
        score_problem=scores.problem,
        structural_before=before,
        structural_after=after,
        errors_after=sum(1 for i in issues if i.is_error),
        grounding=_grounding_counts(issues),
        placeholders=_placeholders(result.flow),
        repairs_used=result.repairs_used,
        fixes=result.fixes,
        latency_s=latency_s,
        timings=result.timings,
        tokens_in=tokens_in,
        tokens_out=tokens_out,
    )


def _unusable_record(case_id: str, result: GenerationResult, latency_s: float) -> CaseRecord:
    errors = [i for i in result.issues if i.is_error]
    first = f"{errors[0].code}: {errors[0].message}" if errors else "no issue reported"
    tokens_in, tokens_out = _token_totals(result)
    return CaseRecord(
        case_id=case_id,
        ok=True,
        reason=f"no usable flow ({first})",
        status=result.status,
        unusable=True,
        structural_before=True,
        structural_after=True,
        errors_after=max(1, len(errors)),
        grounding=_grounding_counts(errors),
        repairs_used=result.repairs_used,
        latency_s=latency_s,
        timings=result.timings,
        tokens_in=tokens_in,
        tokens_out=tokens_out,
    )


def _grounding_counts(issues: Sequence[Issue]) -> dict[str, int]:
    return {
        kind: sum(1 for i in issues if i.code == code and i.is_error)
        for kind, code in GROUNDING_KINDS.items()
    }


def _placeholders(flow: dict[str, Any]) -> int:
    components = flow.get("components")
    if not isinstance(components, list):
        return 0
    return sum(1 for c in components if isinstance(c, dict) and c.get("category") == "placeholder")


def _token_totals(result: GenerationResult) -> tuple[int | None, int | None]:
    if not result.tokens:
        return None, None  # the model does not report usage; "0" would be a false claim
    usage = result.tokens.values()
    return sum(u.input_tokens for u in usage), sum(u.output_tokens for u in usage)


def aggregate(records: Sequence[CaseRecord]) -> dict[str, Any]:
    """Aggregate case records of one configuration into the report's numbers.

    Score means run over all cases with failures counted as 0; rates about the produced flow
    (structural errors, grounding, placeholders) run over the cases that produced one.
    """
    ok = [r for r in records if r.ok]
    out: dict[str, Any] = {"n": len(records), "n_failed": len(records) - len(ok)}
    out["failure_rate"] = _share(len(records) - len(ok), len(records))
    for name in SCORE_FIELDS:
        # None means "not applicable" (e.g. no trigger on either side) and is skipped, as the
        # reference implementation does; failures hold 0.0 and are counted.
        out[name] = _mean_reported([getattr(r, name) for r in records])
        out[f"{name}_ok"] = _mean_reported([getattr(r, name) for r in ok])
    out["structural_before"] = _share(sum(r.structural_before for r in ok), len(ok))
    out["structural_after"] = _share(sum(r.structural_after for r in ok), len(ok))
    out["unusable_rate"] = _share(sum(r.unusable for r in ok), len(ok))
    out["valid_rate"] = _share(sum(r.errors_after == 0 for r in ok), len(ok))
    out["grounding_rate"] = {
        kind: _share(sum(r.grounding.get(kind, 0) > 0 for r in ok), len(ok))
        for kind in GROUNDING_KINDS
    }
    out["grounding_total"] = {
        kind: sum(r.grounding.get(kind, 0) for r in ok) for kind in GROUNDING_KINDS
    }
    out["placeholder_rate"] = _share(sum(r.placeholders > 0 for r in ok), len(ok))
    out["repairs_mean"] = _mean([float(r.repairs_used) for r in ok])
    out["last_resort_rate"] = _share(sum(bool(r.fixes) for r in ok), len(ok))
    latencies = [r.latency_s for r in ok]
    out["latency_p50"] = _percentile(latencies, 50)
    out["latency_p95"] = _percentile(latencies, 95)
    out["tokens_in_mean"] = _mean_reported([r.tokens_in for r in ok])
    out["tokens_out_mean"] = _mean_reported([r.tokens_out for r in ok])
    return out


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _mean(values: Sequence[float]) -> float | None:
    return float(np.mean(values)) if values else None


def _mean_reported(values: Sequence[float | int | None]) -> float | None:
    reported = [float(v) for v in values if v is not None]
    return _mean(reported)


def _percentile(values: Sequence[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None
