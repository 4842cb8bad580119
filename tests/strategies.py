"""Hypothesis strategies shared by the validator and metrics tests.

- `json_values`: any JSON value (null, booleans, numbers, strings, lists, objects), nested.
- `valid_flows()`: random flows that are valid against the demo catalog: a record trigger on
  incident and up to `max_components` steps mixing IF/ELSEIF/ELSE, FOREACH, DOUNTIL with loop
  control, PARALLEL/PATH, TRY/CATCH, flow variables, dot-walked pills and choice values.
- `mutated_flows()`: valid flows with one random part replaced by an arbitrary JSON value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

Draw = Callable[[st.SearchStrategy[Any]], Any]

json_values: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=15,
)
"""Any JSON value (what `json.loads` can return)."""

_STATES = ("1", "2", "3", "6", "7", "8")
_PRIORITIES = ("1", "2", "3", "4", "5")


@dataclass
class _Builder:
    """Emit components in pre-order while tracking which pills are visible where."""

    draw: Draw
    budget: int
    components: list[dict[str, Any]] = field(default_factory=list)
    users: list[str] = field(default_factory=lambda: ["{{trigger.current.caller_id}}"])
    """Pills to sys_user records visible at the current position."""
    variables: list[str] = field(default_factory=list)

    def emit(self, definition: str, inputs: dict[str, str], block: int | None, logic: bool) -> int:
        """Append one component in pre-order and return its order."""
        order = len(self.components) + 1
        comp: dict[str, Any] = {
            "category": "flowlogic" if logic else "action",
            "definition": definition,
            "scope": "global",
            "order": order,
            "annotation": f"{definition.lower()} {order}",
            "inputs": [{"name": k, "value": v} for k, v in inputs.items()],
        }
        if block is not None:
            comp["block"] = block
        self.components.append(comp)
        self.budget -= 1
        return order

    def body(self, block: int | None, depth: int, loop: bool, in_parallel: bool) -> None:
        """Emit 1..3 siblings under `block` (at least one, as bodies must not be empty)."""
        for _ in range(self.draw(st.integers(1, 3))):
            if self.budget <= 0 and self.components and self.components[-1].get("block") == block:
                return
            self.item(block, depth, loop, in_parallel)

    def item(self, block: int | None, depth: int, loop: bool, in_parallel: bool) -> None:
        """Emit one step or block, chosen at random among what is valid here."""
        kinds = ["leaf", "leaf", "leaf"]
        if depth < 3 and self.budget > 3:
            kinds += ["if", "foreach", "dountil", "try"] + ([] if in_parallel else ["parallel"])
        if loop:
            kinds.append("loop_control")
        getattr(self, "_" + self.draw(st.sampled_from(kinds)))(block, depth, loop, in_parallel)

    def _leaf(self, block: int | None, depth: int, loop: bool, in_parallel: bool) -> None:
        """Emit one action or SETFLOWVARIABLES using only visible pills."""
        user = self.draw(st.sampled_from(self.users))
        choice = self.draw(st.integers(0, 4))
        if choice == 0:
            order = self.emit(
                "look_up_record",
                {"table": "sys_user", "conditions": "active=true^vip=true"},
                block,
                False,
            )
            self.users.append(f"{{{{step_{order}.record}}}}")
        elif choice == 1:
            message = f"{user[:-2]}.name}}}} / {{{{trigger.current.number}}}}"
            if self.variables:
                message += " / " + self.draw(st.sampled_from(self.variables))
            self.emit("log", {"log_level": "info", "log_message": message}, block, False)
        elif choice == 2:
            state, priority = (
                self.draw(st.sampled_from(_STATES)),
                self.draw(st.sampled_from(_PRIORITIES)),
            )
            values = f"state={state}^priority={priority}^assigned_to={user[:-2]}.sys_id}}}}"
            self.emit(
                "update_record",
                {"table_name": "incident", "record": "{{trigger.current}}", "values": values},
                block,
                False,
            )
        elif choice == 3:
            self.emit(
                "send_email",
                {
                    "ah_to": f"{user[:-2]}.email}}}}",
                    "ah_subject": "Incident {{trigger.current.number}}",
                },
                block,
                False,
            )
        else:
            name = f"var_{len(self.components) + 1}"
            self.emit("SETFLOWVARIABLES", {name: user}, block, True)
            self.variables.append(f"{{{{flow.{name}}}}}")

    def _if(self, block: int | None, depth: int, loop: bool, in_parallel: bool) -> None:
        """Emit an IF with optional ELSEIF and ELSE siblings."""
        for token in ("IF", "ELSEIF", "ELSE"):
            if token != "IF" and (self.budget <= 1 or not self.draw(st.booleans())):
                return
            inputs = {} if token == "ELSE" else {"condition": self._condition()}
            order = self.emit(token, inputs, block, True)
            self.body(order, depth + 1, loop, in_parallel)
            if token == "ELSE":
                return

    def _condition(self) -> str:
        """Return a flow-logic condition over trigger pills with stored choice values."""
        if self.draw(st.booleans()):
            return f"{{{{trigger.current.priority}}}}={self.draw(st.sampled_from(_PRIORITIES))}"
        states = ",".join(self.draw(st.lists(st.sampled_from(_STATES), min_size=1, max_size=3)))
        return (
            f"{{{{trigger.current.state}}}}IN{states}^OR{{{{trigger.current.caller_id.vip}}}}=true"
        )

    def _foreach(self, block: int | None, depth: int, loop: bool, in_parallel: bool) -> None:
        """Emit a FOREACH over a list pill; its item is visible only inside."""
        if self.draw(st.booleans()):
            found = self.emit(
                "look_up_records",
                {"table": "incident", "conditions": "active=true^priority<=2"},
                block,
                False,
            )
            items, users = f"{{{{step_{found}.records}}}}", "caller_id"
        else:
            items, users = "{{trigger.current.watch_list}}", ""
        order = self.emit("FOREACH", {"items": items}, block, True)
        item = f"{{{{step_{order}.item{'.' + users if users else ''}}}}}"
        self.users.append(item)
        self.body(order, depth + 1, True, in_parallel)
        self.users.remove(item)

    def _dountil(self, block: int | None, depth: int, loop: bool, in_parallel: bool) -> None:
        """Emit a DOUNTIL loop."""
        order = self.emit("DOUNTIL", {"condition": "{{trigger.current.state}}=6"}, block, True)
        self.body(order, depth + 1, True, in_parallel)

    def _loop_control(self, block: int | None, depth: int, loop: bool, in_parallel: bool) -> None:
        """Emit EXITLOOP or SKIPITERATION (only called inside a loop)."""
        self.emit(self.draw(st.sampled_from(["EXITLOOP", "SKIPITERATION"])), {}, block, True)

    def _isolated(
        self, token: str, block: int | None, depth: int, loop: bool, in_parallel: bool
    ) -> None:
        """Emit a PATH/TRY/CATCH whose steps' outputs stay inside it."""
        seen = len(self.users)
        order = self.emit(token, {}, block, True)
        self.body(order, depth + 1, loop, in_parallel)
        del self.users[seen:]

    def _try(self, block: int | None, depth: int, loop: bool, in_parallel: bool) -> None:
        """Emit a TRY and its CATCH."""
        self._isolated("TRY", block, depth, loop, in_parallel)
        self._isolated("CATCH", block, depth, loop, in_parallel)

    def _parallel(self, block: int | None, depth: int, loop: bool, in_parallel: bool) -> None:
        """Emit a PARALLEL with two or three PATHs."""
        order = self.emit("PARALLEL", {}, block, True)
        for _ in range(self.draw(st.integers(2, 3))):
            self._isolated("PATH", order, depth + 1, loop, True)


