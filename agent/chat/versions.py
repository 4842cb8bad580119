"""Versions of one conversation's flow: the committed history, the pending proposal, undo.

The chat state holds plain JSON (dicts and lists) so any checkpointer can store it; this module
is the typed view over it. Rules (documented in docs/chat.md):

- Every change is first a *proposal* (`pending`); ``/accept`` commits it as the next version.
- A new message while a proposal is pending edits the proposal (it stays pending, now with
  both changes); ``/reject`` drops it.
- ``/undo [N]`` never deletes history: it commits a new version whose flow is a copy of version
  N (default: the one before the current), so an undo can itself be undone.
"""

from __future__ import annotations

from typing import Any, TypedDict

from pydantic import BaseModel, ConfigDict, Field

from agent.chat.diff import diff_flows
from schemas.flow import Flow
from schemas.issues import Issue
from schemas.result import Status


class ChatError(ValueError):
    """A chat command that cannot be carried out (unknown version, nothing to accept…)."""


class Version(BaseModel):
    """One state of the flow: what it is, why it exists, and how good it is."""

    model_config = ConfigDict(extra="forbid")

    number: int = Field(description="1-based version number; 0 for a proposal not yet accepted.")
    flow: dict[str, Any]
    ids: list[str] = Field(description="Stable step ids, parallel to the components by order.")
    message: str = Field(description="The user message (or command) that produced it.")
    reply: str = ""
    status: Status = "valid"
    issues: list[Issue] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list, description="Skipped ops, dropped inputs.")
    parent: int = Field(default=0, description="Version it was made from (0: none).")

    def as_flow(self) -> Flow:
        """Return the flow as the typed model."""
        return Flow.model_validate(self.flow)


class ChatState(TypedDict, total=False):
    """The conversation state LangGraph checkpoints per thread (plain JSON values)."""

    input: str
    """The latest user message or command."""
    reply: str
    """What the assistant answers to `input`."""
    versions: list[dict[str, Any]]
    """Committed versions (`Version` dumps), version n at index n-1."""
    current: int
    """Number of the current committed version (0: none yet)."""
    pending: dict[str, Any] | None
    """The proposal awaiting /accept (a `Version` dump), or None."""
    working: dict[str, Any] | None
    """The proposal being built during an edit turn (internal to one turn)."""
    plan: dict[str, Any] | None
    """The edit plan of the current round (internal to one turn)."""
    rounds: int
    """Edit rounds spent in the current turn (the first proposal plus repairs)."""
    output_issues: list[dict[str, Any]]
    """Why the model's last edit answer could not be used (shown to it in the next round)."""


def versions_of(state: ChatState) -> list[Version]:
    """Return the committed versions."""
    return [Version.model_validate(v) for v in state.get("versions") or []]


def current_version(state: ChatState) -> Version | None:
    """Return the current committed version, or None before the first accept."""
    number = state.get("current") or 0
    return get_version(state, number) if number else None


def pending_version(state: ChatState) -> Version | None:
    """Return the pending proposal, or None."""
    pending = state.get("pending")
    return Version.model_validate(pending) if pending else None


def edit_base(state: ChatState) -> Version | None:
    """Return what an edit applies to: the pending proposal, else the current version."""
    return pending_version(state) or current_version(state)


def get_version(state: ChatState, number: int) -> Version:
    """Return committed version `number`.

    Raises:
        ChatError: there is no such version.
    """
    versions = state.get("versions") or []
    if not 1 <= number <= len(versions):
        raise ChatError(f"no version {number} (versions: 1..{len(versions)})")
    return Version.model_validate(versions[number - 1])


def accept(state: ChatState) -> dict[str, Any]:
    """Commit the pending proposal as the next version; return the state update.

    Raises:
        ChatError: nothing is pending.
    """
    proposal = pending_version(state)
    if proposal is None:
        raise ChatError("nothing to accept: no proposal is pending")
    versions = list(state.get("versions") or [])
    committed = proposal.model_copy(update={"number": len(versions) + 1})
    versions.append(committed.model_dump(mode="json"))
    return {"versions": versions, "current": committed.number, "pending": None}


def undo(state: ChatState, target: int | None) -> dict[str, Any]:
    """Commit a copy of version `target` (default: the one before current); drop any proposal.

    Raises:
        ChatError: no earlier version, or `target` does not exist.
    """
    current = state.get("current") or 0
    number = current - 1 if target is None else target
    if number < 1:
        raise ChatError("nothing to undo: this is the first version")
    source = get_version(state, number)
    versions = list(state.get("versions") or [])
    copy = source.model_copy(
        update={"number": len(versions) + 1, "message": f"/undo {number}", "parent": current}
    )
    versions.append(copy.model_dump(mode="json"))
    return {"versions": versions, "current": copy.number, "pending": None}


def history_text(state: ChatState) -> str:
    """Return one line per version (and the pending proposal), newest last."""
    current = state.get("current") or 0
    lines = []
    for v in versions_of(state):
        mark = "*" if v.number == current else " "
        lines.append(f"{mark} v{v.number} [{v.status}] {v.message}")
    proposal = pending_version(state)
    if proposal is not None:
        lines.append(f"  proposal [{proposal.status}] {proposal.message} (/accept or /reject)")
    return "\n".join(lines) if lines else "no versions yet"


def diff_versions(old: Version | None, new: Version) -> str:
    """Return the readable diff from `old` (None: an empty flow) to `new`."""
    new_flow = new.as_flow()
    if old is None:
        empty = Flow(name=new_flow.name, trigger=None, components=[])
        return diff_flows(empty, new_flow, [], new.ids).render()
    return diff_flows(old.as_flow(), new_flow, old.ids, new.ids).render()
