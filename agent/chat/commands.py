"""Slash commands of a conversation, as pure functions of the chat state.

Commands that change the state (``/accept``, ``/reject``, ``/undo``) and those that only show it
(``/show``, ``/diff``, ``/history``, ``/help``) run inside the chat graph, so they behave the
same from the terminal and from ``langgraph dev``. ``/export`` and ``/quit`` touch the user's
machine and live in the CLI.
"""

from __future__ import annotations

import json
from typing import Any

from agent.chat.versions import (
    ChatError,
    ChatState,
    accept,
    current_version,
    diff_versions,
    get_version,
    history_text,
    pending_version,
    undo,
)

HELP = """commands:
  /accept        commit the pending proposal as the next version
  /reject        drop the pending proposal
  /undo [N]      go back to version N (default: the previous one) as a new version
  /diff [A B]    what changed: proposal vs current, or version A vs version B
  /show [N]      the flow JSON of the proposal/current version, or of version N
  /history       every version, the current one marked *
  /export FILE   write the current flow to FILE (terminal only)
  /quit          leave (the conversation stays saved)
anything else is a message: the first one builds the flow, later ones edit it"""


def is_command(text: str) -> bool:
    """Tell whether an input is a slash command rather than a message."""
    return text.startswith("/")


def run_command(state: ChatState, text: str) -> dict[str, Any]:
    """Carry out one command; return the state update including the ``reply``.

    Errors (unknown command, bad version number) become the reply: a conversation never fails
    on a mistyped command.
    """
    name, *args = text.split()
    try:
        update = _dispatch(state, name.lower(), args)
    except ChatError as exc:
        return {"reply": f"error: {exc}"}
    return update


def _dispatch(state: ChatState, name: str, args: list[str]) -> dict[str, Any]:
    numbers = [_number(a) for a in args]
    if name == "/accept":
        update = accept(state)
        return {**update, "reply": f"accepted as version {update['current']}"}
    if name == "/reject":
        if pending_version(state) is None:
            raise ChatError("nothing to reject: no proposal is pending")
        return {"pending": None, "reply": "proposal dropped"}
    if name == "/undo":
        update = undo(state, numbers[0] if numbers else None)
        return {**update, "reply": f"version {update['current']} restores an earlier flow"}
    if name == "/diff":
        return {"reply": _diff(state, numbers)}
    if name == "/show":
        return {"reply": _show(state, numbers)}
    if name == "/history":
        return {"reply": history_text(state)}
    if name == "/help":
        return {"reply": HELP}
    raise ChatError(f"unknown command {name} (try /help)")


def _number(text: str) -> int:
    try:
        return int(text.lstrip("v"))
    except ValueError:
        raise ChatError(f"not a version number: {text!r}") from None


def _diff(state: ChatState, numbers: list[int]) -> str:
    if len(numbers) == 2:
        return diff_versions(get_version(state, numbers[0]), get_version(state, numbers[1]))
    if numbers:
        raise ChatError("/diff takes no version or two (A B)")
    proposal = pending_version(state)
    current = current_version(state)
    if proposal is not None:
        return diff_versions(current, proposal)
    if current is None:
        raise ChatError("no flow yet: send a requirement first")
    before = get_version(state, current.parent) if current.parent else None
    return diff_versions(before, current)


def _show(state: ChatState, numbers: list[int]) -> str:
    if len(numbers) > 1:
        raise ChatError("/show takes at most one version number")
    if numbers:
        version = get_version(state, numbers[0])
    else:
        found = pending_version(state) or current_version(state)
        if found is None:
            raise ChatError("no flow yet: send a requirement first")
        version = found
    return json.dumps(version.flow, indent=2, ensure_ascii=False)