@st.composite
def valid_flows(draw: Draw, max_components: int = 25) -> dict[str, Any]:
    """Draw a full flow that is valid against the demo catalog."""
    builder = _Builder(draw, draw(st.integers(1, max_components)))
    builder.body(None, 0, False, False)
    while builder.budget > 0:
        builder.item(None, 0, False, False)
    trigger = draw(st.sampled_from(["record_create", "record_update", "record_create_or_update"]))
    return {
        "name": "generated flow",
        "trigger": {
            "type": trigger,
            "inputs": [
                {"name": "table", "value": "incident"},
                {"name": "condition", "value": "active=true"},
            ],
        },
        "components": builder.components,
    }


@st.composite
def mutated_flows(draw: Draw) -> Any:
    """Draw a valid flow with one object member or list element replaced by any JSON value."""
    flow = draw(valid_flows(max_components=8))
    node: Any = flow
    for _ in range(draw(st.integers(0, 5))):
        if isinstance(node, dict) and node:
            key = draw(st.sampled_from(sorted(node)))
        elif isinstance(node, list) and node:
            key = draw(st.integers(0, len(node) - 1))
        else:
            break
        if not isinstance(node[key], dict | list) or draw(st.booleans()):
            node[key] = draw(json_values)
            return flow
        node = node[key]
    return draw(json_values) if node is flow else flow
