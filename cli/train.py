"""`flowgen train`: build the synthetic corpus, export SFT rows, fine-tune or train models.

Subcommands:

- ``corpus``: sample validated (requirement, flow) pairs into train/dev/test JSONL splits;
- ``export``: turn corpus pairs into node-level SFT rows (prompt/completion or messages);
- ``sft``: supervised fine-tuning (from scratch, full, or LoRA on a local base model).

Heavy libraries (torch, transformers, TRL) are imported only by ``sft``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from cli.catalog_arg import load_catalog_arg
from cli.common import CliError, add_catalog_option


def register(subparsers: Any) -> None:
    """Add `flowgen train` and its subcommands."""
    parser = subparsers.add_parser("train", help="build the corpus, export SFT data, train models")
    sub = parser.add_subparsers(dest="train_command", metavar="STEP")
    parser.set_defaults(handler=lambda _a: _missing_step(parser))
    _corpus_parser(sub)
    _export_parser(sub)
    _sft_parser(sub)


def _missing_step(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _corpus_parser(sub: Any) -> None:
    p = sub.add_parser("corpus", help="sample the synthetic corpus into train/dev/test JSONL")
    p.add_argument("--n", type=int, default=20000, help="training pairs (default 20000)")
    p.add_argument("--dev", type=int, default=500, help="dev pairs (default 500)")
    p.add_argument("--test", type=int, default=300, help="test pairs (default 300)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("-o", "--output", type=Path, default=Path("build/corpus"), help="folder")
    p.add_argument(
        "--eval-test",
        type=Path,
        default=None,
        metavar="FILE",
        help="also write the test split as an eval dataset file",
    )
    add_catalog_option(p)
    p.set_defaults(handler=run_corpus)


def _export_parser(sub: Any) -> None:
    p = sub.add_parser("export", help="export corpus pairs as SFT chat JSONL")
    p.add_argument("--data", type=Path, required=True, help="corpus JSONL (e.g. train.jsonl)")
    p.add_argument("-o", "--output", type=Path, required=True, help="SFT JSONL to write")
    p.add_argument(
        "--format", choices=("prompt-completion", "messages"), default="prompt-completion"
    )
    p.add_argument("--style", choices=("compact", "chat"), default="compact", help="prompt style")
    p.add_argument("--skip", type=int, default=0, help="skip the first N pairs")
    p.add_argument("--limit", type=int, default=None, help="use at most N pairs")
    p.add_argument("--seed", type=int, default=0)
    add_catalog_option(p)
    p.set_defaults(handler=run_export)


def _sft_parser(sub: Any) -> None:
    p = sub.add_parser("sft", help="supervised fine-tuning with transformers + TRL")
    p.add_argument("--data", type=Path, required=True, help="SFT JSONL (prompt/completion rows)")
    p.add_argument("--output", type=Path, required=True, help="model directory to write")
    p.add_argument("--base-model", type=Path, default=None, help="local base model directory")
    p.add_argument("--lora", action="store_true", help="train LoRA adapters (PEFT) on the base")
    p.add_argument("--from-scratch", action="store_true", help="train a new small model")
    p.add_argument("--config", default="small", help="from-scratch size: tiny, small, base")
    p.add_argument("--vocab-size", type=int, default=6000)
    p.add_argument("--epochs", type=float, default=1.0)
    p.add_argument("--max-steps", type=int, default=-1)
    p.add_argument("--max-minutes", type=float, default=None, help="stop and save after this")
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--max-length", type=int, default=512)
    p.add_argument("--save-steps", type=int, default=200)
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    p.add_argument("--resume", action="store_true", help="continue from the last checkpoint")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(handler=run_sft)


def run_corpus(args: argparse.Namespace) -> int:
    """Build the corpus and write its splits."""
    from training.corpus import build, to_row, write_corpus, write_jsonl

    if min(args.n, args.dev, args.test) < 0:
        raise CliError("--n, --dev and --test must not be negative")
    catalog = load_catalog_arg(args)
    sizes = {"train": args.n, "dev": args.dev, "test": args.test}
    corpus = build(catalog, sizes, args.seed, progress=True)
    for split, path in write_corpus(args.output, corpus).items():
        print(f"{split}: {len(corpus[split])} pairs -> {path}")
    if args.eval_test is not None:
        write_jsonl(args.eval_test, [to_row(c, "test", i) for i, c in enumerate(corpus["test"])])
        print(f"test eval dataset -> {args.eval_test}")
    return 0


def _read_cases(path: Path, skip: int, limit: int | None) -> list[dict[str, Any]]:
    if not path.is_file():
        raise CliError(f"{path}: no such corpus file")
    cases: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if number <= skip:
                continue
            if limit is not None and len(cases) >= limit:
                break
            try:
                case = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CliError(f"{path}:{number}: not JSON ({exc.msg})") from None
            if not isinstance(case, dict) or not {"id", "requirement", "flow"} <= case.keys():
                raise CliError(f"{path}:{number}: a case needs id, requirement and flow")
            cases.append(case)
    return cases


def run_export(args: argparse.Namespace) -> int:
    """Export SFT rows of corpus pairs."""
    from pydantic import ValidationError

    from training.sft_export import as_messages_row, export

    catalog = load_catalog_arg(args)
    cases = _read_cases(args.data, args.skip, args.limit)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    try:
        with args.output.open("w", encoding="utf-8") as fh:
            for row in export(cases, catalog, args.seed, style=args.style):
                counts[row["node"]] = counts.get(row["node"], 0) + 1
                out = as_messages_row(row) if args.format == "messages" else row
                fh.write(json.dumps(out, ensure_ascii=False) + "\n")
    except ValidationError as exc:
        raise CliError(
            f"{args.data}: a flow is not flow-format v1: {exc.errors()[0]['msg']}"
        ) from None
    print(f"{sum(counts.values())} rows {counts} -> {args.output}")
    return 0


def run_sft(args: argparse.Namespace) -> int:
    """Run supervised fine-tuning."""
    from training.model_config import ConfigError
    from training.train import SftOptions, TrainError
    from training.train import run_sft as train

    if args.lora and args.base_model is None:
        raise CliError("--lora needs --base-model DIR")
    opts = SftOptions(
        data=args.data,
        output=args.output,
        base_model=args.base_model,
        lora=args.lora,
        from_scratch=args.from_scratch,
        config=args.config,
        vocab_size=args.vocab_size,
        epochs=args.epochs,
        max_steps=args.max_steps,
        lr=args.lr,
        batch_size=args.batch_size,
        max_length=args.max_length,
        resume=args.resume,
        save_steps=args.save_steps,
        threads=args.threads,
        seed=args.seed,
        max_minutes=args.max_minutes,
    )
    try:
        metrics = train(opts)
    except (TrainError, ConfigError) as exc:
        raise CliError(str(exc)) from None
    losses = metrics.get("losses", [])
    shown = f"loss {losses[0]:.3f} -> {losses[-1]:.3f}" if losses else "no loss logged"
    print(f"trained: {shown}; model -> {args.output}")
    return 0
