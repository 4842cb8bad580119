"""Deterministic outline fixes apply only where the meaning is unambiguous."""

from __future__ import annotations

from agent.fixes import fix_outline
from schemas.flow import Outline


def outline(*components: tuple[str, str, int, int | None]) -> Outline:
    """Build an outline from (category, definition, order, block) tuples."""
    return Outline.model_validate({"name": "n", "trigger": None, "components": [
        {"category": c, "definition": d, "order": o, "block": b, "annotation": "a"}
        for c, d, o, b in components]})


def test_orders_with_gaps_are_renumbered_and_blocks_follow() -> None:
    fixed, notes = fix_outline(outline(("flowlogic", "FOREACH", 2, None),
                                       ("action", "log", 5, 2), ("action", "log", 9, None)))
    assert [(c.order, c.block) for c in fixed.components] == [(1, None), (2, 1), (3, None)]
    assert notes == ["renumbered orders to 1..n"]


def test_zero_based_orders_are_renumbered_with_their_blocks() -> None:
    fixed, _ = fix_outline(outline(("flowlogic", "IF", 0, None), ("action", "log", 1, 0)))
    # With orders starting at 0, block 0 names the IF rather than the top level.
    assert [(c.order, c.block) for c in fixed.components] == [(1, None), (2, 1)]


def test_block_zero_means_top_level_with_one_based_orders() -> None:
    fixed, _ = fix_outline(outline(("action", "log", 1, 0), ("action", "log", 2, None)))
    assert [c.block for c in fixed.components] == [None, None]


def test_lowercase_tokens_and_self_blocks_are_fixed() -> None:
    fixed, notes = fix_outline(outline(("flowlogic", "if", 1, 1), ("action", "log", 2, 1)))
    assert fixed.components[0].definition == "IF"
    assert fixed.components[0].block is None
    assert fixed.components[1].block == 1
    assert len(notes) == 2


def test_duplicate_orders_are_left_for_the_repair() -> None:
    original = outline(("action", "log", 1, None), ("action", "log", 1, None))
    fixed, notes = fix_outline(original)
    assert fixed == original and notes == []


def test_a_correct_outline_is_returned_unchanged() -> None:
    original = outline(("flowlogic", "IF", 1, None), ("action", "log", 2, 1))
    assert fix_outline(original) == (original, [])


def test_a_step_inside_an_action_moves_beside_it() -> None:
    fixed, notes = fix_outline(outline(("flowlogic", "FOREACH", 1, None),
                                       ("action", "update_record", 2, 1),
                                       ("action", "log", 3, 2),
                                       ("action", "log", 4, 3)))
    # Step 3 named the action at 2 (inside the FOREACH); step 4 named step 3, itself an action.
    assert [c.block for c in fixed.components] == [None, 1, 1, 1]
    assert notes == ["step 3: moved out of leaf step 2 to block 1",
                     "step 4: moved out of leaf step 3 to block 1"]


def test_a_step_inside_a_leaf_token_at_top_level_moves_to_top_level() -> None:
    fixed, notes = fix_outline(outline(("flowlogic", "WAITFORADURATION", 1, None),
                                       ("action", "log", 2, 1)))
    assert [c.block for c in fixed.components] == [None, None]
    assert notes == ["step 2: moved out of leaf step 1 to top level"]


def test_blocks_that_name_containers_stay() -> None:
    original = outline(("flowlogic", "TRY", 1, None), ("flowlogic", "FOREACH", 2, 1),
                       ("action", "log", 3, 2), ("flowlogic", "CATCH", 4, None),
                       ("action", "log", 5, 4))
    assert fix_outline(original) == (original, [])


def test_a_path_written_as_the_last_step_of_a_path_becomes_the_next_path() -> None:
    fixed, notes = fix_outline(outline(
        ("flowlogic", "PARALLEL", 1, None), ("flowlogic", "PATH", 2, 1), ("action", "log", 3, 2),
        ("flowlogic", "PATH", 4, 2), ("action", "log", 5, 4), ("action", "log", 6, None)))
    assert [c.block for c in fixed.components] == [None, 1, 2, 1, 4, None]
    assert notes == ["step 4: PATH moved beside PATH 2"]


def test_a_path_followed_by_more_steps_of_its_outer_path_stays() -> None:
    # Which steps belong to which path would be a guess: left to the repairer.
    shaky = outline(
        ("flowlogic", "PARALLEL", 1, None), ("flowlogic", "PATH", 2, 1),
        ("flowlogic", "PATH", 3, 2), ("action", "log", 4, 3), ("action", "log", 5, 2))
    assert fix_outline(shaky) == (shaky, [])
