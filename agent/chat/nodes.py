"""Nodes and routers of the chat graph (wired in `chat_graph.py`).

One graph run handles one user input: a command, the first message (generate a flow with the
generator), or a later message (edit rounds: propose → apply, repeated while the edit left new
errors and repairs remain). The result of a message is always a pending proposal.
"""

from __future__ import annotations

import contextvars
from typing import Any, Final, Literal

from langgraph.runtime import Runtime

from agent.api import generate
from agent.chat.apply import EditNote, apply_ops
from agent.chat.commands import is_command, run_command
from agent.chat.edit import check, new_errors, propose, refill
from agent.chat.ops import EditPlan
from agent.chat.tree import default_ids
from agent.chat.versions import ChatState, Version, current_version, diff_versions, edit_base
from agent.context import Context
from agent.nodes.common import RUN_ERRORS
from agent.settings import ROLES
from schemas.flow import Flow
from schemas.issues import Issue, has_errors
from schemas.result import Status

COMMAND: Final = "command"
GENERATE: Final = "generate"
PROPOSE: Final = "propose"
APPLY: Final = "apply"
FINISH: Final = "finish"


def route_input(state: ChatState) -> Literal["command", "generate", "propose"]:
    """Send a command to `command`, the first message to `generate`, others to `propose`."""
    text = (state.get("input") or "").strip()
    if not text or is_command(text):
        return COMMAND
    return PROPOSE if edit_base(state) is not None else GENERATE


def command(state: ChatState) -> dict[str, Any]:
    """Carry out a slash command (or answer an empty input with the help hint)."""
    text = (state.get("input") or "").strip()
    if not text:
        return {"reply": "say what the flow should do, or /help"}
    return run_command(state, text)


