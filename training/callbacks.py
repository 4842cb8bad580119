"""Trainer callbacks: a wall-clock training budget with a learning rate that decays over time.

On a shared CPU the speed of a step is unknown in advance, so a step-based schedule either ends
long before the budget or is cut off at a high learning rate. `TimeBudget` instead decays the
learning rate on a cosine over the *time* budget and stops (saving the model) when it is spent.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

from transformers import TrainerCallback, TrainerControl, TrainerState, TrainingArguments

log = logging.getLogger(__name__)

WARMUP_SHARE = 0.03
"""Share of the budget spent warming the learning rate up linearly."""
FLOOR = 0.05
"""Smallest learning-rate multiplier at the end of the budget."""


def time_factor(fraction: float) -> float:
    """Return the learning-rate multiplier after `fraction` of the budget (warmup, then cosine)."""
    if fraction < WARMUP_SHARE:
        return max(fraction / WARMUP_SHARE, FLOOR)
    progress = min((fraction - WARMUP_SHARE) / (1 - WARMUP_SHARE), 1.0)
    return FLOOR + (1 - FLOOR) * 0.5 * (1 + math.cos(math.pi * progress))


class TimeBudget(TrainerCallback):
    """Stop training (and save) once `minutes` are spent; decay the learning rate over them."""

    def __init__(self, minutes: float, decay: bool = True) -> None:
        """Budget `minutes` of training; `decay` scales the learning rate by `time_factor`."""
        self.budget = minutes * 60
        self.decay = decay
        self.started = time.monotonic()

    def on_train_begin(
        self, args: TrainingArguments, state: TrainerState, control: TrainerControl, **kwargs: Any
    ) -> TrainerControl:
        """Start the clock."""
        self.started = time.monotonic()
        return control

    def on_step_end(
        self, args: TrainingArguments, state: TrainerState, control: TrainerControl, **kwargs: Any
    ) -> TrainerControl:
        """Set the next step's learning rate; stop and save when the budget is spent."""
        fraction = (time.monotonic() - self.started) / self.budget
        scheduler = kwargs.get("lr_scheduler")
        optimizer = kwargs.get("optimizer")
        if self.decay and scheduler is not None and optimizer is not None:
            for group, base in zip(optimizer.param_groups, scheduler.base_lrs, strict=False):
                group["lr"] = base * time_factor(fraction)
        if fraction >= 1:
            log.info("time budget spent at step %d; stopping", state.global_step)
            control.should_training_stop = True
            control.should_save = True
        return control
