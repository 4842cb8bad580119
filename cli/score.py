"""`flowgen score PRED GOLD`: FlowSim and companion metrics of predictions against references.

PRED and GOLD are either one flow JSON file each, or JSONL files (suffix `.jsonl`/`.ndjson`, or
`--jsonl`) with one JSON object per line carrying an `id`; the flow is the line's `flow` value,
or the line itself when it has no `flow` key. A prediction may be raw model text (a string
`flow`, or a single PRED file that is not JSON): it scores 0 as unparseable. Pairs are matched
by id; a gold without a prediction scores 0 and is listed, a prediction without a gold is listed
and not scored. Exit 0 when scored, 2 on unusable input (missing file, a GOLD that is not a
flow, a JSONL line that is not an object with an id: the message names file:line).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, replace
from pathlib import Path

from cli.common import CliError
from evals.metrics import METRICS, PairScores, aggregate, score_pair

JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
_SHORT_NAMES = {
    "flowsim_outline": "fs_outline",
    "flowsim_full": "fs_full",
    "tree_bleu": "bleu",
    "tree_bleu_outline": "bleu_outl",
    "trigger_match": "trigger",
    "component_jaccard": "jaccard",
}


@dataclass(frozen=True)
class ScoredPair:
    """One matched pair's id and scores."""

    id: str
    scores: PairScores


@dataclass(frozen=True)
class Report:
    """Everything `score` prints."""

    pairs: list[ScoredPair]
    missing_predictions: list[str]
    unmatched_predictions: list[str]

    def as_dict(self) -> dict[str, object]:
        """Return the JSON form printed by `--json`."""
        return {
            "count": len(self.pairs),
            "mean": aggregate([p.scores for p in self.pairs]),
            "pairs": [{"id": p.id, **p.scores.as_dict()} for p in self.pairs],
            "missing_predictions": self.missing_predictions,
            "unmatched_predictions": self.unmatched_predictions,
        }


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `score` subcommand."""
    parser = subparsers.add_parser(
        "score",
        help="score predicted flows against references (FlowSim and companions)",
        description="Score predicted flows against reference flows: FlowSim (outline, full), "
        "TreeBLEU, trigger match, component Jaccard. Exit 0: scored; 2: unusable input.",
    )
    parser.add_argument("pred", metavar="PRED", help="predicted flow JSON, or JSONL with ids")
    parser.add_argument("gold", metavar="GOLD", help="reference flow JSON, or JSONL with ids")
    parser.add_argument("--json", action="store_true", dest="as_json", help="print JSON")
    parser.add_argument("--jsonl", action="store_true", help="read both files as JSONL")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Score PRED against GOLD and print per-pair and mean scores; return 0."""
    pred_jsonl = args.jsonl or _is_jsonl(args.pred)
    gold_jsonl = args.jsonl or _is_jsonl(args.gold)
    if pred_jsonl != gold_jsonl:
        raise CliError("PRED and GOLD must both be single flow files or both JSONL files")
    if pred_jsonl:
        report = _score_jsonl(_read_jsonl(args.pred, "pred"), _read_jsonl(args.gold, "gold"))
    else:
        gold = _parse_gold(_read_text(args.gold), args.gold)
        scores = score_pair(_read_text(args.pred), gold)
        report = Report([ScoredPair(Path(args.pred).stem, scores)], [], [])
    print(json.dumps(report.as_dict(), indent=2) if args.as_json else _as_text(report))
    return 0


def _is_jsonl(path: str) -> bool:
    return Path(path).suffix.lower() in JSONL_SUFFIXES


def _read_text(path: str) -> str:
    """Return a file's text, or raise CliError naming the file."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise CliError(f"{path}: no such file") from exc
    except UnicodeDecodeError as exc:
        raise CliError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise CliError(f"{path}: cannot read: {exc.strerror or exc}") from exc


def _parse_gold(text: str, where: str) -> dict[str, object]:
    """Return the reference flow in `text`, or raise CliError: a gold must be a JSON object."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise CliError(f"{where}: reference is not valid JSON ({_reason(exc)})") from exc
    if not isinstance(value, dict):
        raise CliError(f"{where}: reference is not a JSON object")
    return value


def _reason(exc: BaseException) -> str:
    """Return a short reason for a JSON error (RecursionError has a long, unhelpful text)."""
    return "nested too deeply" if isinstance(exc, RecursionError) else str(exc)


def _read_jsonl(path: str, role: str) -> dict[str, object]:
    """Return id → flow for a JSONL file, or raise CliError naming file:line."""
    records: dict[str, object] = {}
    for number, line in enumerate(_read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            record = json.loads(line)
        except (ValueError, RecursionError) as exc:
            raise CliError(f"{where}: not valid JSON ({_reason(exc)})") from exc
        if not isinstance(record, dict) or "id" not in record:
            raise CliError(f'{where}: expected a JSON object with an "id"')
        raw_id = record["id"]
        if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int)):
            raise CliError(f'{where}: "id" must be a string or an integer')
        key = str(raw_id)
        if key in records:
            raise CliError(f"{where}: duplicate id {key!r}")
        flow = record.get("flow", record)
        if role == "gold" and not isinstance(flow, dict):
            raise CliError(f"{where}: reference flow is not a JSON object")
        records[key] = flow
    if role == "gold" and not records:
        raise CliError(f"{path}: no reference flows")
    return records


def _score_jsonl(preds: dict[str, object], golds: dict[str, object]) -> Report:
    """Score every gold against its prediction (missing predictions as unparseable)."""
    pairs = [
        ScoredPair(key, score_pair(preds[key], gold))
        if key in preds
        else ScoredPair(key, replace(score_pair("", gold), problem="no prediction"))
        for key, gold in golds.items()
    ]
    return Report(
        pairs=pairs,
        missing_predictions=[key for key in golds if key not in preds],
        unmatched_predictions=[key for key in preds if key not in golds],
    )


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _as_text(report: Report) -> str:
    """Return the readable table: one row per pair, the means, then what did not match."""
    width = max([len(p.id) for p in report.pairs] + [len("mean")]) + 2
    header = "id".ljust(width) + " ".join(_SHORT_NAMES[m].rjust(10) for m in METRICS)
    lines = [header]
    for pair in report.pairs:
        cells = " ".join(_cell(getattr(pair.scores, m)).rjust(10) for m in METRICS)
        lines.append(pair.id.ljust(width) + cells)
    means = aggregate([p.scores for p in report.pairs])
    lines.append("mean".ljust(width) + " ".join(_cell(means[m]).rjust(10) for m in METRICS))
    count = len(report.pairs)
    lines.append(f"{count} pair{'' if count == 1 else 's'}; '-' = not applicable (not in the mean)")
    if report.missing_predictions:
        lines.append("no prediction (scored 0): " + ", ".join(report.missing_predictions))
    if report.unmatched_predictions:
        lines.append("no reference (not scored): " + ", ".join(report.unmatched_predictions))
    lines += [f"{p.id}: {p.scores.problem}" for p in report.pairs if p.scores.problem]
    return "\n".join(lines)
