"""Build the built-in model end to end: corpus → SFT export → from-scratch training → install.

`python -m training.builtin --work build/builtin-work` runs the exact recipe of the committed
model (see `models/builtin/MODEL_CARD.md`); `install_model` copies only the files inference
needs from a training output folder into `models/builtin/` (no optimizer state, no checkpoints).
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "models" / "builtin"
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


def recipe(work: Path, minutes: float, cases: int) -> list[list[str]]:
    """Return the `flowgen train` command lines of the built-in model's recipe."""
    corpus, sft, out = work / "corpus", work / "sft.jsonl", work / "model"
    return [
        ["corpus", "--n", "20000", "--seed", "0", "-o", str(corpus)],
        ["export", "--data", str(corpus / "train.jsonl"), "--limit", str(cases), "-o", str(sft)],
        [
            "sft",
            "--data",
            str(sft),
            "--output",
            str(out),
            "--from-scratch",
            "--config",
            "small",
            "--threads",
            "1",
            "--max-minutes",
            str(minutes),
            "--batch-size",
            "16",
            "--lr",
            "2e-3",
            "--max-length",
            "512",
            "--save-steps",
            "100",
        ],
    ]


def main(argv: list[str] | None = None) -> int:
    """Run the recipe and install the result (see the module docstring)."""
    from cli.main import main as flowgen

    parser = argparse.ArgumentParser(prog="python -m training.builtin", description=__doc__)
    parser.add_argument("--work", type=Path, default=Path("build/builtin-work"))
    parser.add_argument("--minutes", type=float, default=50.0, help="training time budget")
    parser.add_argument("--cases", type=int, default=12000, help="corpus pairs to export")
    parser.add_argument("--no-install", action="store_true", help="leave models/builtin alone")
    args = parser.parse_args(argv)
    for step in recipe(args.work, args.minutes, args.cases):
        code = flowgen(["train", *step])
        if code != 0:
            return code
    if not args.no_install:
        for path in install_model(args.work / "model"):
            print(f"installed {path}")  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
