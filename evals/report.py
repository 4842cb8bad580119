"""Render eval results as markdown: comparison tables per dataset, and run-vs-run deltas."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from evals.scoring import GROUNDING_KINDS

_SCORE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("flowsim_outline", "FlowSim outline"),
    ("flowsim_full", "FlowSim full"),
    ("tree_bleu", "TreeBLEU"),
    ("tree_bleu_outline", "TreeBLEU outline"),
    ("trigger_match", "trigger match"),
    ("component_jaccard", "component Jaccard"),
)
_VALIDITY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("unusable_rate", "no usable flow"),
    ("structural_before", "structural errors before repair"),
    ("structural_after", "structural errors after repair"),
    ("valid_rate", "valid (no errors)"),
    ("placeholder_rate", "with placeholders"),
    ("repairs_mean", "repairs used (mean)"),
    ("last_resort_rate", "last-resort fixes applied"),
)
_COST_COLUMNS: tuple[tuple[str, str], ...] = (
    ("latency_p50", "latency p50 (s)"),
    ("latency_p95", "latency p95 (s)"),
    ("tokens_in_mean", "tokens in (mean)"),
    ("tokens_out_mean", "tokens out (mean)"),
)
COMPARED_METRICS: tuple[tuple[str, str], ...] = (
    *_SCORE_COLUMNS,
    ("failure_rate", "failed cases"),
    *_VALIDITY_COLUMNS,
    *_COST_COLUMNS,
)
MAX_FAILURES_LISTED = 15


def fmt(value: object, digits: int = 3) -> str:
    """Format a number for a table cell; None (not measured) shows as a dash."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def fmt_delta(value: float | None) -> str:
    """Format a signed difference (dash when either side is missing)."""
    return "–" if value is None else f"{value:+.3f}"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Return the lines of a GitHub markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def render_report(doc: dict[str, Any], title: str = "flowgen eval", notes: str = "") -> str:
    """Render a whole results document (every dataset) as markdown."""
    lines = [f"# {title}", ""]
    if notes:
        lines += [notes.strip(), ""]
    lines += [f"Catalog: `{doc.get('catalog', '?')}`. Created {doc.get('created', '?')}.", ""]
    lines += _config_table(doc.get("configs", {}))
    for name, section in doc.get("datasets", {}).items():
        lines += render_dataset(name, section)
    return "\n".join(lines).rstrip() + "\n"


def _config_table(configs: dict[str, Any]) -> list[str]:
    rows = [
        [
            f"`{name}`",
            ", ".join(f"{r}={m}" for r, m in cfg.get("models", {}).items()) or "defaults",
            f"{cfg.get('max_repairs')}" if cfg.get("repair") else "off",
            str(cfg.get("retrieval")),
            fmt(bool(cfg.get("perfect_retrieval"))),
        ]
        for name, cfg in configs.items()
    ]
    header = ["configuration", "models", "repair budget", "retrieval", "perfect retrieval"]
    return ["## Configurations", "", *table(header, rows), ""]


def render_dataset(name: str, section: dict[str, Any]) -> list[str]:
    """Render the tables of one dataset."""
    configs: dict[str, Any] = section["configs"]
    aggs = {c: v["aggregate"] for c, v in configs.items()}
    n, total = section["n_cases"], section.get("n_total", section["n_cases"])
    size = f"{n} cases" if n == total else f"the first {n} of {total} cases"
    lines = [f"## Dataset `{name}` ({size})", ""]
    lines += ["### Scores (failures count as 0)", ""]
    lines += _metric_table(aggs, (*_SCORE_COLUMNS, ("n_failed", "failed")))
    lines += ["### Validity", ""]
    lines += _metric_table(aggs, _VALIDITY_COLUMNS)
    lines += ["### Grounding errors (share of flows with at least one; total count)", ""]
    rows = [
        [f"`{c}`"]
        + [f"{fmt(a['grounding_rate'][k])} ({a['grounding_total'][k]})" for k in GROUNDING_KINDS]
        for c, a in aggs.items()
    ]
    header = ["configuration", *(f"hallucinated {k.replace('_', ' ')}" for k in GROUNDING_KINDS)]
    lines += [*table(header, rows), ""]
    lines += ["### Latency and tokens", ""]
    lines += _metric_table(aggs, _COST_COLUMNS)
    lines += _feature_table(section["features"])
    lines += _failure_list(configs)
    return lines