def generate_first(state: ChatState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Generate the first flow of the conversation with the generator graph."""
    ctx, message = runtime.context, state["input"].strip()
    try:
        for role in ROLES:  # built once here, shared with the generator and later edits
            ctx.get_model(role)
        # A fresh contextvars context keeps the generator run from inheriting this graph's
        # config (and so its checkpointer and thread): it is a separate, complete run whose
        # intermediate state does not belong in the conversation's checkpoints.
        result = contextvars.Context().run(
            generate,
            message,
            settings=ctx.settings,
            catalog=ctx.get_catalog(),
            retriever=ctx.get_retriever(),
            models=ctx.models,
        )
    except RUN_ERRORS as exc:
        return {"reply": f"could not generate a flow: {exc}"}
    if result.flow is None:
        return {"reply": f"could not generate a flow: {result.reason or result.status}"}
    flow = Flow.model_validate(result.flow)
    proposal = Version(
        number=0,
        flow=result.flow,
        ids=default_ids(flow),
        message=message,
        status=result.status,
        issues=result.issues,
    )
    return {"pending": proposal.model_dump(mode="json"), "reply": _proposal_reply(state, proposal)}


def propose_edit(state: ChatState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Ask the model for the edit operations of this round.

    A repair round shows the model the errors the edit introduced, or why its previous answer
    could not be used (not JSON, wrong shape), as the generator's repair loop does.
    """
    working = _working(state)
    rounds = state.get("rounds") or 0
    repair = [Issue.model_validate(i) for i in state.get("output_issues") or []]
    base = edit_base(state)
    if rounds and base is not None and not repair:
        repair = new_errors(base.issues, base.ids, working.issues, working.ids)
    try:
        outcome = propose(runtime.context, state["input"].strip(), working.as_flow(), repair)
    except RUN_ERRORS as exc:
        note = f"could not edit the flow: {exc}"
        failed = working.model_copy(update={"notes": [*working.notes, note]})
        return {"plan": None, "reply": note, "working": failed.model_dump(mode="json")}
    plan = outcome.value or EditPlan(reply="the edit could not be understood", ops=[])
    notes = [f"model output unusable: {i.message}" for i in outcome.issues]
    started = working.model_copy(update={"notes": working.notes + notes})
    return {
        "plan": plan.model_dump(mode="json"),
        "output_issues": [i.model_dump(mode="json") for i in outcome.issues],
        "working": started.model_dump(mode="json"),
        "rounds": rounds + 1,
    }


def apply_edit(state: ChatState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Apply the plan, validate, and re-fill the touched steps."""
    ctx, working = runtime.context, _working(state)
    plan = EditPlan.model_validate(state.get("plan") or {})
    prefix = f"t{len(state.get('versions') or [])}r{state.get('rounds') or 0}"
    edit = apply_ops(working.as_flow(), plan.ops, working.ids, prefix)
    catalog = ctx.get_catalog()
    try:
        flow, fill_problems = refill(ctx, state["input"].strip(), edit, check(edit.flow, catalog))
    except RUN_ERRORS as exc:
        flow, fill_problems = edit.flow, []
        edit.notes.append(EditNote("fill_failed", f"could not fill the changed steps: {exc}"))
    issues = check(flow, catalog)
    notes = working.notes + [n.message for n in edit.notes] + [i.message for i in fill_problems]
    updated = working.model_copy(
        update={
            "flow": flow.model_dump(mode="json", exclude_none=True),
            "ids": edit.ids,
            "issues": issues,
            "status": _status(flow, issues),
            "notes": notes,
            "reply": " ".join(filter(None, [working.reply, plan.reply])),
        }
    )
    return {"working": updated.model_dump(mode="json")}


def route_after_apply(state: ChatState, runtime: Runtime[Context]) -> Literal["propose", "finish"]:
    """Repair while the edit introduced errors and rounds remain; else finish."""
    base = edit_base(state)
    working = _working(state)
    if base is None or (state.get("rounds") or 0) > runtime.context.settings.max_repairs:
        return FINISH
    fresh = new_errors(base.issues, base.ids, working.issues, working.ids)
    return PROPOSE if fresh else FINISH


def route_after_propose(
    state: ChatState, runtime: Runtime[Context]
) -> Literal["propose", "apply", "finish"]:
    """Ask again after unusable output while rounds remain; stop if the call failed."""
    if state.get("plan") is None:
        return FINISH
    retry = (state.get("rounds") or 0) <= runtime.context.settings.max_repairs
    return PROPOSE if state.get("output_issues") and retry else APPLY


def finish(state: ChatState) -> dict[str, Any]:
    """Turn the working copy into the pending proposal and say what changed."""
    done: dict[str, Any] = {"working": None, "plan": None, "rounds": 0, "output_issues": []}
    if state.get("plan") is None and not state.get("rounds"):
        return done  # the first model call failed: the reply already says why
    working = _working(state)
    base = edit_base(state)
    if base is not None and base.number > 0 and working.flow == base.flow:
        return {
            **done,
            "reply": "\n".join(filter(None, [working.reply, "no changes", *working.notes])),
        }
    reply = _proposal_reply(state, working)
    return {**done, "pending": working.model_dump(mode="json"), "reply": reply}


def _working(state: ChatState) -> Version:
    """Return this turn's working copy, starting it from the edit base on the first round."""
    if state.get("working"):
        return Version.model_validate(state["working"])
    base = edit_base(state)
    assert base is not None, "route_input sends edits only when a flow exists"
    current = state.get("current") or 0
    # An edit of a pending proposal keeps its message history, so /history reads as one change.
    message = state["input"].strip()
    if base.number == 0:
        message = f"{base.message} + {message}"
    return base.model_copy(
        update={"number": 0, "message": message, "parent": current, "notes": [], "reply": ""}
    )


def _status(flow: Flow, issues: list[Issue]) -> Status:
    if has_errors(issues):
        return "invalid_after_repairs"
    if any(c.category == "placeholder" for c in flow.components):
        return "valid_with_placeholders"
    return "valid"


def _proposal_reply(state: ChatState, proposal: Version) -> str:
    lines = [proposal.reply] if proposal.reply else []
    lines += [f"note: {n}" for n in proposal.notes]
    lines.append(diff_versions(current_version(state), proposal))
    errors = [i for i in proposal.issues if i.is_error]
    lines.append(f"status: {proposal.status}" + (f" ({len(errors)} errors)" if errors else ""))
    lines.append("/accept to keep it, /reject to drop it, or keep editing")
    return "\n".join(lines)
