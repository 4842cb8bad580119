"""Render the node prompts: Jinja templates under `agent/prompts/<style>/<node>.j2`.

A template is split into messages by marker lines: ``<|system|>`` starts the system message and
``<|user|>`` the user message; text before any marker belongs to the user message. Variables are
strict: a template that uses a variable the caller did not give fails with `PromptError`.
A ``compact`` template that does not exist falls back to the ``chat`` one.

Prompt variables are plain data (dicts, lists, strings, numbers), and ``x.name`` in a template
means ``x["name"]``, nothing else: no object attributes and no ``loop.*`` (write a filter
instead, as ``choice_pairs``). A name the dict lacks fails with `PromptError` too.
"""

from __future__ import annotations

import json
import operator
from functools import cache
from pathlib import Path
from typing import Any, Literal

import jinja2
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from agent.errors import PromptError

PROMPTS_DIR = Path(__file__).resolve().parent
NODES: tuple[str, ...] = ("plan", "fill", "fill_trigger", "repair")
MARKERS: dict[str, Literal["system", "user"]] = {"<|system|>": "system", "<|user|>": "user"}


def _json(value: Any) -> str:
    """Serialise compactly, keeping non-ASCII text readable (Jinja's tojson escapes HTML)."""
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _choice_pairs(choices: list[dict[str, Any]]) -> str:
    """Write choice values as ``value=label, …``.

    A filter rather than a loop in the template: the loop needed `loop.last`, and that one
    reference made Jinja wrap the enclosing loop over every candidate column in its slow
    `LoopContext`; a fifth of a fill prompt's rendering went there.
    """
    return ", ".join(f"{c['value']}={c['label']}" for c in choices)


class _KeysEnvironment(jinja2.Environment):
    """A Jinja environment that reads ``x.name`` as the key ``x["name"]`` and nothing else.

    Jinja's default tries the attribute first and falls back to the key, in Python, for every
    ``c.table`` of every candidate column: with a C-level ``getitem`` instead, a fill prompt
    renders in a fifth less time. A missing key raises `KeyError` and a value that is not a
    mapping `TypeError`; `render_messages` turns both into `PromptError`.
    """

    getattr = staticmethod(operator.getitem)  # type: ignore[assignment]


@cache
def _environment() -> jinja2.Environment:
    env = _KeysEnvironment(
        loader=jinja2.FileSystemLoader(str(PROMPTS_DIR)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        autoescape=False,
        auto_reload=False,  # see `_template`: files are read once
    )
    env.filters["json"] = _json
    env.filters["choice_pairs"] = _choice_pairs
    return env


@cache
def template_path(node: str, style: str) -> Path:
    """Return the template file used for a node in a style (with the compact → chat fallback)."""
    path = PROMPTS_DIR / style / f"{node}.j2"
    if not path.is_file() and style == "compact":
        path = PROMPTS_DIR / "chat" / f"{node}.j2"
    return path


@cache
def _template(node: str, style: str) -> jinja2.Template:
    """Return the compiled template of a node in a style, loaded once per process.

    Every fill renders a prompt, on parallel threads: asking Jinja each time cost a `stat` of
    the file (and its includes) per render, and each one let the other threads take the GIL.

    Raises:
        PromptError: no template for the node in this style.
    """
    path = template_path(node, style)
    if not path.is_file():
        raise PromptError(f"no prompt template for node {node!r} in style {style!r}")
    return _environment().get_template(path.relative_to(PROMPTS_DIR).as_posix())


def render_messages(node: str, style: str, **variables: Any) -> list[BaseMessage]:
    """Render a node's prompt into chat messages.

    Templates are read once per process: restart it to pick up edited templates.

    Raises:
        PromptError: no template for the node, or a variable (or a field of one) that the
            template needs is missing.
    """
    try:
        template = _template(node, style)
        text = template.render(**variables)
    except jinja2.UndefinedError as exc:
        raise PromptError(f"prompt {node!r} ({style}) needs a variable: {exc.message}") from None
    except KeyError as exc:
        raise PromptError(f"prompt {node!r} ({style}) needs a field: {exc}") from None
    except TypeError as exc:  # a field of a non-mapping, or a filter given the wrong type
        raise PromptError(f"prompt {node!r} ({style}) cannot use its variables: {exc}"
                          ) from None
    except jinja2.TemplateError as exc:
        raise PromptError(f"prompt {node!r} ({style}) is broken: {exc}") from None
    return split_messages(text)


_ODD_BREAKS = ("\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")
"""Line breaks `str.splitlines` honours besides ``\n`` (`in` finds them faster than `re`)."""


def split_messages(text: str) -> list[BaseMessage]:
    """Split rendered text at the marker lines into a system and a user message.

    A marker line is a line that is a marker once stripped; line breaks are those of
    `str.splitlines`, which every break normalises to ``\n``.
    """
    if any(brk in text for brk in _ODD_BREAKS):
        text = "\n".join(text.splitlines())
    parts: dict[str, list[str]] = {"system": [], "user": []}
    current: Literal["system", "user"] = "user"
    start = 0
    for line_start, line_end, role in _marker_lines(text):
        parts[current].append(text[start:line_start])
        current, start = role, line_end + 1
    parts[current].append(text[start:])
    out: list[BaseMessage] = []
    system = "".join(parts["system"]).strip()
    if system:
        out.append(SystemMessage(content=system))
    out.append(HumanMessage(content="".join(parts["user"]).strip()))
    return out


def _marker_lines(text: str) -> list[tuple[int, int, Literal["system", "user"]]]:
    """Return (start, end, role) of every marker line, in order (``end``: its newline)."""
    # Markers are found with `str.find` rather than by walking every line: a fill prompt has
    # a hundred lines and two markers.
    found = []
    for marker, role in MARKERS.items():
        at = text.find(marker)
        while at != -1:
            start = text.rfind("\n", 0, at) + 1
            end = text.find("\n", at)
            end = len(text) if end == -1 else end
            if text[start:end].strip() == marker:
                found.append((start, end, role))
            at = text.find(marker, at + 1)
    return sorted(found)
