"""Seeded random flows and flow pairs for FlowSim parity tests and the benchmark.

Flows are shaped like real ones (trigger with inputs, nested flow logic, encoded queries,
subflow variables) and, with `quirky=True`, also carry what the reference treats oddly: trailing
`^EQ`, `message=ERROR`, empty values, lower-case `or`, leading `^`, orphans, blocks under
actions, shuffled lists, missing keys, lower-case flow logic and labels with `:` or newlines.
"""

from __future__ import annotations

import copy
import random
from typing import Any

TRIGGERS = ["record_create", "record_update", "record_create_or_update", "daily", "weekly",
            "repeat", "email", "service_catalog", "sla_task", "rest_async"]  # fmt: skip
ODD_TRIGGERS = ["", "custom_trigger", "inputs: x", "Record_Update", "recordupdate"]
ACTIONS = ["look_up_record", "look_up_records", "update_record", "create_record",
           "delete_record", "send_email", "send_notification", "ask_for_approval", "log",
           "create_task", "wait_for_condition", "get_catalog_variables"]  # fmt: skip
LOGIC = ["IF", "ELSEIF", "ELSE", "FOREACH", "DOUNTIL", "PARALLEL", "PATH", "TRY", "CATCH",
         "SETFLOWVARIABLES", "WAITFORADURATION", "ENDFLOW"]  # fmt: skip
SCOPES = ["global", "global", "global", "sn_ms_teams_ah", "sn_slack_ah"]
FIELDS = ["active", "state", "priority", "assigned_to", "caller_id", "category",
          "short_description", "assignment_group.name", "message", "impact", "u_field",
          "sys_updated_on"]  # fmt: skip
OPERATORS = ["=", "!=", "<", "<=", ">", ">=", "IN", "NOT IN", "LIKE", "NOT LIKE", "STARTSWITH",
             "ENDSWITH", "ISEMPTY", "ISNOTEMPTY", "CHANGESTO", "VALCHANGES", "SAMEAS",
             "BETWEEN", "RELATIVEGT", "ON"]  # fmt: skip
VALUES = ["true", "false", "1", "2", "6", "hardware", "{{trigger.current.sys_id}}",
          "{{step_1.record.manager}}", "ERROR", "network", "1,2,3", "Net Ops",
          "javascript:gs.now()"]  # fmt: skip
QUIRKY_QUERIES = ["active=true^EQ", "^active=true", "message=ERROR", "state=", "",
                  "priority=1^or^state=2", "a to z", "^EQ", "state=1^^state=2", "x", "=",
                  "stateIN1,2", "short_description=NOT IN", "u_a=b^ORu_c=d^NQu_e=f",
                  "nameLIKEa=b", "fields: x", "descr\n0:line"]  # fmt: skip
INPUT_NAMES = ["table", "table_name", "record", "condition", "conditions", "values", "fields",
               "field_values", "email_conditions", "items", "duration", "to", "subject",
               "message"]  # fmt: skip
QUERY_INPUTS = {"condition", "conditions", "values", "fields", "field_values", "email_conditions"}


def random_query(rng: random.Random, quirky: bool) -> str:
    """Return an encoded query of 1–4 terms (sometimes a quirky one)."""
    if quirky and rng.random() < 0.3:
        return rng.choice(QUIRKY_QUERIES)
    terms = []
    for index in range(rng.randint(1, 4)):
        op = rng.choice(OPERATORS)
        value = "" if op in ("ISEMPTY", "ISNOTEMPTY", "VALCHANGES") else rng.choice(VALUES)
        sep = "" if index == 0 else rng.choice(["^", "^", "^OR", "^NQ"])
        terms.append(f"{sep}{rng.choice(FIELDS)}{op}{value}")
    query = "".join(terms)
    if quirky and rng.random() < 0.15:
        query += "^EQ"
    return query


def random_inputs(rng: random.Random, quirky: bool, low: int = 0, high: int = 4) -> list[dict]:
    """Return a list of `{name, value}` inputs."""
    inputs = []
    for _ in range(rng.randint(low, high)):
        name = rng.choice(INPUT_NAMES)
        if quirky and rng.random() < 0.05:
            name = rng.choice(["", "inputs", "flow", "Conditions"])
        value: Any = random_query(rng, quirky) if name in QUERY_INPUTS else rng.choice(VALUES)
        if quirky and rng.random() < 0.05:
            value = rng.choice([3, True, None, ""])
        inputs.append({"name": name, "value": value})
    return inputs


