"""EBNF grammars of local decoding: they admit every valid corpus flow and reject what
JSON Schema alone lets through (repeated inputs, out-of-scope pills, bad orders)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import xgrammar as xgr

from agent.candidates import step_params, trigger_params
from agent.draft import pill_dicts
from agent.grammars import inputs_grammar, outline_grammar
from agent.nodes.plan import outline_grammar_of
from agent.settings import load_settings
from catalog import demo_catalog
from schemas.catalog import Catalog
from schemas.flow import Flow, OutlineComponent
from training.corpus import build

_VOCAB = [chr(i) for i in range(32, 127)] + ["<eos>"]
_COMPILER = xgr.GrammarCompiler(xgr.TokenizerInfo(_VOCAB, stop_token_ids=[len(_VOCAB) - 1]))


def _accepts(ebnf: str, text: str) -> bool:
    matcher = xgr.GrammarMatcher(_COMPILER.compile_grammar(ebnf))
    # The whole text, then the end: a prefix of a valid answer is not an answer.
    return bool(matcher.accept_string(text)) and bool(matcher.accept_token(len(_VOCAB) - 1))


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return demo_catalog()


@pytest.fixture(scope="module")
def cases(catalog: Catalog) -> list[tuple[str, Flow]]:
    built = build(catalog, {"train": 40, "dev": 0, "test": 0}, seed=11)["train"]
    return [(c.requirement, Flow.model_validate(c.flow)) for c in built]


@pytest.fixture(scope="module")
def flows(cases: list[tuple[str, Flow]]) -> list[Flow]:
    return [flow for _, flow in cases]


def _outline_ebnf(catalog: Catalog, requirement: str = "") -> str:
    steps = [{"category": a.category, "definition": a.name, "scope": a.scope}
             for a in catalog.actions]
    steps += [{"category": "flowlogic", "definition": f.token, "scope": "global"}
              for f in catalog.flow_logic]
    return outline_grammar(steps, [{"type": t.type} for t in catalog.triggers], max_steps=20,
                           requirement=requirement)


@pytest.fixture(scope="module")
def outline_ebnf(catalog: Catalog) -> str:
    return _outline_ebnf(catalog)


def _outline_text(flow: Flow) -> str:
    trigger = flow.trigger
    return _compact({
        "name": flow.name,
        "trigger": {"type": trigger.type, "annotation": trigger.annotation} if trigger else None,
        "components": [
            {"category": c.category, "definition": c.definition, "scope": c.scope,
             "order": c.order, "block": c.block, "annotation": c.annotation}
            for c in flow.components
        ],
    })


def _inputs_text(inputs: list[Any]) -> str:
    return _compact({"inputs": [{"name": i.name, "value": i.value} for i in inputs]})


def _tables(flow: Flow, catalog: Catalog) -> list[dict[str, Any]]:
    """The flow's own tables plus two others: the candidates a lookup would offer."""
    names = {t.name for t in catalog.tables}
    inputs = [*(flow.trigger.inputs if flow.trigger else []),
              *(i for c in flow.components for i in c.inputs)]
    used = [i.value for i in inputs if i.value in names]
    return [{"name": n} for n in dict.fromkeys([*used, "incident", "sys_user"])]


def test_every_corpus_outline_is_admitted(flows: list[Flow], outline_ebnf: str) -> None:
    for flow in flows:
        assert _accepts(outline_ebnf, _outline_text(flow)), _outline_text(flow)


def test_corpus_annotations_are_admitted_as_spans_of_their_requirement(
    cases: list[tuple[str, Flow]], catalog: Catalog
) -> None:
    for requirement, flow in cases[:15]:
        assert _accepts(_outline_ebnf(catalog, requirement), _outline_text(flow))


def test_annotations_that_are_not_spans_are_rejected(
    cases: list[tuple[str, Flow]], catalog: Catalog
) -> None:
    requirement, flow = cases[0]
    ebnf = _outline_ebnf(catalog, requirement)
    first = flow.components[0]
    quoted = first.annotation or ""
    for wrong in (quoted + quoted, "becomes enable"):
        changed = flow.model_copy(update={"components": [
            first.model_copy(update={"annotation": wrong}), *flow.components[1:]]})
        assert not _accepts(ebnf, _outline_text(changed)), wrong


def test_every_corpus_step_and_trigger_input_list_is_admitted(
    flows: list[Flow], catalog: Catalog
) -> None:
    for flow in flows:
        tables = _tables(flow, catalog)
        for comp in flow.components:
            ebnf = inputs_grammar(step_params(comp, catalog), tables,
                                  pill_dicts(flow, comp.order, catalog), catalog)
            assert _accepts(ebnf, _inputs_text(comp.inputs)), (comp.definition, comp.inputs)
        if flow.trigger is not None:
            ebnf = inputs_grammar(trigger_params(flow.trigger.type, catalog), tables, [], catalog)
            assert _accepts(ebnf, _inputs_text(flow.trigger.inputs))


