"""The built-in model's recipe: two stages, a seeded mix, and a guarded install."""

from __future__ import annotations

from pathlib import Path

import pytest

from training.builtin import (
    HANDWRITTEN_TRAIN,
    InstallError,
    handwritten,
    install_model,
    main,
    mix_rows,
    recipe,
    refresh,
    sample_rows,
    stage2,
)


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


def test_handwritten_stage_exports_the_pairs_with_distinct_seeds_then_continues_the_base() -> None:
    *exports, train = handwritten(Path("w"), 26, Path("models/builtin"), exports=3)
    assert [e[e.index("--seed") + 1] for e in exports] == ["1", "2", "3"]
    assert {e[e.index("--data") + 1] for e in exports} == {str(HANDWRITTEN_TRAIN)}
    assert len({e[e.index("-o") + 1] for e in exports}) == 3
    assert train[train.index("--base-model") + 1] == "models/builtin"
    assert train[train.index("--data") + 1] == "w/sft-hw-mix.jsonl"
    assert train[train.index("--lr") + 1] == "3e-4"


def test_sample_takes_a_seeded_subset_without_repeats(tmp_path: Path) -> None:
    source = tmp_path / "rows.jsonl"
    source.write_text("".join(f'{{"i": {i}}}\n' for i in range(100)), encoding="utf-8")
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert sample_rows(source, first, 30) == 30
    sample_rows(source, second, 30)
    rows = first.read_text(encoding="utf-8").splitlines()
    assert len(set(rows)) == 30 and first.read_text() == second.read_text()
    assert rows != [f'{{"i": {i}}}' for i in range(30)]  # a sample, not the head
    assert sample_rows(source, first, 500) == 100


def test_handwritten_stage_without_replay_rows_stops_before_any_work(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="needs --replay ROWS"):
        main(["--work", str(tmp_path), "--handwritten-from", "models/builtin",
              "--replay", str(tmp_path / "missing.jsonl")])
    assert not list(tmp_path.iterdir())