def random_trigger(rng: random.Random, quirky: bool) -> dict | None:
    """Return a trigger dict, or None for a subflow."""
    if rng.random() < 0.1:
        return None
    kind = rng.choice(ODD_TRIGGERS) if quirky and rng.random() < 0.15 else rng.choice(TRIGGERS)
    trigger: dict[str, Any] = {"type": kind, "annotation": "when something happens"}
    if not (quirky and rng.random() < 0.1):
        trigger["inputs"] = random_inputs(rng, quirky, 0, 3)
    return trigger


def _component(rng: random.Random, quirky: bool, inputs: int) -> dict[str, Any]:
    """Return one component without order/block."""
    roll = rng.random()
    if roll < 0.35:
        token = rng.choice(LOGIC)
        if quirky and rng.random() < 0.2:
            token = token.lower() if rng.random() < 0.5 else token.capitalize()
        comp: dict[str, Any] = {"category": "flowlogic", "definition": token, "scope": "global"}
    elif roll < 0.9:
        comp = {"category": "action", "definition": rng.choice(ACTIONS),
                "scope": rng.choice(SCOPES)}  # fmt: skip
    elif roll < 0.95:
        comp = {"category": "subflow", "definition": "notify_group", "scope": "x_acme"}
    else:
        comp = {"category": "placeholder", "definition": "PLACEHOLDER", "scope": "global"}
    if quirky and rng.random() < 0.1:
        del comp[rng.choice(["scope", "category"])]
    if inputs:
        comp["inputs"] = random_inputs(rng, quirky, 0, inputs)
    return comp


def random_components(rng: random.Random, count: int, quirky: bool, inputs: int) -> list:
    """Return `count` components in pre-order with random nesting, up to `inputs` inputs each."""
    comps: list[dict[str, Any]] = []
    open_blocks: list[int] = []
    for order in range(1, count + 1):
        comp = _component(rng, quirky, inputs)
        while open_blocks and rng.random() < 0.3:
            open_blocks.pop()
        comp["order"] = order
        if open_blocks:
            comp["block"] = open_blocks[-1]
        elif rng.random() < 0.3:
            comp["block"] = None
        if comp.get("category") == "flowlogic" or (quirky and rng.random() < 0.1):
            open_blocks.append(order)
        comps.append(comp)
    if quirky and comps and rng.random() < 0.2:
        rng.choice(comps)["block"] = count + 5  # an orphan: its parent does not exist
    if quirky and rng.random() < 0.1:
        rng.shuffle(comps)
    return comps


def random_flow(
    rng: random.Random, low: int, high: int, quirky: bool = False, inputs: int = 4
) -> dict:
    """Return a random flow with `low`–`high` components of up to `inputs` inputs each."""
    flow: dict[str, Any] = {"name": "random flow", "trigger": random_trigger(rng, quirky)}
    if flow["trigger"] is None and rng.random() < 0.7:
        record = {"name": "record", "type": "reference", "reference": "incident"}
        flow["inputs"] = {"items": [record, {"name": "note", "type": "string"}]}
        flow["outputs"] = {"items": [{"name": "done", "type": "boolean"}]}
    if quirky and rng.random() < 0.1:
        inputs = 0
    flow["components"] = random_components(rng, rng.randint(low, high), quirky, inputs)
    if quirky and rng.random() < 0.05:
        del flow["trigger"]
    return flow


def mutate(rng: random.Random, flow: dict, quirky: bool, inputs: int = 4) -> dict:
    """Return a copy of `flow` with a few random edits (a realistic near-miss prediction)."""
    out = copy.deepcopy(flow)
    comps = out.get("components", [])
    for _ in range(rng.randint(1, 4)):
        roll = rng.random()
        if comps and roll < 0.3:
            rng.choice(comps)["definition"] = rng.choice(ACTIONS)
        elif comps and roll < 0.5:
            target = rng.choice(comps)
            target["inputs"] = random_inputs(rng, quirky, 0, inputs)
        elif comps and roll < 0.65:
            comps.pop(rng.randrange(len(comps)))
        elif roll < 0.8:
            out["trigger"] = random_trigger(rng, quirky)
        else:
            comps.append(_component(rng, quirky, inputs) | {"order": len(comps) + 1})
    return out


def random_pairs(
    seed: int, count: int, low: int, high: int, quirky: bool, inputs: int = 4
) -> list[tuple]:
    """Return `count` (pred, gold) pairs: half near-misses, half independent flows."""
    rng = random.Random(seed)
    pairs = []
    for index in range(count):
        gold = random_flow(rng, low, high, quirky, inputs)
        if index % 2 == 0:
            pred = mutate(rng, gold, quirky, inputs)
        else:
            pred = random_flow(rng, low, high, quirky, inputs)
        pairs.append((pred, gold))
    return pairs