def _comp(definition: str, order: int, block: int | None, category: str = "action") -> str:
    return _compact({"category": category, "definition": definition, "scope": "global",
                     "order": order, "block": block, "annotation": "a"})


def _outline(*components: str) -> str:
    trigger = '{"type":"record_update","annotation":"t"}'
    return f'{{"name":"n","trigger":{trigger},"components":[{",".join(components)}]}}'


@pytest.mark.parametrize(
    ("components", "ok"),
    [
        ((_comp("IF", 1, None, "flowlogic"), _comp("update_record", 2, 1)), True),
        ((_comp("IF", 1, None, "flowlogic"), _comp("update_record", 1, 1)), False),  # dup order
        ((_comp("log", 1, None), _comp("log", 3, None)), False),  # gap
        ((_comp("log", 2, None),), False),  # does not start at 1
        ((_comp("log", 1, 1),), False),  # in itself
        ((_comp("IF", 1, 2, "flowlogic"), _comp("log", 2, None)), False),  # in a later step
        ((_comp("teleport_user", 1, None),), False),  # not a candidate
        ((), False),  # no steps at all
    ],
)
def test_outline_orders_and_blocks_are_positional(
    outline_ebnf: str, components: tuple[str, ...], ok: bool
) -> None:
    assert _accepts(outline_ebnf, _outline(*components)) is ok


def test_outline_length_is_bounded(catalog: Catalog) -> None:
    ebnf = outline_grammar([{"category": "action", "definition": "log", "scope": "global"}],
                           [], max_steps=2)
    one, two, three = (_comp("log", i, None) for i in (1, 2, 3))
    no_trigger = '{{"name":"n","trigger":null,"components":[{}]}}'
    assert _accepts(ebnf, no_trigger.format(",".join([one, two])))
    assert not _accepts(ebnf, no_trigger.format(",".join([one, two, three])))


UPDATE = '{{"inputs":[{{"name":"table_name","value":"incident"}},{{"name":"record","value":"{record}"}},{{"name":"values","value":"{values}"}}]}}'  # noqa: E501


@pytest.fixture(scope="module")
def update_ebnf(catalog: Catalog) -> str:
    params = step_params(_update_step(), catalog)
    pills = [{"pill": "{{trigger.current}}", "type": "reference", "table": "incident"},
             {"pill": "{{step_1.records}}", "type": "records", "table": "incident"}]
    return inputs_grammar(params, [{"name": "incident"}], pills, catalog)


def _update_step() -> OutlineComponent:
    return OutlineComponent(category="action", definition="update_record", scope="global",
                            order=2, annotation="update it")


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        (UPDATE.format(record="{{trigger.current}}", values="state=2"), True),
        (UPDATE.format(record="{{trigger.current}}",
                       values="assigned_to={{trigger.current.assigned_to.manager}}"), True),
        (UPDATE.format(record="{{trigger.current}}", values="state=6^work_notes=done {x}"), True),
        (UPDATE.format(record="{{trigger.current}}", values="state=42"), False),  # no such value
        (UPDATE.format(record="{{trigger.current}}", values="colour=red"), False),  # no column
        (UPDATE.format(record="{{trigger.current}}", values="just some text"), False),
        (UPDATE.format(record="{{trigger.current}}",
                       values="state={{trigger.current.state}}"), True),
        (UPDATE.format(record="{{step_1.record}}", values="state=2"), False),  # not visible
        (UPDATE.format(record="{{trigger.current}}",
                       values="assigned_to={{trigger.current.no_such_column}}"), False),
        (UPDATE.format(record="{{step_1.records.number}}", values="x"), False),  # walks a list
        (UPDATE.format(record="see {{trigger.current}}", values="x"), False),  # text + pill
        (UPDATE.format(record="the caller incident", values="state=2"), False),  # a name
        (UPDATE.format(record="0123456789abcdef0123456789abcdef", values="state=2"), True),
        ('{"inputs":[{"name":"table_name","value":"incident"}]}', False),  # mandatory missing
        ('{"inputs":[{"name":"table_name","value":"incident"},'
         '{"name":"table_name","value":"incident"}]}', False),  # repeated
        ('{"inputs":[{"name":"table_name","value":"problem"}]}', False),  # not a candidate
    ],
)
def test_inputs_are_unique_complete_and_pills_in_scope(
    update_ebnf: str, text: str, ok: bool
) -> None:
    assert _accepts(update_ebnf, text) is ok


