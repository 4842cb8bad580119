"""The synthetic corpus: deterministic, valid, span annotations, held-out test split."""

from __future__ import annotations

import random
import re

import pytest

from catalog import demo_catalog
from evals.dataset import KNOWN_FEATURES, EvalCase
from training.catalog_view import CatalogView
from training.corpus import build, combination_heldout, is_test_only, to_row
from training.nodes import Focus
from training.phrasing import TEMPLATES, is_heldout
from training.sampler import Case, sample_case
from training.steps import STATE_COLUMNS, STATE_VERBS, _fits
from validator import validate


@pytest.fixture(scope="module")
def corpus() -> dict[str, list[Case]]:
    return build(demo_catalog(), {"train": 120, "dev": 20, "test": 40}, seed=3)


def test_same_seed_same_corpus(corpus: dict[str, list[Case]]) -> None:
    again = build(demo_catalog(), {"train": 120, "dev": 20, "test": 40}, seed=3)
    assert [c.requirement for c in again["train"]] == [c.requirement for c in corpus["train"]]
    assert [c.flow for c in again["test"]] == [c.flow for c in corpus["test"]]


def test_other_seed_other_corpus(corpus: dict[str, list[Case]]) -> None:
    other = build(demo_catalog(), {"train": 20, "dev": 0, "test": 0}, seed=4)
    assert [c.requirement for c in other["train"]] != [c.requirement for c in corpus["train"][:20]]


def test_every_flow_validates_without_errors(corpus: dict[str, list[Case]]) -> None:
    catalog = demo_catalog()
    for cases in corpus.values():
        for case in cases:
            errors = [i for i in validate(case.flow, catalog) if i.is_error]
            assert errors == [], (case.requirement, errors)


def test_raw_samples_mostly_validate() -> None:
    # The generator filters invalid flows; the sampler itself must rarely produce them.
    catalog = demo_catalog()
    view = CatalogView(catalog)
    rng = random.Random(11)
    cases = [c for c in (sample_case(catalog, rng, lambda _t: True, view) for _ in range(80)) if c]
    bad = [c for c in cases if any(i.is_error for i in validate(c.flow, catalog))]
    assert len(bad) <= len(cases) // 10


def test_annotations_are_spans_of_the_requirement(corpus: dict[str, list[Case]]) -> None:
    for cases in corpus.values():
        for case in cases:
            assert case.flow["trigger"]["annotation"] in case.requirement
            for comp in case.flow["components"]:
                assert comp["annotation"], comp
                assert comp["annotation"] in case.requirement, (comp, case.requirement)


def test_sizes_and_nesting_stay_in_range(corpus: dict[str, list[Case]]) -> None:
    # Depth counts enclosing flow-logic blocks; a PARALLEL and its PATH are one level.
    for case in corpus["train"]:
        comps = case.flow["components"]
        assert 1 <= len(comps) <= 15
        by_order = {c["order"]: c for c in comps}
        depth: dict[int, int] = {}
        for c in comps:
            parent = by_order.get(c.get("block") or 0)
            step = 0 if parent is None or parent["definition"] == "PATH" else 1
            depth[c["order"]] = 0 if parent is None else depth[parent["order"]] + step
        assert max(depth.values()) <= 3


def test_test_split_holds_out_phrasing_or_combinations(corpus: dict[str, list[Case]]) -> None:
    assert all(is_test_only(c) for c in corpus["test"])
    for case in corpus["train"] + corpus["dev"]:
        assert not any(is_heldout(t) for t in case.templates)
        assert not combination_heldout(case.combination)


def test_held_out_templates_exist_and_every_slot_keeps_one() -> None:
    held = [
        f"{s}:{i}" for s, ts in TEMPLATES.items() for i in range(len(ts)) if is_heldout(f"{s}:{i}")
    ]
    assert held
    for slot in TEMPLATES:
        assert not is_heldout(f"{slot}:0")


def test_requirements_are_unique_across_splits(corpus: dict[str, list[Case]]) -> None:
    all_reqs = [c.requirement for cases in corpus.values() for c in cases]
    assert len(all_reqs) == len(set(all_reqs))


def test_rows_are_eval_cases_with_known_features(corpus: dict[str, list[Case]]) -> None:
    for i, case in enumerate(corpus["test"]):
        row = to_row(case, "test", i)
        parsed = EvalCase.model_validate(row)
        assert parsed.source == "synthetic"
        assert set(row["features"]) <= set(KNOWN_FEATURES)
        assert {"explicit", "implicit"} & set(row["features"])


