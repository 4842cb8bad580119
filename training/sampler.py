"""Sample one synthetic (requirement, flow) pair from an instance catalog.

The sampler composes a trigger and a body of steps (see `training.logic`), then writes the
requirement in one of several forms (plain, reordered, long, numbered, short) and cuts every
component's annotation out of it, so annotations are always spans of the requirement. Flows the
validator rejects are dropped by the caller (`training.corpus`).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from schemas.catalog import Catalog
from training.catalog_view import CatalogView, noun
from training.logic import LogicBuilder, Scope
from training.nodes import Focus, Node, Seg, number, resolve_pills
from training.phrasing import Phraser, articles, capitalize
from training.triggers import SampledTrigger, sample_trigger

MAX_COMPONENTS = 15


class SpanError(ValueError):
    """A component phrase is not a substring of the requirement (a sampler bug)."""


@dataclass
class Case:
    """One synthetic training pair plus what the splits and evals need to know about it."""

    requirement: str
    flow: dict[str, Any]
    features: set[str] = field(default_factory=set)
    templates: set[str] = field(default_factory=set)
    tables: list[str] = field(default_factory=list)

    @property
    def combination(self) -> str:
        """Return the step combination key: the sorted distinct definitions of the flow."""
        return "+".join(sorted({c["definition"] for c in self.flow["components"]}))


def sample_case(
    catalog: Catalog,
    rng: random.Random,
    allow: Callable[[str], bool],
    view: CatalogView | None = None,
) -> Case | None:
    """Sample one pair; None when the draw does not fit (too many components, empty body)."""
    phraser = Phraser(rng, allow)
    b = LogicBuilder(rng, view or CatalogView(catalog), phraser.pick, phraser.pick_head)
    trig = sample_trigger(b)
    segs = _top_body(b, trig)
    roots = [n for s in segs for n in s.nodes]
    total = sum(n.count() for n in roots)
    if not roots or total > MAX_COMPONENTS:
        return None
    requirement = articles(_requirement(b, trig, segs))
    flow = _flow(requirement, trig, roots)
    if max(n.depth() for n in roots) >= 2:
        b.features.add("nesting")
    if "implicit" not in b.features:
        b.features.add("explicit")
    return Case(requirement, flow, b.features, phraser.used, trig.tables)


def _top_body(b: LogicBuilder, trig: SampledTrigger) -> list[Seg]:
    """Sample the top-level segments; record-less triggers start by finding records."""
    scope = Scope(trig.focus, trig.others)
    segs: list[Seg] = []
    if trig.type == "sla_task" and b.rng.random() < 0.6 and trig.others:
        pct = b.rng.choice(["50", "75", "90"])
        segs.append(
            b.action(
                "sla_percentage_timer",
                b.pick("sla.timer", pct=pct),
                [("percentage", pct), ("task_sla_record", trig.others[0].pill)],
            )
        )
    if trig.type == "service_catalog" and b.rng.random() < 0.5 and trig.focus is not None:
        text = b.pick("catalog.task")
        segs.append(b.action("create_catalog_task", text, [("ah_requested_item", trig.focus.pill)]))
    if scope.focus is None and b.rng.random() < 0.8:
        first = _lookup_one(b) if b.rng.random() < 0.3 else None
        if first is not None:
            segs.append(first[0])
            scope.focus = first[1]
        else:
            opener = b.composite(scope) if b.rng.random() < 0.7 else None
            segs.append(opener or b.leaf(scope))
    size = b.rng.choice([1, 1, 2, 2, 2, 3, 3, 4])
    segs += b.body(scope, max(0, size - len(segs)) or 1)
    return segs


def _lookup_one(b: LogicBuilder) -> tuple[Seg, Focus] | None:
    table = b.view.pick_table(b.rng)
    cond = b.condition(table.name, multi=0)
    if cond is None:
        return None
    node = Node(
        "action",
        "look_up_record",
        b.pick("lookup.one", noun=noun(table), cond=cond.text),
        [("table", table.name), ("conditions", cond.query)],
    )
    return Seg([node], node.text), Focus(node.pill("record"), table.name, noun(table))


def _requirement(b: LogicBuilder, trig: SampledTrigger, segs: list[Seg]) -> str:
    """Write the requirement in one of the forms of `phrasing.TEMPLATES`."""
    forms = ["plain"] * 4 + ["long"] * 2 + ["short"]
    if len(segs) >= 2:
        forms += ["numbered"] * 2
    if len(segs) <= 2:
        forms += ["reordered"]
    form = b.rng.choice(forms)
    body = b.join(segs)
    if form == "short":
        return f"{trig.text}: {'; '.join(s.text for s in segs)}"
    if form == "numbered":
        numbered = " ".join(f"{i}. {capitalize(s.text)}." for i, s in enumerate(segs, 1))
        return b.pick(
            "form.numbered", trigger=trig.text, Trigger=capitalize(trig.text), numbered=numbered
        )
    slots = {
        "trigger": trig.text,
        "Trigger": capitalize(trig.text),
        "body": body,
        "Body": capitalize(body),
    }
    return b.pick(f"form.{form}", **slots)


def _span(requirement: str, text: str) -> str:
    """Return `text` as it is written in the requirement (case may differ at sentence starts)."""
    text = articles(text)
    if text in requirement:
        return text
    at = requirement.lower().find(text.lower())
    if at < 0:
        raise SpanError(f"phrase {text!r} not found in requirement {requirement!r}")
    return requirement[at : at + len(text)]


def _flow(requirement: str, trig: SampledTrigger, roots: list[Node]) -> dict[str, Any]:
    """Assemble the flow JSON: orders, blocks, resolved pills and span annotations."""
    numbered = number(roots)
    orders = {node.uid: order for node, order, _ in numbered}
    components: list[dict[str, Any]] = []
    for node, order, block in numbered:
        comp: dict[str, Any] = {
            "category": node.category,
            "definition": node.definition,
            "scope": node.scope,
            "order": order,
        }
        if block is not None:
            comp["block"] = block
        comp["annotation"] = _span(requirement, node.text)
        comp["inputs"] = [{"name": k, "value": resolve_pills(v, orders)} for k, v in node.inputs]
        components.append(comp)
    trigger = {
        "type": trig.type,
        "annotation": _span(requirement, trig.text),
        "inputs": [{"name": k, "value": v} for k, v in trig.inputs],
    }
    return {"name": flow_name(requirement), "trigger": trigger, "components": components}


def flow_name(requirement: str) -> str:
    """Return a short flow name: the first words of the requirement."""
    words = re.findall(r"[A-Za-z0-9#']+", requirement)[:4]
    return capitalize(" ".join(words)) or "Flow"