def test_optional_inputs_may_be_skipped_but_keep_catalog_order(catalog: Catalog) -> None:
    params = [{"name": "a", "type": "string", "mandatory": False},
              {"name": "b", "type": "string", "mandatory": True},
              {"name": "c", "type": "boolean", "mandatory": False}]
    ebnf = inputs_grammar(params, [], [], catalog)
    item = '{{"name":"{}","value":"{}"}}'
    assert _accepts(ebnf, '{"inputs":[' + item.format("b", "x") + "]}")
    assert _accepts(ebnf, '{"inputs":[' + ",".join(
        [item.format("a", "x"), item.format("b", "y"), item.format("c", "true")]) + "]}")
    assert not _accepts(ebnf, '{"inputs":[' + ",".join(
        [item.format("b", "y"), item.format("a", "x")]) + "]}")
    assert not _accepts(ebnf, '{"inputs":[' + item.format("c", "true") + "]}")
    assert not _accepts(ebnf, '{"inputs":[' + ",".join(
        [item.format("b", "y"), item.format("c", "maybe")]) + "]}")
    assert not _accepts(ebnf, '{"inputs":[' + item.format("b", "{{trigger.current}}") + "]}")


def test_free_named_inputs_take_any_names(catalog: Catalog) -> None:
    ebnf = inputs_grammar([], [], [], catalog)
    assert _accepts(ebnf, '{"inputs":[]}')
    assert _accepts(ebnf, '{"inputs":[{"name":"x","value":"1"},{"name":"y","value":"2"}]}')


TRIGGER = ('{{"inputs":[{{"name":"table","value":"{table}"}},'
           '{{"name":"condition","value":"{query}"}}]}}')


@pytest.mark.parametrize(
    ("table", "query", "ok"),
    [
        ("incident", "priority=1^active=true", True),
        ("incident", "priority<=2^ORassigned_toISEMPTY^NQstateIN1,2", True),
        ("incident", "caller_id.vip=true", True),  # one dot-walk, free value
        ("incident", "short_descriptionLIKEprinter", True),
        ("incident", "", True),
        ("incident", "priority=9", False),  # not a stored value
        ("incident", "active=maybe", False),  # boolean
        ("incident", "colour=red", False),  # no such column
        ("incident", "install_status=6", False),  # a column of another table
        ("alm_hardware", "install_status=6", True),
        ("incident", "priority", False),  # no operator
        ("incident", "priorityISEMPTYx", False),  # unary takes no value
        ("problem", "priority=1", False),  # the table is not a candidate
    ],
)
def test_conditions_use_the_chosen_tables_columns_and_values(
    catalog: Catalog, table: str, query: str, ok: bool
) -> None:
    ebnf = inputs_grammar(trigger_params("record_update", catalog),
                          [{"name": "incident"}, {"name": "alm_hardware"}], [], catalog)
    assert _accepts(ebnf, TRIGGER.format(table=table, query=query)) is ok


LOOKUP = ('{{"inputs":[{{"name":"table","value":"{table}"}},'
          '{{"name":"conditions","value":"active=true"}},{{"name":"sort_column","value":"{column}"}}]}}')


@pytest.mark.parametrize(
    ("table", "column", "ok"),
    [
        ("incident", "sys_created_on", True),  # inherited from task
        ("incident", "caller_id", True),
        ("problem", "known_error", True),
        ("incident", "known_error", False),  # a column of the other candidate
        ("incident", "incident", False),  # a table, not a column
        ("incident", "it_it_it_it", False),
        ("incident", "caller_id.name", False),  # "Order by" takes no dot-walk
    ],
)
def test_order_by_names_a_column_of_the_chosen_table(
    catalog: Catalog, table: str, column: str, ok: bool
) -> None:
    step = OutlineComponent(category="action", definition="look_up_records", scope="global",
                            order=1, annotation="find them")
    ebnf = inputs_grammar(step_params(step, catalog), [{"name": "incident"}, {"name": "problem"}],
                          [], catalog)
    assert _accepts(ebnf, LOOKUP.format(table=table, column=column)) is ok


def test_column_inputs_without_a_chosen_table_take_a_candidates_column(catalog: Catalog) -> None:
    params = [{"name": "approval_field", "type": "column_name", "table_from": "table"}]
    ebnf = inputs_grammar(params, [{"name": "change_request"}], [], catalog)
    item = '{{"inputs":[{{"name":"approval_field","value":"{}"}}]}}'
    assert _accepts(ebnf, item.format("approval"))
    assert not _accepts(ebnf, item.format("change_request"))
    assert _accepts(inputs_grammar(params, [], [], catalog), item.format("anything"))


