"""Why a pill cannot be used where it is: the `PillError`s the scope resolver returns.

Kept apart from `validator.scope` so the rules read as rules; every message names the pill and
every hint says what to write instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from validator.issues import names_text, shown
from validator.pills import Pill


@dataclass(frozen=True, slots=True)
class PillError:
    """Why a pill may not be used where it is: a pill_* or unknown_column code."""

    code: str
    message: str
    hint: str


def unknown_step(pill: Pill, steps: int) -> PillError:
    """Return the error for a step number that no component has."""
    return PillError(
        "pill_unknown_step",
        f"{shown(pill.text)} names step {pill.step}, but the flow has steps 1..{steps}",
        "Name an earlier step by its order, e.g. {{step_1.record}}.",
    )


def forward_step(pill: Pill, used_at: int) -> PillError:
    """Return the error for a pill to a step that runs after its user (0: the trigger)."""
    where = f"step {used_at}" if used_at else "the trigger"
    return PillError(
        "pill_forward_reference",
        f"{shown(pill.text)} is used by {where}, which runs before step {pill.step} produces it",
        "Use only outputs of steps with a smaller order than the step using them.",
    )


def hidden_step(pill: Pill, token: str, block: int, used_at: int) -> PillError:
    """Return the error for a step hidden inside a PATH/TRY/CATCH that excludes the user."""
    return PillError(
        "pill_out_of_scope",
        f"{shown(pill.text)}: step {pill.step} is inside the {token} at step {block}, which does "
        f"not contain step {used_at}",
        "Copy the value to a flow variable with SETFLOWVARIABLES inside that block and use "
        "{{flow.<variable>}} after it.",
    )


def item_outside_loop(pill: Pill, loop: int) -> PillError:
    """Return the error for a FOREACH item used outside its FOREACH."""
    return PillError(
        "pill_out_of_scope",
        f"{shown(pill.text)}: the item of the FOREACH at step {loop} exists only inside it",
        "Use the item only in steps nested in the FOREACH (block = its order).",
    )


def unknown_output(pill: Pill, owner: str, outputs: Iterable[str]) -> PillError:
    """Return the error for an output that a step or the trigger does not have."""
    names = list(outputs)
    hint = (
        f"Outputs of {owner}: {names_text(names)}."
        if names
        else f"{owner} has no outputs; use another step's output."
    )
    return PillError(
        "pill_unknown_output",
        f"{shown(pill.head)}: {owner} has no output {shown(pill.name)}",
        hint,
    )


def trigger_in_subflow(pill: Pill) -> PillError:
    """Return the error for a trigger pill in a subflow."""
    return PillError(
        "pill_out_of_scope",
        f"{shown(pill.text)}: a subflow has no trigger",
        "Use the subflow's inputs instead, e.g. {{subflow.<input>}}.",
    )


def pill_in_trigger(pill: Pill) -> PillError:
    """Return the error for a pill inside a trigger input."""
    return PillError(
        "pill_out_of_scope",
        f"{shown(pill.text)} is used in a trigger input, where no data exists yet",
        "Trigger inputs take literal values (tables, encoded queries), not pills.",
    )


def unset_variable(pill: Pill, known: list[str]) -> PillError:
    """Return the error for a flow variable that no step sets."""
    return PillError(
        "pill_unknown_output",
        f"{shown(pill.text)}: no SETFLOWVARIABLES step sets flow variable {shown(pill.name)}",
        "Set the variable first with SETFLOWVARIABLES (input name = variable name); "
        f"variables set in this flow: {names_text(known)}.",
    )


def forward_variable(pill: Pill, used_at: int, first_set: int) -> PillError:
    """Return the error for a flow variable read before it is first set."""
    return PillError(
        "pill_forward_reference",
        f"{shown(pill.text)} is used by step {used_at}, but is first set at step {first_set}",
        "Set the flow variable in a step before the one that reads it.",
    )


def subflow_input_in_flow(pill: Pill) -> PillError:
    """Return the error for a subflow-input pill in a flow that has a trigger."""
    return PillError(
        "pill_out_of_scope",
        f"{shown(pill.text)}: subflow inputs exist only in a subflow (this flow has a trigger)",
        "Use trigger outputs such as {{trigger.current}} instead.",
    )


def undeclared_input(pill: Pill, declared: list[str]) -> PillError:
    """Return the error for a subflow input the subflow does not declare."""
    return PillError(
        "pill_unknown_output",
        f"{shown(pill.text)}: the subflow declares no input {shown(pill.name)}",
        f"Declare it under inputs.items, or use one of: {names_text(declared)}.",
    )


def bad_walk(pill: Pill, message: str, hint: str) -> PillError:
    """Return the error for a dot-walk that names no column or walks through a non-reference."""
    return PillError("unknown_column", f"{shown(pill.text)}: {message}", hint)
