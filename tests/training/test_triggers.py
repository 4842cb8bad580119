"""Trigger phrasing helpers: clock times, ordinals and boolean states."""

from __future__ import annotations

import random

import pytest

from catalog import demo_catalog
from training.catalog_view import CatalogView, _bool_state
from training.logic import LogicBuilder
from training.phrasing import Phraser
from training.triggers import _clock, _ordinal


@pytest.mark.parametrize(
    ("day", "text"), [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (21, "21st")]
)
def test_ordinal(day: int, text: str) -> None:
    assert _ordinal(day) == text


def _builder(seed: int) -> LogicBuilder:
    phraser = Phraser(random.Random(seed), lambda _t: True)
    view = CatalogView(demo_catalog())
    return LogicBuilder(phraser.rng, view, phraser.pick, phraser.pick_head)


def test_clock_writes_the_same_hour_in_either_style() -> None:
    written = {_clock(_builder(seed), 14) for seed in range(40)}
    assert "14:00" in written
    assert written <= {"14:00", "2pm", "2 PM", "2:00 pm"}
    assert len(written) >= 3
    assert {_clock(_builder(seed), 0) for seed in range(40)} <= {
        "00:00",
        "12am",
        "12 AM",
        "12:00 am",
    }


def test_bool_state_says_inactive_for_active_false() -> None:
    active = demo_catalog().column("sys_user", "active")
    assert active is not None
    assert _bool_state(active, "false") == "inactive"
    assert _bool_state(active, "true") == "active"
