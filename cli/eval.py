"""`flowgen eval`: run configurations over datasets, and compare two runs.

flowgen eval --dataset dev --config builtin --config builtin-norepair [--limit N] [--out DIR]
flowgen eval compare RUN_A RUN_B [--out FILE]
flowgen eval report RUN [--out FILE] [--title TEXT]
"""

from __future__ import annotations

import argparse
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cli.common import CliError, add_catalog_option

DEFAULT_RUNS_DIR = Path("runs")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `eval` command and its `compare` and `report` subcommands."""
    parser = subparsers.add_parser(
        "eval",
        help="run and compare evaluation configurations",
        description="Run eval configurations over datasets; writes results.json, report.md "
        "and PNG plots into a run directory. Rerunning with the same --out resumes.",
    )
    _add_run_arguments(parser)
    _add_subcommands(parser)


def _add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of a run (`flowgen eval --dataset … --config …`)."""
    parser.add_argument(
        "--dataset",
        action="append",
        metavar="NAME|FILE",
        help="dev, dev_b, synthetic_test, or a JSONL/YAML file (repeatable)",
    )
    parser.add_argument(
        "--config",
        action="append",
        metavar="NAME|FILE",
        help="configuration name under evals/configs/ or a YAML file (repeatable; the first "
        "is the baseline of the per-feature deltas)",
    )
    parser.add_argument(
        "--limit", type=int, metavar="N", help="only the first N cases of each dataset"
    )
    parser.add_argument(
        "--out", type=Path, metavar="DIR", help="run directory (default runs/<time>-<configs>)"
    )
    parser.add_argument("--title", default="flowgen eval", help="title of report.md")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    add_catalog_option(parser)
    parser.set_defaults(handler=run_eval_command)


def _add_subcommands(parser: argparse.ArgumentParser) -> None:
    """Add `compare` and `report`, which work on finished run directories."""
    sub = parser.add_subparsers(dest="eval_command", metavar="SUBCOMMAND")
    compare = sub.add_parser("compare", help="tables of deltas between two runs (B − A)")
    compare.add_argument("run_a", type=Path, metavar="RUN_A")
    compare.add_argument("run_b", type=Path, metavar="RUN_B")
    compare.add_argument("--out", type=Path, metavar="FILE", help="also write the markdown here")
    compare.set_defaults(handler=compare_command)
    report = sub.add_parser("report", help="re-render report.md and plots of a run")
    report.add_argument("run", type=Path, metavar="RUN")
    report.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="markdown file (default RUN/report.md); figures go to a folder named after it",
    )
    report.add_argument("--title", default="flowgen eval")
    report.add_argument("--notes", type=Path, metavar="FILE", help="markdown put under the title")
    report.set_defaults(handler=report_command)


def run_eval_command(args: argparse.Namespace) -> int:
    """Run the configurations over the datasets and write the run directory."""
    from cli.catalog_arg import load_catalog_arg
    from evals.config import ConfigError, load_config
    from evals.dataset import DatasetError, load_dataset
    from evals.generation import GeneratorSetupError, make_generator
    from evals.runner import DatasetRun, run_eval

    if not args.dataset or not args.config:
        raise CliError("give at least one --dataset and one --config (see flowgen eval --help)")
    if args.limit is not None and args.limit < 1:
        raise CliError("--limit must be a positive number of cases")
    try:
        configs = [load_config(c) for c in args.config]
        datasets = []
        for name in args.dataset:
            cases = load_dataset(name)
            datasets.append(DatasetRun(_dataset_name(name), cases[: args.limit], len(cases)))
    except (ConfigError, DatasetError) as exc:
        raise CliError(str(exc)) from None
    _check_unique([c.name for c in configs], "configuration")
    _check_unique([d.name for d in datasets], "dataset")
    catalog = load_catalog_arg(args)
    out_dir = args.out or DEFAULT_RUNS_DIR / _run_name([c.name for c in configs])
    try:
        doc = run_eval(datasets, configs, make_generator, catalog, out_dir, not args.no_progress)
    except GeneratorSetupError as exc:
        raise CliError(str(exc)) from None
    _write_outputs(doc, out_dir / "report.md", out_dir, args.title)
    _print_summary(doc, out_dir)
    return 0


def compare_command(args: argparse.Namespace) -> int:
    """Print (and optionally write) the deltas between two runs."""
    from evals.report import render_compare

    text = render_compare(_load(args.run_a), _load(args.run_b), str(args.run_a), str(args.run_b))
    if args.out:
        _write_text(args.out, text)
    print(text, end="")
    return 0


def report_command(args: argparse.Namespace) -> int:
    """Re-render a run's markdown report and plots from its results.json."""
    doc = _load(args.run)
    notes = _read_text(args.notes) if args.notes else ""
    run_dir = args.run if args.run.is_dir() else args.run.parent
    path = args.out or run_dir / "report.md"
    # A report written elsewhere (e.g. reports/x.md) keeps its figures beside it in reports/x/.
    figures_dir = path.parent / path.stem if args.out else run_dir
    _write_outputs(doc, path, figures_dir, args.title, notes)
    print(f"wrote {path}")
    return 0


def _write_outputs(
    doc: dict[str, Any], report_path: Path, figures_dir: Path, title: str, notes: str = ""
) -> None:
    """Write the figures into `figures_dir` and the markdown report that links them."""
    from evals.plots import plot_results
    from evals.report import render_report

    try:
        figures = plot_results(doc, figures_dir)
    except OSError as exc:
        raise CliError(f"cannot write figures into {figures_dir}: {exc}") from None
    links = [f"![{p.stem}]({os.path.relpath(p, report_path.parent)})" for p in figures]
    text = render_report(doc, title, notes) + "\n## Figures\n\n" + "\n".join(links) + "\n"
    _write_text(report_path, text)


def _print_summary(doc: dict[str, Any], out_dir: Path) -> None:
    for dataset, section in doc["datasets"].items():
        for config, entry in section["configs"].items():
            agg = entry["aggregate"]
            print(
                f"{dataset} / {config}: FlowSim outline {agg['flowsim_outline']:.3f}, "
                f"full {agg['flowsim_full']:.3f}, failed {agg['n_failed']}/{agg['n']}"
            )
    print(f"results: {out_dir / 'results.json'}  report: {out_dir / 'report.md'}")


def _load(path: Path) -> dict[str, Any]:
    from evals.runner import load_results

    try:
        return load_results(path)
    except (OSError, ValueError) as exc:
        raise CliError(f"cannot read eval results from {path}: {exc}") from None


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"cannot read {path}: {exc}") from None


def _write_text(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CliError(f"cannot write {path}: {exc}") from None


def _dataset_name(name_or_path: str) -> str:
    return Path(name_or_path).stem if ("/" in name_or_path or "." in name_or_path) else name_or_path


def _run_name(config_names: list[str]) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{'+'.join(config_names)}"


def _check_unique(names: list[str], what: str) -> None:
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise CliError(f"{what} names must be unique in one run, repeated: {', '.join(duplicates)}")
