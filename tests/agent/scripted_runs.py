"""Helpers for generator tests: run the graph on a scripted model over the demo catalog."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from agent.api import generate
from agent.scripted import ScriptedChatModel
from agent.settings import load_settings
from catalog import demo_catalog
from schemas.result import GenerationResult
from tools.retriever import Retriever, make_retriever

SCRIPTS = Path(__file__).resolve().parent.parent / "fixtures" / "scripted"
REQUIREMENT = "when a user becomes inactive, reassign their open incidents to their manager"


@cache
def demo_retriever() -> Retriever:
    """Return one SQLite retriever over the demo catalog, shared by the tests."""
    return make_retriever(demo_catalog())


def run_script(
    name: str, requirement: str = REQUIREMENT, **settings: Any
) -> tuple[GenerationResult, ScriptedChatModel]:
    """Generate with every role on the scripted model `name` (a file in fixtures/scripted)."""
    spec = f"scripted:{SCRIPTS / name}"
    model = ScriptedChatModel.from_file(SCRIPTS / name)
    result = generate(
        requirement,
        settings=load_settings({"model": spec, "backoff_s": 0.0, **settings}, env={}),
        catalog=demo_catalog(),
        retriever=demo_retriever(),
        models={spec: model},
    )
    return result, model
