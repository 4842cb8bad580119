"""Flow-logic composites (IF, FOREACH, PARALLEL, TRY, DOUNTIL, …) and the body sampler.

A body is a run of segments; composites recurse into bodies up to `MAX_DEPTH` levels of flow
logic. Pills created inside a block never leak out of it (the scope rules of flow-format §3),
because each body works on its own copy of the records in scope.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from training.catalog_view import USER_TABLE, Condition, choice_phrase, noun
from training.nodes import Focus, Node, Seg
from training.phrasing import plural
from training.steps import StepBuilder

MAX_DEPTH = 3
"""Deepest nesting of flow-logic blocks the sampler produces."""


@dataclass
class Scope:
    """What a body can refer to: the record in focus, other records, loop and depth."""

    focus: Focus | None
    others: list[Focus] = field(default_factory=list)
    in_loop: bool = False
    in_parallel: bool = False
    depth: int = 0

    def inner(
        self, focus: Focus | None = None, loop: bool | None = None, parallel: bool = False
    ) -> Scope:
        """Return the scope of a nested body."""
        new_focus = focus or self.focus
        others = [f for f in [self.focus, *self.others] if f is not None and f != new_focus]
        return replace(
            self,
            focus=new_focus,
            others=others,
            depth=self.depth + 1,
            in_loop=self.in_loop if loop is None else loop,
            in_parallel=self.in_parallel or parallel,
        )


class LogicBuilder(StepBuilder):
    """Adds flow logic and body sampling on top of the leaf steps."""

    def condition(self, table: str, multi: float = 0.2) -> Condition | None:
        """Sample a condition, sometimes two joined with AND."""
        first = self.view.sample_condition(self.rng, table, self.pick)
        if first is None or self.rng.random() >= multi:
            return first
        second = self.view.sample_condition(self.rng, table, self.pick)
        if second is None or second.column == first.column:
            return first
        self.features.add("multiple_conditions")
        return Condition(
            f"{first.query}^{second.query}", f"{first.text} and {second.text}", first.column
        )

    def leaf(self, scope: Scope) -> Seg:
        """Return one leaf step that fits the scope (log as the always-possible fallback)."""
        f, others = scope.focus, scope.others
        options: list[Callable[[], Seg | None]] = [
            lambda: self.create(f),
            self.create_task,
            self.log,
        ]
        if self.rng.random() < 0.3:
            options.append(self.bulk)
        if self.rng.random() < 0.45:
            options += [lambda: self.spoke(self.view.spokes, f)] * 2
        if f is not None:
            options += [lambda: self.set_choice(f)] * 4 + [lambda: self.work_note(f)] * 2
            options += [lambda: self.assign_user(f, others)] * 2 + [
                lambda: self.email(f, others)
            ] * 2
            options += [
                lambda: self.notify(f),
                lambda: self.approval(f, others),
                lambda: self.delete(f),
                lambda: self.sms(f, others),
            ]
            if self.rng.random() < 0.4:
                options.append(lambda: self.set_variable(f))
        self.rng.shuffle(options)
        for option in options:
            seg = option()
            if seg is not None:
                return seg
        return self.log()

    def bulk(self) -> Seg | None:
        """Update every record matching a condition in one step (update_multiple_records)."""
        table = self.view.pick_table(self.rng)
        cond = self.condition(table.name, multi=0.1)
        if cond is None or not self.view.choice_columns(table.name):
            return None
        col = self.view.pick_choice_column(self.rng, table.name)
        choice = self.rng.choice(col.choices)
        setting = self.pick("set.choice", col=col.label.lower(), val=choice_phrase(choice.label))
        words = {"noun": noun(table), "nouns": plural(noun(table)), "cond": cond.text}
        text = self.pick("bulk", set=setting, **words)
        inputs = [
            ("table_name", table.name),
            ("conditions", cond.query),
            ("field_values", f"{col.name}={choice.value}"),
        ]
        return self.action("update_multiple_records", text, inputs)

    def body(self, scope: Scope, size: int) -> list[Seg]:
        """Return `size` segments for a body (composites only while depth allows)."""
        segs: list[Seg] = []
        for _ in range(size):
            seg = None
            if scope.depth < MAX_DEPTH and self.rng.random() < (0.35 if scope.depth == 0 else 0.15):
                seg = self.composite(scope)
            segs.append(seg or self.leaf(scope))
        return segs

    def composite(self, scope: Scope) -> Seg | None:
        """Return one flow-logic composite that fits the scope, or None."""
        kinds = ["foreach", "foreach", "trycatch", "wait"]
        if not scope.in_parallel:
            kinds += ["parallel"]
        if scope.focus is not None:
            kinds += ["if", "if", "if", "dountil", "waitcond"]
        if scope.in_loop and scope.focus is not None:
            kinds += ["loopctl"]
        builder = getattr(self, "_" + self.rng.choice(kinds))
        result: Seg | None = builder(scope)
        return result

    def head(self, slot: str, body_key: str = "body", **slots: str) -> tuple[str, str]:
        """Fill a block template; return (full text, head phrase for the block's annotation)."""
        return self.head_fn(slot, body_key, **slots)

    def join(self, segs: list[Seg]) -> str:
        """Join segment phrases the way people chain steps."""
        text = segs[0].text
        for seg in segs[1:]:
            text += self.pick("join.then") + seg.text
        return text

    def _if(self, scope: Scope) -> Seg | None:
        assert scope.focus is not None
        cond = self.condition(scope.focus.table)
        if cond is None:
            return None
        inner = scope.inner()
        body = self.body(inner, self.rng.choice([1, 1, 2]))
        text, head = self.head("if", cond=cond.text, body=self.join(body))
        nodes = [
            Node(
                "flowlogic",
                "IF",
                head,
                [("condition", over_pill(cond.query, scope.focus))],
                _flat(body),
            )
        ]
        self.features.add("ifelse")
        if self.rng.random() < 0.2:
            alt = self.condition(scope.focus.table, multi=0)
            if alt is not None and alt.query != cond.query:
                branch = self.body(inner, 1)
                part, head = self.head("elseif", cond=alt.text, body=self.join(branch))
                nodes.append(
                    Node(
                        "flowlogic",
                        "ELSEIF",
                        head,
                        [("condition", over_pill(alt.query, scope.focus))],
                        _flat(branch),
                    )
                )
                text += ", " + part
        if self.rng.random() < 0.45:
            branch = self.body(inner, 1)
            part, head = self.head("else", body=self.join(branch))
            nodes.append(Node("flowlogic", "ELSE", head, [], _flat(branch)))
            text += ", " + part
        return Seg(nodes, text)

    def _foreach(self, scope: Scope) -> Seg | None:
        table = self.view.pick_table(self.rng)
        related = self.view.related_tables(scope.focus.table) if scope.focus else []
        if related and self.rng.random() < 0.5:
            # Loops over the records of the one in focus are the commonest loops admins ask
            # for, and a state word is how they say them ("their open incidents").
            table = self.rng.choice(related)
            cond = self._stated_condition(table.name)
        else:
            cond = self.condition(table.name)
        if cond is None:
            return None
        query, cond_text = self._related(scope, table.name, cond)
        linked = query != cond.query
        look = Node("action", "look_up_records", "", [("table", table.name), ("conditions", query)])
        loop = Node("flowlogic", "FOREACH", "", [("items", look.pill("records"))])
        item = Focus(loop.pill("item"), table.name, noun(table))
        body = self.body(scope.inner(item, loop=True), self.rng.choice([1, 1, 1, 2]))
        loop.children = _flat(body)
        words = {"noun": noun(table), "nouns": plural(noun(table)), "cond": cond_text}
        self.features.update({"foreach", "pills"})
        if len(body) <= 2 and self.rng.random() < 0.6:
            self.features.add("implicit")
            owner = scope.focus if linked else None
            text, look.text = self._implicit_loop(body, cond, owner, words)
            loop.text = look.text
            return Seg([look, loop], text)
        self.features.add("explicit")
        look.text = self.pick("lookup.many", **words)
        text, loop.text = self.head("loop.explicit", noun=noun(table), body=self.join(body))
        return Seg([look, loop], f"{look.text}{self.pick('join.then')}{text}")

    def _stated_condition(self, table: str) -> Condition | None:
        """Sample a condition, preferring one that reads as a state word (a few tries)."""
        cond = None
        for _ in range(3):
            cond = self.condition(table, multi=0)
            if cond is not None and cond.state:
                return cond
        return cond

    def _implicit_loop(
        self, body: list[Seg], cond: Condition, owner: Focus | None, words: dict[str, str]
    ) -> tuple[str, str]:
        """Say a loop without naming the lookup: "close every incident whose …" or, for the
        records of the one in focus, "for their open incidents, …"; return (text, head)."""
        if owner is not None and cond.state and len(body) == 1 and self.rng.random() < 0.6:
            inline = _owned_object(body[0], owner, cond.state, words, self.rng)
            if inline is not None:
                return inline
        said = " and ".join(seg.text for seg in body)
        if owner is None or self.rng.random() >= 0.8:
            return self.head("loop.implicit", body=said, **words)
        words = {
            **words,
            **_owner(owner, self.rng.random() < 0.7),
            "state": cond.state,
            "cond": cond.text,
        }
        slot = "loop.possessive" if cond.state else "loop.possessive_cond"
        return self.head(slot, body=said, **words)

    def _related(self, scope: Scope, table: str, cond: Condition) -> tuple[str, str]:
        """Tie a lookup to the record in focus when a reference column allows it."""
        if scope.focus is None:
            return cond.query, cond.text
        links = self.view.ref_columns(table, scope.focus.table)
        if not links or self.rng.random() < 0.3:
            return cond.query, cond.text
        link = self.rng.choice(links)
        query = f"{link.name}={scope.focus.walk('sys_id')}^{cond.query}"
        related = self.pick(
            "related", cond=cond.text, link=link.label.lower(), noun=scope.focus.noun
        )
        return query, related

    def _parallel(self, scope: Scope) -> Seg | None:
        paths = [
            self.body(scope.inner(parallel=True), 1) for _ in range(self.rng.choice([2, 2, 3]))
        ]
        texts = [self.join(p) for p in paths]
        numbered = self.rng.random() < 0.6
        listed = (
            " ".join(f"{i}) {t}" for i, t in enumerate(texts, 1)) if numbered else ", ".join(texts)
        )
        text, head = self.head("parallel", body_key="paths", paths=listed)
        labels = [f"{i})" for i in range(1, len(texts) + 1)] if numbered else texts
        kids = [
            Node("flowlogic", "PATH", t, [], _flat(p)) for t, p in zip(labels, paths, strict=True)
        ]
        self.features.add("parallel")
        return Seg([Node("flowlogic", "PARALLEL", head, [], kids)], text)

    def _trycatch(self, scope: Scope) -> Seg | None:
        attempt = self.body(scope.inner(), 1)
        rescue = [self.log()] if self.rng.random() < 0.6 else self.body(scope.inner(), 1)
        if self.rng.random() < 0.25:
            rescue.append(self.end_flow())
        first, try_head = self.head("try", body=self.join(attempt))
        second, catch_head = self.head("catch", body=self.join(rescue))
        self.features.add("trycatch")
        nodes = [
            Node("flowlogic", "TRY", try_head, [], _flat(attempt)),
            Node("flowlogic", "CATCH", catch_head, [], _flat(rescue)),
        ]
        return Seg(nodes, f"{first} {second}")

    def _dountil(self, scope: Scope) -> Seg | None:
        assert scope.focus is not None
        cond = self.condition(scope.focus.table, multi=0)
        if cond is None:
            return None
        body = self.body(scope.inner(loop=True), 1)
        text, head = self.head(
            "dountil", body=self.join(body), noun=scope.focus.noun, cond=_as_state(cond.text)
        )
        self.features.add("dountil")
        return Seg(
            [
                Node(
                    "flowlogic",
                    "DOUNTIL",
                    head,
                    [("condition", over_pill(cond.query, scope.focus))],
                    _flat(body),
                )
            ],
            text,
        )

    def _wait(self, scope: Scope) -> Seg | None:
        n, unit = self.rng.choice(
            [(1, "hour"), (2, "hours"), (30, "minutes"), (1, "day"), (3, "days")]
        )
        seconds = (
            n * {"hour": 3600, "hours": 3600, "minutes": 60, "day": 86400, "days": 86400}[unit]
        )
        text = self.pick("wait.duration", n=str(n), unit=unit)
        inputs = [("duration_type", "explicit_duration"), ("duration", duration_value(seconds))]
        return Seg([Node("flowlogic", "WAITFORADURATION", text, inputs)], text)

    def _waitcond(self, scope: Scope) -> Seg | None:
        assert scope.focus is not None
        cond = self.condition(scope.focus.table, multi=0)
        if cond is None:
            return None
        text = self.pick("wait.cond", noun=scope.focus.noun, cond=_as_state(cond.text))
        inputs = [
            ("record", scope.focus.pill),
            ("conditions", cond.query),
            ("table_name", scope.focus.table),
        ]
        return self.action("wait_for_condition", text, inputs)

    def _loopctl(self, scope: Scope) -> Seg | None:
        assert scope.focus is not None
        cond = self.condition(scope.focus.table, multi=0)
        if cond is None:
            return None
        token, slot = self.rng.choice([("SKIPITERATION", "skip"), ("EXITLOOP", "exit")])
        inner_text = self.pick(slot)
        text, head = self.head("if", cond=cond.text, body=inner_text)
        self.features.add("ifelse")
        kid = Node("flowlogic", token, inner_text)
        return Seg(
            [
                Node(
                    "flowlogic",
                    "IF",
                    head,
                    [("condition", over_pill(cond.query, scope.focus))],
                    [kid],
                )
            ],
            text,
        )


def over_pill(query: str, focus: Focus) -> str:
    """Rewrite a table condition as a flow-logic condition comparing pills of `focus`."""
    terms = [re.sub(r"^[a-z0-9_]+", lambda m: focus.walk(m.group(0)), t) for t in query.split("^")]
    return "^".join(terms)


def duration_value(seconds: int) -> str:
    """Return a glide duration ('1970-01-01 HH:MM:SS', days added to the date)."""
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    return f"1970-01-{1 + days:02d} {hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


def _owned_object(
    seg: Seg, owner: Focus, state: str, words: dict[str, str], rng: random.Random
) -> tuple[str, str] | None:
    """Put the owned records in place of the step's object: "reassign it to their manager"
    becomes "reassign their open incidents to their manager" (the loop is implied).

    A step that names no object ("it", "the incident") gets the records after it instead:
    "set the state to closed on their resolved incidents". Returns (text, head) with the step's
    annotation rewritten to match, or None when the body is not one plain step.
    """
    leaf = seg.nodes[0] if len(seg.nodes) == 1 else None
    if leaf is None or leaf.children or leaf.text != seg.text:
        return None
    phrase = f"{_owner(owner, rng.random() < 0.7)['owner']} {state} {words['nouns']}"
    obj = re.compile(rf"\b(?:it|(?:the|that) {re.escape(words['noun'])})\b(?! record)")
    if obj.search(seg.text):
        leaf.text = obj.sub(phrase, seg.text, count=1)
    else:
        leaf.text = f"{seg.text} {'on' if leaf.definition == 'update_record' else 'for'} {phrase}"
    return leaf.text, phrase


def _owner(focus: Focus, pronoun: bool) -> dict[str, str]:
    """Say the record in focus as an owner: "their"/"them" for a user, "its"/"it" otherwise."""
    if not pronoun:
        return {"owner": f"the {focus.noun}'s", "owner_obj": f"the {focus.noun}"}
    if focus.table == USER_TABLE:
        return {"owner": "their", "owner_obj": "them"}
    return {"owner": "its", "owner_obj": "it"}


def _flat(segs: list[Seg]) -> list[Node]:
    return [n for s in segs for n in s.nodes]


def _as_state(cond_text: str) -> str:
    """Turn 'the state is closed' into 'state is closed' for 'wait until the X …' phrases."""
    return cond_text.removeprefix("the ").removeprefix("its ").removeprefix("it ")
