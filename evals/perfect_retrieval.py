"""Perfect retrieval: a retriever that puts the reference flow's items first.

Wrapping the real retriever this way separates retrieval errors from model errors, as the
research did: with the gold steps, tables, columns and choice values always among the top
candidates, whatever FlowSim is still lost is the model's. The wrapped retriever still fills
the rest of each list, so the model keeps seeing plausible distractors.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from schemas.catalog import Catalog, Param
from schemas.flow import Component, Flow, FlowInput
from tools.retriever import (
    ChoiceHit,
    ColumnHit,
    Retriever,
    StepCategory,
    StepHit,
    TableHit,
    TableSchema,
    TriggerHit,
    clamp_k,
)
from validator.query import QueryError, parse_query, parse_template

_QUERY_TYPES = frozenset({"conditions"})
_TEMPLATE_TYPES = frozenset({"template_value"})


@dataclass
class GoldItems:
    """What the reference flow uses, in first-use order."""

    steps: list[StepHit] = field(default_factory=list)
    trigger: str | None = None
    tables: list[str] = field(default_factory=list)
    columns: dict[str, list[str]] = field(default_factory=dict)
    choices: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def add_table(self, name: str) -> None:
        """Record a table (once)."""
        if name and name not in self.tables:
            self.tables.append(name)

    def add_column(self, table: str, column: str) -> None:
        """Record a column of `table` (once), and the table itself."""
        self.add_table(table)
        cols = self.columns.setdefault(table, [])
        if column not in cols:
            cols.append(column)


def gold_items(flow: Flow, catalog: Catalog) -> GoldItems:
    """Collect the steps, trigger, tables, columns and choice values a reference flow uses."""
    gold = GoldItems()
    if flow.trigger is not None:
        gold.trigger = flow.trigger.type
        trig = catalog.trigger(flow.trigger.type)
        _collect_inputs(gold, flow.trigger.inputs, trig.inputs if trig else (), catalog)
    for comp in flow.components:
        hit = _step_hit(comp, catalog)
        if hit is not None and all(h.definition != hit.definition for h in gold.steps):
            gold.steps.append(hit)
        _collect_inputs(gold, comp.inputs, _params_of(comp, catalog), catalog)
    return gold


def _params_of(comp: Component, catalog: Catalog) -> tuple[Param, ...]:
    if comp.category == "flowlogic":
        logic = catalog.logic(comp.definition)
        return logic.inputs if logic else ()
    action = catalog.action(comp.definition, comp.scope)
    return action.inputs if action else ()


def _step_hit(comp: Component, catalog: Catalog) -> StepHit | None:
    if comp.category == "placeholder":
        return None
    category: StepCategory = comp.category
    label, description = comp.definition, ""
    if comp.category == "flowlogic":
        logic = catalog.logic(comp.definition)
        if logic is not None:
            label, description = logic.label, logic.description
    else:
        action = catalog.action(comp.definition, comp.scope)
        if action is not None:
            label, description = action.label, action.description
    return StepHit(category, comp.definition, comp.scope, label, description, 0.0)


def _collect_inputs(
    gold: GoldItems, inputs: list[FlowInput], params: tuple[Param, ...], catalog: Catalog
) -> None:
    values = {i.name: i.value for i in inputs}
    for param in params:
        value = values.get(param.name)
        if value is None:
            continue
        if param.type == "table_name" and "{{" not in value:
            gold.add_table(value)
        elif param.type in _QUERY_TYPES or param.type in _TEMPLATE_TYPES:
            table = param.reference or (values.get(param.table_from) if param.table_from else None)
            if table and "{{" not in table:
                _collect_fields(gold, table, value, param.type in _QUERY_TYPES, catalog)


def _collect_fields(
    gold: GoldItems, table: str, text: str, is_query: bool, catalog: Catalog
) -> None:
    try:
        pairs = (
            [(t.field, t.value) for t in parse_query(text).terms]
            if is_query
            else parse_template(text)
        )
    except QueryError:
        return  # a reference flow validates, so this only guards against user datasets
    for field_path, value in pairs:
        owner = _walk(gold, table, field_path, catalog)
        leaf = field_path.rsplit(".", 1)[-1]
        column = catalog.column(owner, leaf) if owner else None
        if column is None or not column.choices:
            continue
        for part in value.split(","):
            if part in column.choice_values():
                vals = gold.choices.setdefault((owner or table, leaf), [])
                if part not in vals:
                    vals.append(part)


def _walk(gold: GoldItems, table: str, field_path: str, catalog: Catalog) -> str | None:
    """Record every column along a dot-walk and return the table that owns the last one."""
    current: str | None = table
    segments = field_path.split(".")
    for i, seg in enumerate(segments):
        if current is None:
            return None
        gold.add_column(current, seg)
        if i == len(segments) - 1:
            return current
        column = catalog.column(current, seg)
        current = column.reference if column is not None else None
    return current


class PerfectRetriever:
    """A `tools.retriever.Retriever` whose answers start with the reference flow's items."""

    def __init__(self, inner: Retriever, gold: Flow, catalog: Catalog) -> None:
        """Wrap `inner`, injecting what `gold` uses (looked up in `catalog`)."""
        self._inner = inner
        self._catalog = catalog
        self.gold = gold_items(gold, catalog)

    def search_steps(
        self, query: str, k: int = 10, kinds: frozenset[StepCategory] | None = None
    ) -> list[StepHit]:
        """Return the gold steps (of the requested kinds) first, then the real hits."""
        hits = self._inner.search_steps(query, k, kinds)
        gold = [h for h in self.gold.steps if kinds is None or h.category in kinds]
        top = _top_score([h.score for h in hits], len(gold))
        front = [_rescore(h, top - i) for i, h in enumerate(gold)]
        seen = {(h.definition, h.scope) for h in front}
        rest = [h for h in hits if (h.definition, h.scope) not in seen]
        return front + rest[: max(0, clamp_k(k) - len(front))]

    def search_tables(self, query: str, k: int = 10) -> list[TableHit]:
        """Return the gold tables first, then the real hits."""
        hits = self._inner.search_tables(query, k)
        top = _top_score([h.score for h in hits], len(self.gold.tables))
        front = []
        for i, name in enumerate(self.gold.tables):
            table = self._catalog.table(name)
            if table is not None:
                front.append(TableHit(name, table.label, table.parent, table.description, top - i))
        rest = [h for h in hits if h.name not in self.gold.tables]
        return front + rest[: max(0, clamp_k(k) - len(front))]

    def search_columns(self, query: str, table: str | None = None, k: int = 10) -> list[ColumnHit]:
        """Return the gold columns of `table` (of every gold table if None) first."""
        hits = self._inner.search_columns(query, table, k)
        wanted = [
            (t, c)
            for t, cols in self.gold.columns.items()
            if table is None or t == table
            for c in cols
        ]
        top = _top_score([h.score for h in hits], len(wanted))
        front = []
        for i, (tname, cname) in enumerate(wanted):
            col = self._catalog.column(tname, cname)
            if col is not None:
                owner = next(
                    (t.name for t in self._catalog.lineage(tname) if col in t.columns), tname
                )
                front.append(
                    ColumnHit(tname, cname, col.label, col.type, col.reference, owner, top - i)
                )
        seen = {(h.table, h.column) for h in front}
        rest = [h for h in hits if (h.table, h.column) not in seen]
        return front + rest[: max(0, clamp_k(k) - len(front))]

    def get_table_schema(self, table: str) -> TableSchema | None:
        """Return the table's schema from the wrapped retriever."""
        return self._inner.get_table_schema(table)

    def search_choices(self, table: str, column: str, query: str, k: int = 10) -> list[ChoiceHit]:
        """Return the gold choice values of `table.column` first, then the real hits."""
        hits = self._inner.search_choices(table, column, query, k)
        values = self.gold.choices.get((table, column), [])
        col = self._catalog.column(table, column)
        labels = {c.value: c.label for c in col.choices} if col else {}
        top = _top_score([h.score for h in hits], len(values))
        front = [
            ChoiceHit(table, column, v, labels.get(v, v), top - i) for i, v in enumerate(values)
        ]
        rest = [h for h in hits if h.value not in values]
        return front + rest[: max(0, clamp_k(k) - len(front))]

    def search_triggers(self, query: str, k: int = 5) -> list[TriggerHit]:
        """Return the gold trigger first, then the real hits."""
        hits = self._inner.search_triggers(query, k)
        trig = self._catalog.trigger(self.gold.trigger) if self.gold.trigger else None
        if trig is None:
            return hits
        top = _top_score([h.score for h in hits], 1)
        front = TriggerHit(trig.type, trig.label, trig.description, trig.record_based, top)
        rest = [h for h in hits if h.type != trig.type]
        return [front, *rest[: max(0, clamp_k(k) - 1)]]

    def close(self) -> None:
        """Close the wrapped retriever."""
        self._inner.close()


def _top_score(scores: list[float], n_front: int) -> float:
    """Return a score above every real hit, leaving room for `n_front` descending gold scores."""
    return (max(scores) if scores else 0.0) + n_front + 1.0


def _rescore(hit: StepHit, score: float) -> StepHit:
    return StepHit(hit.category, hit.definition, hit.scope, hit.label, hit.description, score)
