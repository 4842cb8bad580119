"""Corrupt a correct outline the way models get outlines wrong, for repair training rows.

Each corruption returns a new component list (outline components: no inputs) or None when it
does not apply to this outline. The repair row then shows the validator's real issues for the
corrupted outline and expects the original outline back.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from typing import Any

Components = list[dict[str, Any]]
MISSPELLINGS: dict[str, str] = {
    "look_up_records": "lookup_records",
    "look_up_record": "get_record",
    "update_record": "update_records",
    "send_email": "send_mail",
    "create_record": "insert_record",
    "log": "log_message",
    "ask_for_approval": "request_approval",
    "create_task": "new_task",
}


def subtree_end(comps: Components, index: int) -> int:
    """Return the index just past the subtree that starts at `index`."""
    order = comps[index]["order"]
    inside = {order}
    end = index + 1
    while end < len(comps) and comps[end].get("block") in inside:
        inside.add(comps[end]["order"])
        end += 1
    return end


def drop_subtree(comps: Components, index: int) -> Components:
    """Remove the subtree at `index` and renumber orders and blocks."""
    end = subtree_end(comps, index)
    kept = copy.deepcopy(comps[:index] + comps[end:])
    mapping = {c["order"]: i + 1 for i, c in enumerate(kept)}
    for comp in kept:
        comp["order"] = mapping[comp["order"]]
        if comp.get("block") is not None:
            comp["block"] = mapping.get(comp["block"])
    return kept


def _find(comps: Components, definition: str) -> list[int]:
    return [i for i, c in enumerate(comps) if c["definition"] == definition]


def else_without_if(comps: Components, rng: random.Random) -> Components | None:
    """Drop an IF that has an ELSE/ELSEIF after it."""
    ifs = [
        i
        for i in _find(comps, "IF")
        if subtree_end(comps, i) < len(comps)
        and comps[subtree_end(comps, i)]["definition"] in ("ELSE", "ELSEIF")
    ]
    return drop_subtree(comps, rng.choice(ifs)) if ifs else None


def parallel_one_path(comps: Components, rng: random.Random) -> Components | None:
    """Drop a PATH of a PARALLEL that has exactly two."""
    for i in _find(comps, "PARALLEL"):
        paths = [j for j in _find(comps, "PATH") if comps[j].get("block") == comps[i]["order"]]
        if len(paths) == 2:
            return drop_subtree(comps, rng.choice(paths))
    return None


def try_without_catch(comps: Components, rng: random.Random) -> Components | None:
    """Drop a CATCH."""
    catches = _find(comps, "CATCH")
    return drop_subtree(comps, rng.choice(catches)) if catches else None


def bad_order(comps: Components, rng: random.Random) -> Components | None:
    """Swap the orders of two components."""
    if len(comps) < 2:
        return None
    out = copy.deepcopy(comps)
    i, j = rng.sample(range(len(out)), 2)
    out[i]["order"], out[j]["order"] = out[j]["order"], out[i]["order"]
    return out


def unknown_action(comps: Components, rng: random.Random) -> Components | None:
    """Misspell an action name."""
    hits = [i for i, c in enumerate(comps) if c["definition"] in MISSPELLINGS]
    if not hits:
        return None
    out = copy.deepcopy(comps)
    i = rng.choice(hits)
    out[i]["definition"] = MISSPELLINGS[out[i]["definition"]]
    return out


def bad_block(comps: Components, rng: random.Random) -> Components | None:
    """Point a nested component at a block that is not its parent (often a leaf)."""
    nested = [i for i, c in enumerate(comps) if c.get("block") is not None and i > 0]
    if not nested:
        return None
    out = copy.deepcopy(comps)
    i = rng.choice(nested)
    out[i]["block"] = out[i - 1]["order"] if out[i - 1]["order"] != out[i]["block"] else None
    return out


def flatten_block(comps: Components, rng: random.Random) -> Components | None:
    """Move the children of a block to top level, leaving it empty."""
    blocks = [
        i
        for i, c in enumerate(comps)
        if c["category"] == "flowlogic" and subtree_end(comps, i) > i + 1
    ]
    if not blocks:
        return None
    out = copy.deepcopy(comps)
    i = rng.choice(blocks)
    for comp in out[i + 1 : subtree_end(comps, i)]:
        if comp.get("block") == out[i]["order"]:
            comp["block"] = out[i].get("block")
    return out


CORRUPTIONS: dict[str, Callable[[Components, random.Random], Components | None]] = {
    "else_without_if": else_without_if,
    "parallel_one_path": parallel_one_path,
    "try_without_catch": try_without_catch,
    "bad_order": bad_order,
    "unknown_action": unknown_action,
    "bad_block": bad_block,
    "flatten_block": flatten_block,
}
"""Corruption kinds by name."""


def corrupt(comps: Components, rng: random.Random) -> tuple[str, Components] | None:
    """Apply one applicable corruption chosen at random; None if none applies."""
    names = list(CORRUPTIONS)
    rng.shuffle(names)
    for name in names:
        out = CORRUPTIONS[name](comps, rng)
        if out is not None and out != comps:
            return name, out
    return None
