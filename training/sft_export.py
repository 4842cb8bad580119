"""Export corpus pairs as SFT rows: the exact prompts and completions of the generator's nodes.

Rows are rendered with `agent.prompts.render_messages(node, style, **vars)` from the generator's
own prompt-variable builders (`agent.nodes.*`), with candidates from the real retriever over the
catalog, so a model trained on them sees at inference exactly what it saw in training. Per case:

- `plan`: requirement → outline (always);
- `fill_trigger`: trigger type + annotation → trigger inputs (when the trigger has inputs);
- `fill`: one or more steps with inputs → `{"inputs": [...]}`;
- `repair`: a corrupted outline (`training.corrupt`) with the validator's real issues → the
  original outline.

Completions are compact JSON in the key order of `agent.output_schemas`, which is also what
constrained decoding produces (`agent.local_model` compiles with separators ``(",", ":")``).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import BaseMessage, SystemMessage

from agent.prompts import render_messages
from schemas.catalog import Catalog
from schemas.flow import Flow, Outline
from training.corrupt import corrupt
from training.prompt_vars import PromptVars

NODES = ("plan", "fill", "fill_trigger", "repair")
REPAIR_CODES_SKIPPED = frozenset({"missing_required_input"})
"""Outline issues the repair node never sees (outlines have no inputs by design)."""


@dataclass(frozen=True)
class ExportMix:
    """How many rows of each node one case contributes (probabilities and caps)."""

    fill_steps: int = 1
    trigger_p: float = 0.3
    repair_p: float = 0.05
    repair_max_components: int = 6


def dumps(value: Any) -> str:
    """Serialise a completion exactly as constrained decoding writes it."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def outline_json(flow: Flow) -> str:
    """Return the outline completion of a flow (schema key order, block always present)."""
    trigger = (
        None
        if flow.trigger is None
        else {"type": flow.trigger.type, "annotation": flow.trigger.annotation or ""}
    )
    comps = [
        {
            "category": c.category,
            "definition": c.definition,
            "scope": c.scope,
            "order": c.order,
            "block": c.block,
            "annotation": c.annotation or "",
        }
        for c in flow.components
    ]
    return dumps({"name": flow.name, "trigger": trigger, "components": comps})


def inputs_json(inputs: list[tuple[str, str]]) -> str:
    """Return a fill completion."""
    return dumps({"inputs": [{"name": n, "value": v} for n, v in inputs]})


def message_dicts(messages: list[BaseMessage]) -> list[dict[str, str]]:
    """Convert LangChain messages to `{"role", "content"}` dicts."""
    return [
        {"role": "system" if isinstance(m, SystemMessage) else "user", "content": str(m.content)}
        for m in messages
    ]


def row(node: str, case_id: str, messages: list[BaseMessage], completion: str) -> dict[str, Any]:
    """Return one conversational prompt/completion row (TRL's format) with its node."""
    return {
        "node": node,
        "case": case_id,
        "prompt": message_dicts(messages),
        "completion": [{"role": "assistant", "content": completion}],
    }


def as_messages_row(r: dict[str, Any]) -> dict[str, Any]:
    """Return a prompt/completion row as a plain `{"messages": [...]}` chat row."""
    return {"node": r["node"], "case": r["case"], "messages": r["prompt"] + r["completion"]}


def case_rows(
    case: dict[str, Any], pv: PromptVars, rng: random.Random, mix: ExportMix, style: str = "compact"
) -> Iterator[dict[str, Any]]:
    """Yield the SFT rows of one corpus case."""
    flow = Flow.model_validate(case["flow"])
    req, cid = case["requirement"], case["id"]
    yield row("plan", cid, render_messages("plan", style, **pv.plan(req)), outline_json(flow))
    if flow.trigger is not None and flow.trigger.inputs and rng.random() < mix.trigger_p:
        vars_ = pv.fill_trigger(req, flow)
        pairs = [(i.name, i.value) for i in flow.trigger.inputs]
        yield row(
            "fill_trigger", cid, render_messages("fill_trigger", style, **vars_), inputs_json(pairs)
        )
    steps = [c for c in flow.components if c.inputs]
    for comp in rng.sample(steps, k=min(mix.fill_steps, len(steps))):
        vars_ = pv.fill(req, flow, comp.order)
        pairs = [(i.name, i.value) for i in comp.inputs]
        yield row("fill", cid, render_messages("fill", style, **vars_), inputs_json(pairs))
    if len(flow.components) <= mix.repair_max_components and rng.random() < mix.repair_p:
        repaired = repair_row(req, flow, pv, rng, cid, style)
        if repaired is not None:
            yield repaired


def repair_row(
    req: str, flow: Flow, pv: PromptVars, rng: random.Random, cid: str, style: str
) -> dict[str, Any] | None:
    """Return a repair row from a corrupted outline, or None if no corruption applies."""
    gold = json.loads(outline_json(flow))
    broken = corrupt(gold["components"], rng)
    if broken is None:
        return None
    _kind, comps = broken
    bad = Outline.model_validate({**gold, "components": comps})
    issues = [i for i in pv.outline_issues(bad) if i.code not in REPAIR_CODES_SKIPPED]
    if not issues:
        return None
    vars_ = pv.repair(req, bad, issues)
    return row("repair", cid, render_messages("repair", style, **vars_), outline_json(flow))


def export(
    cases: list[dict[str, Any]],
    catalog: Catalog,
    seed: int,
    mix: ExportMix | None = None,
    style: str = "compact",
) -> Iterator[dict[str, Any]]:
    """Yield the SFT rows of every case (deterministic per seed)."""
    pv = PromptVars.for_catalog(catalog)
    rng = random.Random(seed)
    for case in cases:
        yield from case_rows(case, pv, rng, mix or ExportMix(), style)