def test_corpus_covers_triggers_and_flow_logic(corpus: dict[str, list[Case]]) -> None:
    cases = corpus["train"] + corpus["dev"] + corpus["test"]
    triggers = {c.flow["trigger"]["type"] for c in cases}
    logic = {
        x["definition"] for c in cases for x in c.flow["components"] if x["category"] == "flowlogic"
    }
    assert {"record_create", "record_update", "daily", "email", "service_catalog"} <= triggers
    assert {"IF", "FOREACH", "PARALLEL", "PATH", "TRY", "CATCH"} <= logic


def _trainable(template_id: str) -> bool:
    return not is_heldout(template_id)


@pytest.fixture(scope="module")
def many() -> list[Case]:
    """A few hundred raw training-side samples (enough to see the rarer builders)."""
    rng, view = random.Random(11), CatalogView(demo_catalog())
    drawn = (
        sample_case(demo_catalog(), rng, lambda t: not is_heldout(t), view) for _ in range(700)
    )
    return [c for c in drawn if c is not None]


def test_rarer_steps_and_flow_logic_are_sampled(many: list[Case]) -> None:
    defs = {x["definition"] for c in many for x in c.flow["components"]}
    assert {"ENDFLOW", "SETFLOWVARIABLES", "send_sms", "update_multiple_records"} <= defs
    assert {"post_message", "create_issue"} & defs


def test_state_phrased_triggers_carry_the_condition(many: list[Case]) -> None:
    stated = [c for c in many if any(t.startswith("state.") for t in c.templates)]
    assert stated
    for case in stated:
        trigger = case.flow["trigger"]
        condition = {i["name"]: i["value"] for i in trigger["inputs"]}.get("condition", "")
        assert "=" in condition and "^" not in condition, case.requirement


def test_spoke_actions_fit_the_record_in_focus() -> None:
    catalog = demo_catalog()
    details = next(a for a in catalog.actions if a.name == "post_incident_details")
    message = next(a for a in catalog.actions if a.name == "post_message")
    incident = Focus("{{trigger.current}}", "incident", "incident")
    item = Focus("{{trigger.current}}", "sc_req_item", "requested item")
    assert _fits(details, incident)
    assert not _fits(details, item)
    assert not _fits(details, None)
    assert _fits(message, None)


def test_state_verbs_set_a_lifecycle_column(many: list[Case]) -> None:
    verbs = {v: k for k, v in STATE_VERBS.items()}
    said = 0
    for case in many:
        for comp in case.flow["components"]:
            first = comp["annotation"].split(" ")[0]
            if comp["definition"] != "update_record" or first not in verbs:
                continue
            said += 1
            values = {i["name"]: i["value"] for i in comp["inputs"]}["values"]
            assert values.split("=")[0] in STATE_COLUMNS, comp["annotation"]
    assert said


def test_possessive_loops_look_up_the_records_of_the_one_in_focus(many: list[Case]) -> None:
    owned = [c for c in many if any(t.startswith("loop.possessive") for t in c.templates)]
    assert owned
    for case in owned:
        lookups = [x for x in case.flow["components"] if x["definition"] == "look_up_records"
                   and re.search(r"\b(their|its|of them|of it)\b|'s |of the ", x["annotation"])]
        assert lookups, case.requirement
        conditions = [{i["name"]: i["value"] for i in x["inputs"]}["conditions"] for x in lookups]
        assert any(re.search(r"=\{\{[^}]*sys_id\}\}", q) for q in conditions), conditions


def test_their_manager_is_the_manager_of_a_user_in_scope(many: list[Case]) -> None:
    said = [x for c in many for x in c.flow["components"]
            if x["definition"] in ("send_email", "send_sms", "ask_for_approval")
            and "their manager" in x["annotation"]]
    assert said
    for comp in said:
        values = " ".join(i["value"] for i in comp["inputs"])
        assert ".manager" in values, (comp["annotation"], values)


def test_implied_loops_name_the_owned_records_inside_the_step(many: list[Case]) -> None:
    """ "reassign their open incidents to X": lookup, FOREACH and step share the phrase."""
    inline = 0
    for case in many:
        comps = case.flow["components"]
        for look, loop, step in zip(comps, comps[1:], comps[2:], strict=False):
            if (look["definition"], loop["definition"]) != ("look_up_records", "FOREACH"):
                continue
            if look["annotation"] == loop["annotation"] and look["annotation"] in step[
                "annotation"
            ] and step.get("block") == loop["order"]:
                inline += 1
                assert look["annotation"] in case.requirement
    assert inline
