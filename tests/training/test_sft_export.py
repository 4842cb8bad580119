"""SFT export rows: shape, exact completions, grammar-valid outputs, repair rows."""

from __future__ import annotations

import json
from typing import Any

import pytest
import xgrammar as xgr

from agent.output_schemas import inputs_schema, outline_schema
from catalog import demo_catalog
from schemas.flow import Outline
from training.corpus import build, to_training_row
from training.corrupt import CORRUPTIONS, drop_subtree
from training.sft_export import ExportMix, as_messages_row, export
from validator import validate

_VOCAB = [chr(i) for i in range(32, 127)] + ["<eos>"]


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    catalog = demo_catalog()
    cases = build(catalog, {"train": 25, "dev": 0, "test": 0}, seed=5)["train"]
    data = [to_training_row(c, "train", i) for i, c in enumerate(cases)]
    mix = ExportMix(fill_steps=2, trigger_p=1.0, repair_p=1.0, repair_max_components=15)
    return list(export(data, catalog, seed=1, mix=mix))


def _accepted(schema: dict[str, Any], text: str) -> bool:
    info = xgr.TokenizerInfo(_VOCAB, stop_token_ids=[len(_VOCAB) - 1])
    grammar = xgr.GrammarCompiler(info).compile_json_schema(
        json.dumps(schema), any_whitespace=False, separators=(",", ":")
    )
    return bool(xgr.GrammarMatcher(grammar).accept_string(text))


def test_rows_are_conversational_prompt_completion(rows: list[dict[str, Any]]) -> None:
    assert {r["node"] for r in rows} == {"plan", "fill", "fill_trigger", "repair"}
    for r in rows:
        assert r["prompt"] and all(m["role"] in ("system", "user") for m in r["prompt"])
        assert [m["role"] for m in r["completion"]] == ["assistant"]
        json.loads(r["completion"][0]["content"])
        chat = as_messages_row(r)["messages"]
        assert chat[-1]["role"] == "assistant" and chat[:-1] == r["prompt"]


def test_plan_prompt_and_completion_are_the_outline(rows: list[dict[str, Any]]) -> None:
    steps = [
        {"category": "action", "definition": a.name, "scope": a.scope, "label": a.label}
        for a in demo_catalog().actions
    ]
    steps += [
        {"category": "flowlogic", "definition": f.token, "scope": "global", "label": f.label}
        for f in demo_catalog().flow_logic
    ]
    triggers = [{"type": t.type, "label": t.label} for t in demo_catalog().triggers]
    for r in (r for r in rows if r["node"] == "plan"):
        text = r["completion"][0]["content"]
        outline = Outline.model_validate_json(text)
        assert outline.components
        assert r["prompt"][-1]["content"].startswith("plan\n")
        # Constrained decoding (compact JSON, schema key order) can produce exactly this text.
        assert _accepted(outline_schema(steps, triggers), text)


def test_fill_completions_match_the_step_schema(rows: list[dict[str, Any]]) -> None:
    catalog = demo_catalog()
    fills = [r for r in rows if r["node"] == "fill"]
    assert fills
    for r in fills:
        definition = r["prompt"][-1]["content"].split("\n")[0].removeprefix("fill ")
        action = catalog.actions_named(definition)
        logic = catalog.logic(definition)
        params = [
            p.model_dump() for p in (action[0].inputs if action else logic.inputs if logic else ())
        ]
        text = r["completion"][0]["content"]
        assert _accepted(inputs_schema(params), text), text


def test_repair_rows_show_real_issues_and_expect_the_gold(rows: list[dict[str, Any]]) -> None:
    repairs = [r for r in rows if r["node"] == "repair"]
    plans = {r["case"]: r["completion"][0]["content"] for r in rows if r["node"] == "plan"}
    assert repairs
    for r in repairs:
        assert r["completion"][0]["content"] == plans[r["case"]]
        prompt = r["prompt"][-1]["content"]
        assert prompt.startswith("repair\n")
        assert prompt.strip().splitlines()[-1].split()[0].islower()


def test_corruptions_yield_the_matching_validator_codes() -> None:
    comps = [
        {
            "category": "flowlogic",
            "definition": "IF",
            "scope": "global",
            "order": 1,
            "block": None,
            "annotation": "if",
        },
        {
            "category": "action",
            "definition": "log",
            "scope": "global",
            "order": 2,
            "block": 1,
            "annotation": "log",
        },
        {
            "category": "flowlogic",
            "definition": "ELSE",
            "scope": "global",
            "order": 3,
            "block": None,
            "annotation": "else",
        },
        {
            "category": "action",
            "definition": "log",
            "scope": "global",
            "order": 4,
            "block": 3,
            "annotation": "log",
        },
    ]
    base = {"name": "x", "trigger": {"type": "daily", "annotation": "daily", "inputs": []}}
    import random

    broken = CORRUPTIONS["else_without_if"](comps, random.Random(0))
    assert broken == drop_subtree(comps, 0)
    codes = {i.code for i in validate({**base, "components": broken}, demo_catalog())}
    assert "else_without_if" in codes
    misspelled = CORRUPTIONS["unknown_action"](comps, random.Random(0))
    codes = {i.code for i in validate({**base, "components": misspelled}, demo_catalog())}
    assert "unknown_action" in codes
