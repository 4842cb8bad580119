"""Build the built-in model end to end: corpus → SFT export → training in two stages → install.

`python -m training.builtin --work build/builtin-work` runs the exact recipe of the committed
model (see `models/builtin/MODEL_CARD.md`):

1. a corpus of 20,000 pairs; the SFT rows of the first 12,000; a from-scratch model trained on
   them (time budget `--minutes`, peak learning rate 2e-3);
2. the SFT rows of the other 8,000 pairs, mixed with the first rows in a seeded shuffle, and the
   stage-1 model trained on that mix as a base model (`--stage2-minutes`, 1e-3).

`--refresh-from DIR` instead continues an existing model on a fresh export of the whole current
corpus (the first 12,000 pairs and the other 8,000, exported with seeds 3 and 4, mixed): how
the committed model was brought up to a corpus generator that gained phrasing and steps
(stages 3 and 4 in the model card), without training again from scratch. `--refresh-seed`,
`--refresh-export-seeds` and `--refresh-lr` vary it (stage 5: corpus seed 1, new pairs the
model has never seen; export seeds 5 and 6; learning rate 5e-4).

`--handwritten-from DIR --replay ROWS` continues a model on the hand-written training pairs
(`training/data/handwritten_train.jsonl`, exported `--handwritten-exports` times with different
seeds, so each export samples other steps' fill rows) mixed with `--replay-rows` rows drawn from
ROWS, the SFT rows the model was last trained on, so it keeps what the corpus taught it (stage 9
in the model card: the 650 pairs of session 8, 10 exports, 15,000 rows of stage 5's mix, 3e-4,
one epoch in 30.5 minutes under a 50-minute cap; stage 8 was the same on the first 364 pairs).

`install_model` copies only the files inference needs from a training output folder into
`models/builtin/` (no optimizer state, no checkpoints).
"""

from __future__ import annotations

import argparse
import random
import shutil
from collections.abc import Callable
from pathlib import Path

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "models" / "builtin"
HANDWRITTEN_TRAIN = Path(__file__).resolve().parent / "data" / "handwritten_train.jsonl"
"""Hand-written requirement → flow pairs for training (none restates a dev or dev_b case)."""
MODEL_FILES: tuple[str, ...] = (
    "config.json",
    "generation_config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    "chat_template.jinja",
)
"""Files of a trained model directory that inference needs."""
MAX_MODEL_BYTES = 50 * 1024 * 1024


class InstallError(Exception):
    """A trained model folder cannot be installed (missing file, too large)."""


def install_model(source: Path, dest: Path = BUILTIN_DIR) -> list[Path]:
    """Copy the inference files of a trained model into `dest`; return the copied paths.

    Raises:
        InstallError: the weights or tokenizer are missing, or the weights exceed 50 MB.
    """
    for required in ("config.json", "model.safetensors", "tokenizer.json"):
        if not (source / required).is_file():
            raise InstallError(f"{source}: missing {required}")
    size = (source / "model.safetensors").stat().st_size
    if size > MAX_MODEL_BYTES:
        raise InstallError(f"{source}: weights are {size / 1e6:.1f} MB, over the 50 MB limit")
    dest.mkdir(parents=True, exist_ok=True)
    copied = []
    for name in MODEL_FILES:
        if (source / name).is_file():
            copied.append(Path(shutil.copy2(source / name, dest / name)))
    return copied


def _sft(data: Path, out: Path, minutes: float, lr: str, base: Path | None) -> list[str]:
    start = ["--base-model", str(base)] if base else ["--from-scratch", "--config", "small"]
    return ["sft", "--data", str(data), "--output", str(out), *start, "--threads", "1",
            "--max-minutes", str(minutes), "--batch-size", "16", "--lr", lr,
            "--max-length", "512", "--save-steps", "100" if base is None else "200"]


def recipe(work: Path, minutes: float, cases: int) -> list[list[str]]:
    """Return the `flowgen train` command lines of stage 1 (corpus, export, from scratch)."""
    corpus, sft, out = work / "corpus", work / "sft.jsonl", work / "model"
    return [
        ["corpus", "--n", "20000", "--seed", "0", "-o", str(corpus)],
        ["export", "--data", str(corpus / "train.jsonl"), "--limit", str(cases), "-o", str(sft)],
        _sft(sft, out, minutes, "2e-3", None),
    ]


def stage2(work: Path, minutes: float, cases: int) -> list[list[str]]:
    """Return the command lines of stage 2: export the remaining pairs, continue training.

    Run `mix_rows` between the export and the training (`main` does).
    """
    corpus = work / "corpus" / "train.jsonl"
    return [
        ["export", "--data", str(corpus), "--skip", str(cases), "--seed", "1",
         "-o", str(work / "sft2.jsonl")],
        _sft(work / "sft-mix.jsonl", work / "model2", minutes, "1e-3", work / "model"),
    ]


def refresh(
    work: Path, minutes: float, cases: int, base: Path, seed: int = 0,
    export_seeds: tuple[int, int] = (3, 4), lr: str = "1e-3",
) -> list[list[str]]:
    """Return the command lines that continue `base` on the whole current corpus.

    `seed` draws the corpus (0: the pairs of the committed test split's corpus); the first
    `cases` pairs and the rest are exported with `export_seeds`. Run `mix_rows` over the two
    exports before the training (`main` does).
    """
    corpus = work / "corpus" / "train.jsonl"
    first, rest = export_seeds
    return [
        ["corpus", "--n", "20000", "--seed", str(seed), "-o", str(work / "corpus")],
        ["export", "--data", str(corpus), "--limit", str(cases), "--seed", str(first),
         "-o", str(work / "sft3a.jsonl")],
        ["export", "--data", str(corpus), "--skip", str(cases), "--seed", str(rest),
         "-o", str(work / "sft3b.jsonl")],
        _sft(work / "sft3-mix.jsonl", work / "model3", minutes, lr, base),
    ]


