"""The built-in model's recipe: two stages, a seeded mix, and a guarded install."""

from __future__ import annotations

from pathlib import Path

import pytest

from training.builtin import InstallError, install_model, mix_rows, recipe, refresh, stage2


def test_stage2_continues_from_the_stage1_model_on_the_remaining_pairs() -> None:
    work = Path("w")
    first, second = recipe(work, 50, 12000), stage2(work, 60, 12000)
    assert first[-1][first[-1].index("--output") + 1] == "w/model"
    assert "--from-scratch" in first[-1]
    export, train = second
    assert export[export.index("--skip") + 1] == "12000"
    assert train[train.index("--base-model") + 1] == "w/model"
    assert train[train.index("--data") + 1] == "w/sft-mix.jsonl"


def test_mix_keeps_every_row_in_a_seeded_order(tmp_path: Path) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text("".join(f'{{"i": {i}}}\n' for i in range(50)), encoding="utf-8")
    b.write_text("".join(f'{{"j": {i}}}\n' for i in range(30)) + '{"last": 1}', encoding="utf-8")
    out1, out2 = tmp_path / "m1.jsonl", tmp_path / "m2.jsonl"
    assert mix_rows([a, b], out1) == 81
    mix_rows([a, b], out2)
    lines = out1.read_text(encoding="utf-8").splitlines()
    assert sorted(lines) == sorted(
        a.read_text(encoding="utf-8").splitlines() + b.read_text(encoding="utf-8").splitlines())
    assert lines != sorted(lines)  # shuffled
    assert out1.read_text(encoding="utf-8") == out2.read_text(encoding="utf-8")


def test_install_refuses_an_incomplete_folder(tmp_path: Path) -> None:
    with pytest.raises(InstallError, match=r"missing config\.json"):
        install_model(tmp_path, tmp_path / "dest")


def test_refresh_continues_a_given_model_on_both_exports_of_the_current_corpus() -> None:
    corpus, first, second, train = refresh(Path("w"), 58, 12000, Path("models/builtin"))
    assert corpus[:2] == ["corpus", "--n"]
    assert first[first.index("--limit") + 1] == "12000"
    assert second[second.index("--skip") + 1] == "12000"
    assert first[first.index("--seed") + 1] != second[second.index("--seed") + 1]
    assert train[train.index("--base-model") + 1] == "models/builtin"
    assert train[train.index("--data") + 1] == "w/sft3-mix.jsonl"
    assert train[train.index("--max-minutes") + 1] == "58"


def test_refresh_records_the_seeds_and_rate_of_a_later_stage() -> None:
    corpus, first, second, train = refresh(Path("w"), 44, 12000, Path("b"), seed=1,
                                           export_seeds=(5, 6), lr="5e-4")
    assert corpus[corpus.index("--seed") + 1] == "1"
    assert (first[first.index("--seed") + 1], second[second.index("--seed") + 1]) == ("5", "6")
    assert train[train.index("--lr") + 1] == "5e-4"
