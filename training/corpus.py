"""Build the synthetic corpus: validated pairs in train/dev/test splits, written as JSONL.

Splits (decided before sampling, so no split is a filtered leftover of another):

- **train** and **dev** sample only non-held-out phrasing templates (`phrasing.is_heldout`) and
  reject flows whose step combination (sorted distinct definitions) is held out
  (`combination_heldout`). Dev is a second, independent stream of the same distribution.
- **test** samples from all templates and keeps only flows that use at least one held-out
  template or a held-out step combination, so every test case has phrasing or a combination of
  steps the model never saw in training.

Every kept flow passes `validator.validate` with no error; requirements are unique across splits.

Usage: ``python -m training.corpus --n 20000 --seed 0 -o build/corpus``
"""

from __future__ import annotations

import argparse
import json
import random
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from tqdm import tqdm

from catalog import load_catalog
from schemas.catalog import Catalog
from training.catalog_view import CatalogView
from training.phrasing import is_heldout
from training.sampler import Case, sample_case
from validator import validate

COMBINATION_MODULUS = 8
"""About one step combination (of three or more definitions) in this many is test-only."""

SPLITS = ("train", "dev", "test")


def combination_heldout(key: str) -> bool:
    """Tell whether a step combination key is reserved for the test split."""
    return key.count("+") >= 2 and zlib.crc32(key.encode()) % COMBINATION_MODULUS == 0


def is_test_only(case: Case) -> bool:
    """Tell whether a case uses a held-out template or a held-out step combination."""
    return any(is_heldout(t) for t in case.templates) or combination_heldout(case.combination)


def is_valid(case: Case, catalog: Catalog) -> bool:
    """Tell whether the validator finds no error in the case's flow."""
    return not any(i.is_error for i in validate(case.flow, catalog))


def stream(catalog: Catalog, split: str, seed: int) -> Iterator[Case]:
    """Yield valid cases of one split forever (deterministic per catalog, split and seed)."""
    rng = random.Random(f"{seed}:{split}")
    view = CatalogView(catalog)
    allow: Callable[[str], bool] = (
        (lambda _t: True) if split == "test" else (lambda t: not is_heldout(t))
    )
    while True:
        case = sample_case(catalog, rng, allow, view)
        if case is None or (split == "test") != is_test_only(case):
            continue
        if is_valid(case, catalog):
            yield case


def build(
    catalog: Catalog, sizes: dict[str, int], seed: int, progress: bool = False
) -> dict[str, list[Case]]:
    """Sample every split to its size, with requirements unique across splits."""
    seen: set[str] = set()
    out: dict[str, list[Case]] = {}
    for split in ("test", "dev", "train"):
        cases: list[Case] = []
        bar = tqdm(total=sizes[split], desc=split, disable=not progress)
        for case in stream(catalog, split, seed):
            if len(cases) >= sizes[split]:
                break
            if case.requirement in seen:
                continue
            seen.add(case.requirement)
            cases.append(case)
            bar.update(1)
        bar.close()
        out[split] = cases
    return out


def to_row(case: Case, split: str, index: int) -> dict[str, Any]:
    """Return a case as an eval-dataset row (`evals.dataset.EvalCase` fields only)."""
    return {
        "id": f"syn-{split}-{index:05d}",
        "requirement": case.requirement,
        "flow": case.flow,
        "features": sorted(case.features),
        "source": "synthetic",
    }


def to_training_row(case: Case, split: str, index: int) -> dict[str, Any]:
    """Return a case with what the SFT export needs besides the eval fields."""
    return {
        **to_row(case, split, index),
        "tables": case.tables,
        "templates": sorted(case.templates),
        "combination": case.combination,
    }


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    """Write rows as JSONL (UTF-8, one compact object per line)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def write_corpus(out_dir: Path, corpus: dict[str, list[Case]]) -> dict[str, Path]:
    """Write `<split>.jsonl` files (training rows) under `out_dir`; return their paths."""
    paths = {}
    for split, cases in corpus.items():
        paths[split] = out_dir / f"{split}.jsonl"
        write_jsonl(paths[split], [to_training_row(c, split, i) for i, c in enumerate(cases)])
    return paths


def main(argv: list[str] | None = None) -> int:
    """Build the corpus from the command line (see the module docstring)."""
    parser = argparse.ArgumentParser(
        prog="python -m training.corpus", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--n", type=int, default=20000, help="training pairs (default 20000)")
    parser.add_argument("--dev", type=int, default=500, help="dev pairs (default 500)")
    parser.add_argument("--test", type=int, default=300, help="test pairs (default 300)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--catalog", default=None, help="catalog file or folder (default: demo)")
    parser.add_argument("-o", "--output", type=Path, default=Path("build/corpus"))
    args = parser.parse_args(argv)
    catalog = load_catalog(args.catalog)
    corpus = build(
        catalog, {"train": args.n, "dev": args.dev, "test": args.test}, args.seed, progress=True
    )
    for split, path in write_corpus(args.output, corpus).items():
        print(f"{split}: {len(corpus[split])} pairs -> {path}")  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