def handwritten(
    work: Path, minutes: float, base: Path, data: Path = HANDWRITTEN_TRAIN, exports: int = 10,
    lr: str = "3e-4",
) -> list[list[str]]:
    """Return the command lines that continue `base` on `exports` exports of `data`.

    Export `i` uses seed `i`. Run `sample_rows` over the replay rows and `mix_rows` over it
    and the exports before the training (`main` does).
    """
    return [
        *(["export", "--data", str(data), "--seed", str(i), "-o", str(work / f"hw-{i}.jsonl")]
          for i in range(1, exports + 1)),
        _sft(work / "sft-hw-mix.jsonl", work / "model-hw", minutes, lr, base),
    ]


def _rows(source: Path) -> list[str]:
    """Return the non-blank lines of a JSONL file, each ending in a newline."""
    with source.open(encoding="utf-8") as f:
        return [line if line.endswith("\n") else line + "\n" for line in f if line.strip()]


def sample_rows(source: Path, dest: Path, n: int, seed: int = 11) -> int:
    """Write `n` rows of `source` (all when it has fewer) in a seeded shuffle; return the count."""
    rows = _rows(source)
    random.Random(seed).shuffle(rows)
    dest.write_text("".join(rows[:n]), encoding="utf-8")
    return min(n, len(rows))


def mix_rows(sources: list[Path], dest: Path, seed: int = 7) -> int:
    """Write the rows of `sources` to `dest` in one seeded shuffle; return the row count."""
    rows = [row for source in sources for row in _rows(source)]
    random.Random(seed).shuffle(rows)
    dest.write_text("".join(rows), encoding="utf-8")
    return len(rows)


Prepare = Callable[[], object]
"""Writes the row mix of the training step before it runs."""


def _plan(args: argparse.Namespace) -> tuple[list[list[str]], Prepare, Path]:
    """Return the command lines, what to write before training, and the final model folder."""
    work = args.work
    if args.handwritten_from is not None:
        if args.replay is None or not args.replay.is_file():
            raise SystemExit("--handwritten-from needs --replay ROWS, an SFT JSONL file of the "
                             f"base's own rows (got {args.replay})")
        steps = handwritten(work, args.handwritten_minutes, args.handwritten_from,
                            exports=args.handwritten_exports, lr=args.handwritten_lr)

        def prepare() -> object:
            sample_rows(args.replay, work / "replay.jsonl", args.replay_rows)
            parts = [work / f"hw-{i}.jsonl" for i in range(1, args.handwritten_exports + 1)]
            return mix_rows([work / "replay.jsonl", *parts], work / "sft-hw-mix.jsonl")

        return steps, prepare, work / "model-hw"
    if args.refresh_from is not None:
        steps = refresh(work, args.refresh_minutes, args.cases, args.refresh_from,
                        args.refresh_seed, tuple(args.refresh_export_seeds), args.refresh_lr)
        return (steps, lambda: mix_rows([work / "sft3a.jsonl", work / "sft3b.jsonl"],
                                        work / "sft3-mix.jsonl"), work / "model3")
    steps = recipe(work, args.minutes, args.cases)
    if args.stage2_minutes > 0:
        steps += stage2(work, args.stage2_minutes, args.cases)
    final = work / ("model2" if args.stage2_minutes > 0 else "model")
    return steps, lambda: mix_rows([work / "sft.jsonl", work / "sft2.jsonl"],
                                   work / "sft-mix.jsonl"), final


def main(argv: list[str] | None = None) -> int:
    """Run the recipe and install the result (see the module docstring)."""
    from cli.main import main as flowgen

    parser = argparse.ArgumentParser(prog="python -m training.builtin", description=__doc__)
    parser.add_argument("--work", type=Path, default=Path("build/builtin-work"))
    parser.add_argument("--minutes", type=float, default=50.0, help="stage-1 time budget")
    parser.add_argument("--stage2-minutes", type=float, default=60.0,
                        help="stage-2 time budget (0: stop after stage 1)")
    parser.add_argument("--cases", type=int, default=12000, help="corpus pairs of stage 1")
    parser.add_argument("--no-install", action="store_true", help="leave models/builtin alone")
    parser.add_argument("--refresh-from", type=Path, default=None, metavar="DIR",
                        help="continue the model in DIR on the current corpus instead")
    parser.add_argument("--refresh-minutes", type=float, default=58.0)
    parser.add_argument("--refresh-seed", type=int, default=0, help="corpus seed of a refresh")
    parser.add_argument("--refresh-export-seeds", type=int, nargs=2, default=[3, 4],
                        metavar=("FIRST", "REST"), help="export seeds of a refresh")
    parser.add_argument("--refresh-lr", default="1e-3", help="learning rate of a refresh")
    parser.add_argument("--handwritten-from", type=Path, default=None, metavar="DIR",
                        help="continue the model in DIR on the hand-written pairs instead")
    parser.add_argument("--replay", type=Path, default=None, metavar="ROWS",
                        help="SFT rows the base was trained on, mixed in to keep them")
    parser.add_argument("--replay-rows", type=int, default=15000)
    parser.add_argument("--handwritten-exports", type=int, default=10)
    parser.add_argument("--handwritten-minutes", type=float, default=50.0)
    parser.add_argument("--handwritten-lr", default="3e-4")
    args = parser.parse_args(argv)
    steps, prepare, final = _plan(args)
    for step in steps:
        if step[0] == "sft" and "--base-model" in step:
            prepare()
        code = flowgen(["train", *step])
        if code != 0:
            return code
    if not args.no_install:
        for path in install_model(final):
            print(f"installed {path}")  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