def test_table_inputs_without_candidates_take_a_catalog_table(catalog: Catalog) -> None:
    step = OutlineComponent(category="action", definition="look_up_records", scope="global",
                            order=1, annotation="find them")
    ebnf = inputs_grammar(step_params(step, catalog), [], [], catalog)
    table = '{{"inputs":[{{"name":"table","value":"{}"}}]}}'
    assert _accepts(ebnf, table.format("sys_user"))
    assert not _accepts(ebnf, table.format("sys_iduser.name=it_it_it"))


def test_free_text_may_hold_json_and_lone_braces(catalog: Catalog) -> None:
    ebnf = inputs_grammar([{"name": "body", "type": "string", "mandatory": True}], [], [],
                          catalog)
    assert _accepts(ebnf, '{"inputs":[{"name":"body","value":"{\\"a\\":[1]} and {b}"}]}')


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("Request Approved", True),  # a notification by name
        ("{{trigger.current}}", True),
        ("ApprovesAnyUstep_1.record}}", False),  # a pill without its opening braces
        ("1970-01-01 00:00:00^notify=1", False),  # a query where a record belongs
        ("", False),  # mandatory
    ],
)
def test_record_inputs_take_a_record_pill_or_a_plain_identifier(
    catalog: Catalog, value: str, ok: bool
) -> None:
    params = [{"name": "record", "type": "reference", "mandatory": True}]
    pills = [{"pill": "{{trigger.current}}", "type": "reference", "table": "incident"}]
    text = _compact({"inputs": [{"name": "record", "value": value}]})
    assert _accepts(inputs_grammar(params, [], pills, catalog), text) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("{{trigger.current.priority}}=1", True),  # flow logic compares pills
        ("{{trigger.current.state}}IN1,2^ORactive=true", True),
        ("{{trigger.current.priority}}=9", False),  # a walk to a choice: stored values only
        ("{{trigger.current.priority}}=high", False),  # the label, not the stored value
        ("{{trigger.current.active}}=maybe", False),  # boolean
        ("{{trigger.current.caller_id.vip}}=true", True),  # walks on through references,
        ("{{trigger.current.caller_id.vip}}=yes", True),  # where the value is free
        ("{{trigger.current.caller_id.colour}}=1", False),
        ("{{trigger.current.short_description.x}}=1", False),  # not a reference
        ("{{trigger.current.priority}}={{trigger.current.urgency}}", True),  # pill vs pill
        ("{{trigger.current.priority}}ISEMPTY", True),
        ("{{trigger.current.short_description}}LIKEprinter", True),  # free column
        ("{{trigger.current.caller_id}}ISNOTEMPTY", True),  # a walk may stop on a record
        ("{{trigger.current.colour}}=red", False),  # no such column
        ("subjectLIKEpayroll", True),  # a field of a table the grammar does not know
        ("payroll", False),  # no operator
        ("{{trigger.current}}", False),
        ("", False),  # mandatory
        ("x=1}}", False),
    ],
)
def test_conditions_without_a_table_are_still_well_formed(
    catalog: Catalog, value: str, ok: bool
) -> None:
    params = [{"name": "condition", "type": "conditions", "mandatory": True}]
    pills = [{"pill": "{{trigger.current}}", "type": "reference", "table": "incident"}]
    text = _compact({"inputs": [{"name": "condition", "value": value}]})
    assert _accepts(inputs_grammar(params, [], pills, catalog), text) is ok


def test_mandatory_text_and_templates_are_never_empty(catalog: Catalog) -> None:
    params = [{"name": "log_message", "type": "string", "mandatory": True},
              {"name": "note", "type": "string", "mandatory": False}]
    ebnf = inputs_grammar(params, [], [], catalog)
    empty = '{"inputs":[{"name":"log_message","value":""}]}'
    assert not _accepts(ebnf, empty)
    assert _accepts(ebnf, '{"inputs":[{"name":"log_message","value":"}"},'
                          '{"name":"note","value":""}]}')
    assert not _accepts(inputs_grammar(
        step_params(_update_step(), catalog), [{"name": "incident"}], [], catalog),
        UPDATE.format(record="abc", values=""))


def test_span_annotations_follow_the_setting() -> None:
    variables = {"requirement": "when a user becomes inactive, log it",
                 "steps": [{"category": "action", "definition": "log", "scope": "global"}],
                 "triggers": [{"type": "record_update"}]}
    answer = ('{"name":"n","trigger":{"type":"record_update","annotation":"%s"},"components":'
              '[{"category":"action","definition":"log","scope":"global","order":1,'
              '"block":null,"annotation":"log it"}]}')
    free = outline_grammar_of(variables, load_settings(env={}))()
    spans = outline_grammar_of(variables, load_settings({"span_annotations": True}, env={}))()
    assert _accepts(free, answer % "becomes enable")
    assert not _accepts(spans, answer % "becomes enable")
    assert _accepts(spans, answer % "when a user becomes inactive")
