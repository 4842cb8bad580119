"""PNG plots of eval results (matplotlib, Agg backend: no display needed).

Three figures per dataset: the FlowSim distribution per configuration, FlowSim per feature,
and the structural-error rate before and after repair.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # headless: CI and servers have no display

import matplotlib.pyplot as plt
import numpy as np

_DPI = 110


def plot_dataset(name: str, section: dict[str, Any], out_dir: Path) -> list[Path]:
    """Write the three figures of one dataset into `out_dir` and return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return [
        _distribution(name, section, out_dir / f"{name}-flowsim-distribution.png"),
        _per_feature(name, section, out_dir / f"{name}-flowsim-per-feature.png"),
        _structural(name, section, out_dir / f"{name}-structural-errors.png"),
    ]


def plot_results(doc: dict[str, Any], out_dir: Path) -> list[Path]:
    """Write the figures of every dataset of a results document."""
    paths: list[Path] = []
    for name, section in doc.get("datasets", {}).items():
        paths += plot_dataset(name, section, out_dir)
    return paths


def _distribution(name: str, section: dict[str, Any], path: Path) -> Path:
    configs = section["configs"]
    labels = list(configs)
    fig, axes = plt.subplots(1, 2, figsize=(max(6.0, 2.2 * len(labels) + 2), 4), sharey=True)
    for ax, score in zip(axes, ("flowsim_outline", "flowsim_full"), strict=True):
        data = [[r[score] for r in configs[c]["cases"]] for c in labels]
        ax.boxplot(data, showmeans=True)
        ax.set_xticks(range(1, len(labels) + 1), labels, rotation=20, ha="right")
        ax.set_title(score.replace("_", " "))
        ax.set_ylim(-0.02, 1.02)
    axes[0].set_ylabel("FlowSim per case")
    fig.suptitle(f"{name}: FlowSim distribution (failures = 0)")
    return _save(fig, path)


def _per_feature(name: str, section: dict[str, Any], path: Path) -> Path:
    by_feature = section["features"]["by_feature"]
    features = list(by_feature)
    configs = list(section["configs"])
    x = np.arange(len(features))
    width = 0.8 / max(1, len(configs))
    fig, ax = plt.subplots(figsize=(max(7.0, 0.55 * len(features) + 2), 4.2))
    for i, config in enumerate(configs):
        values = [by_feature[f]["configs"][config]["flowsim_outline"] for f in features]
        ax.bar(x + i * width, values, width, label=config)
    ax.set_xticks(
        x + width * (len(configs) - 1) / 2,
        [f"{f} ({by_feature[f]['n']})" for f in features],
        rotation=55,
        ha="right",
    )
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("mean FlowSim outline")
    ax.set_title(f"{name}: FlowSim outline per feature (n cases)")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return _save(fig, path)


def _structural(name: str, section: dict[str, Any], path: Path) -> Path:
    configs = list(section["configs"])
    aggs = [section["configs"][c]["aggregate"] for c in configs]
    before = [a["structural_before"] or 0.0 for a in aggs]
    after = [a["structural_after"] or 0.0 for a in aggs]
    x = np.arange(len(configs))
    fig, ax = plt.subplots(figsize=(max(5.0, 1.6 * len(configs) + 2), 3.8))
    ax.bar(x - 0.2, before, 0.4, label="before repair")
    ax.bar(x + 0.2, after, 0.4, label="after repair")
    ax.set_xticks(x, configs, rotation=20, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("share of flows with a structural error")
    ax.set_title(f"{name}: structural errors before/after repair")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return _save(fig, path)


def _save(fig: Any, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=_DPI)
    plt.close(fig)
    return path
