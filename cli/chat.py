"""`flowgen chat`: build one flow over several turns, reading one input per line from stdin.

The first message generates a flow; later messages edit it. Each change is a proposal until
``/accept``; ``/help`` lists the commands. The conversation is saved per ``--thread`` (SQLite by
default, ``--db postgresql://…`` for Postgres), so running the command again with the same
thread continues where it stopped. End of input or ``/quit`` leaves; exit status 0, or 2 when
the store, catalog or model cannot be set up.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from pathlib import Path

from agent.api import make_context
from agent.chat.session import ChatSession
from agent.chat.store import DB_ENV, ChatStoreError, open_checkpointer
from agent.chat.versions import current_version
from agent.context import Context
from agent.errors import GeneratorError
from agent.settings import ROLES
from catalog import CatalogError
from chat_graph import build_chat_graph
from cli.common import CliError
from cli.model_options import add_generator_options, settings_from_args


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `chat` subcommand."""
    parser = subparsers.add_parser(
        "chat", help="build one flow over several turns", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--thread", metavar="ID", help="conversation to continue or start (default: a new one)"
    )
    parser.add_argument(
        "--db",
        metavar="PATH|URL",
        help=f"SQLite file or postgresql:// URL (default: ${DB_ENV}, else "
        "~/.local/share/flowgen/chat.sqlite)",
    )
    add_generator_options(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run the conversation loop until /quit or end of input."""
    context = _context(args)
    thread = args.thread or uuid.uuid4().hex[:12]
    try:
        with open_checkpointer(args.db) as saver:
            session = ChatSession(build_chat_graph(checkpointer=saver), thread, context)
            print(session.status_line() + ("" if args.thread else f" (resume: --thread {thread})"))
            _loop(session)
    except ChatStoreError as exc:
        raise CliError(str(exc)) from None
    return 0


def _context(args: argparse.Namespace) -> Context:
    """Build the run context, loading the catalog and models now so mistakes show at once."""
    context = make_context(settings_from_args(args))
    try:
        context.get_catalog()
        for role in ROLES:
            context.get_model(role)
    except (CatalogError, GeneratorError) as exc:
        raise CliError(str(exc)) from None
    return context


def _loop(session: ChatSession) -> None:
    interactive = sys.stdin.isatty()
    while True:
        if interactive:
            print("> ", end="", flush=True)
        line = sys.stdin.readline()
        if not line:
            return
        text = line.strip()
        if not text:
            continue
        if text in ("/quit", "/exit"):
            return
        if text.split()[0] == "/export":
            print(_export(session, text.split()[1:]))
            continue
        print(session.send(text), flush=True)


def _export(session: ChatSession, args: list[str]) -> str:
    """Write the current accepted flow to a file; return what to tell the user."""
    if len(args) != 1:
        return "error: usage: /export FILE"
    version = current_version(session.state())
    if version is None:
        return "error: nothing to export yet: /accept a flow first"
    path = Path(args[0]).expanduser()
    try:
        path.write_text(json.dumps(version.flow, indent=2, ensure_ascii=False) + "\n")
    except OSError as exc:
        return f"error: cannot write {path}: {exc.strerror or exc}"
    return f"wrote version {version.number} to {path}"