def _metric_table(aggs: dict[str, Any], columns: Sequence[tuple[str, str]]) -> list[str]:
    rows = [[f"`{c}`", *(fmt(a.get(key)) for key, _ in columns)] for c, a in aggs.items()]
    return [*table(["configuration", *(label for _, label in columns)], rows), ""]


def _feature_table(features: dict[str, Any]) -> list[str]:
    by_feature: dict[str, Any] = features["by_feature"]
    baseline = features.get("baseline")
    if not by_feature:
        return []
    configs = list(next(iter(by_feature.values()))["configs"])
    header = ["feature", "n"]
    for c in configs:
        header.append(f"`{c}` outline / full" + ("" if c == baseline else " (Δ outline)"))
    rows = []
    for feature, entry in by_feature.items():
        row = [feature, str(entry["n"])]
        for c in configs:
            scores = entry["configs"][c]
            cell = f"{scores['flowsim_outline']:.3f} / {scores['flowsim_full']:.3f}"
            if c != baseline:
                cell += f" ({fmt_delta(entry['delta'][c]['flowsim_outline'])})"
            row.append(cell)
        rows.append(row)
    intro = f"### FlowSim per feature (Δ against `{baseline}`)"
    return [intro, "", *table(header, rows), ""]


def _failure_list(configs: dict[str, Any]) -> list[str]:
    failures = [
        (c, r["case_id"], r.get("reason") or "?")
        for c, v in configs.items()
        for r in v["cases"]
        if not r["ok"] or r.get("unusable")
    ]
    if not failures:
        return []
    lines = ["### Failed cases and cases without a usable flow", ""]
    for config, case_id, reason in failures[:MAX_FAILURES_LISTED]:
        lines.append(f"- `{config}` / `{case_id}`: {reason.splitlines()[0][:200]}")
    if len(failures) > MAX_FAILURES_LISTED:
        lines.append(f"- … and {len(failures) - MAX_FAILURES_LISTED} more (see results.json)")
    return [*lines, ""]


def render_compare(doc_a: dict[str, Any], doc_b: dict[str, Any], a: str, b: str) -> str:
    """Render the deltas B − A for every dataset and configuration the two runs share.

    Configurations are matched by name; when each run holds exactly one configuration of a
    dataset they are compared whatever their names (the usual "model X vs model Y" case).
    """
    lines = [f"# flowgen eval compare: `{b}` − `{a}`", ""]
    shared = [d for d in doc_a.get("datasets", {}) if d in doc_b.get("datasets", {})]
    if not shared:
        return "\n".join([*lines, "The two runs share no dataset.", ""])
    for dataset in shared:
        conf_a = doc_a["datasets"][dataset]["configs"]
        conf_b = doc_b["datasets"][dataset]["configs"]
        for name_a, name_b in _pairs(list(conf_a), list(conf_b)):
            lines += [f"## `{dataset}`: `{name_a}` → `{name_b}`", ""]
            agg_a, agg_b = conf_a[name_a]["aggregate"], conf_b[name_b]["aggregate"]
            rows = [
                [label, fmt(agg_a.get(k)), fmt(agg_b.get(k)), fmt_delta(_diff(agg_a, agg_b, k))]
                for k, label in COMPARED_METRICS
            ]
            lines += [*table(["metric", "A", "B", "Δ (B − A)"], rows), ""]
    return "\n".join(lines).rstrip() + "\n"


def _pairs(names_a: list[str], names_b: list[str]) -> list[tuple[str, str]]:
    common = [(n, n) for n in names_a if n in names_b]
    if common:
        return common
    return [(names_a[0], names_b[0])] if len(names_a) == len(names_b) == 1 else []


def _diff(a: dict[str, Any], b: dict[str, Any], key: str) -> float | None:
    va, vb = a.get(key), b.get(key)
    if isinstance(va, int | float) and isinstance(vb, int | float):
        return float(vb) - float(va)
    return None
