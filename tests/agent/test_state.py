"""State reducers: fan-out fills merge by order, a new outline version drops old fills."""

from __future__ import annotations

from agent.state import StepFill, add_floats, add_usage, first_failure, merge_fills
from schemas.flow import FlowInput
from schemas.result import TokenUsage

IN = [FlowInput(name="table", value="incident")]


def test_fills_of_one_version_merge_by_order() -> None:
    merged = merge_fills({1: StepFill(1, 1, IN)}, {2: StepFill(2, 1, IN)})
    assert sorted(merged) == [1, 2]
    refilled = merge_fills(merged, {1: StepFill(1, 1, None)})
    assert refilled[1].inputs is None and refilled[2].inputs == IN


def test_a_newer_outline_version_replaces_older_fills() -> None:
    merged = merge_fills({1: StepFill(1, 1, IN), 3: StepFill(3, 1, IN)}, {1: StepFill(1, 2, IN)})
    assert sorted(merged) == [1]
    assert merged[1].version == 2


def test_timings_and_tokens_add_up() -> None:
    assert add_floats({"fill": 1.0}, {"fill": 0.5, "plan": 2.0}) == {"fill": 1.5, "plan": 2.0}
    total = add_usage({"fill": TokenUsage(input_tokens=1, output_tokens=2)},
                      {"fill": TokenUsage(input_tokens=10, output_tokens=20)})
    assert total["fill"] == TokenUsage(input_tokens=11, output_tokens=22)


def test_the_first_failure_wins() -> None:
    assert first_failure(None, "a") == "a"
    assert first_failure("a", "b") == "a"
    assert first_failure("a", None) == "a"
