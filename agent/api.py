"""The Python API: `generate(requirement) -> GenerationResult` over the compiled graph."""

from __future__ import annotations

from collections.abc import Mapping

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.runnables import RunnableConfig

from agent.context import Context
from agent.execution import task_config
from agent.settings import Settings, load_settings
from schemas.catalog import Catalog
from schemas.result import GenerationResult
from tools.retriever import Retriever

SUPERSTEPS_PER_ROUND = 5
"""Super-steps one repair round can take (repair, lookup, fills, validate, slack)."""


def make_context(
    settings: Settings | None = None,
    catalog: Catalog | None = None,
    retriever: Retriever | None = None,
    models: Mapping[str, BaseChatModel] | None = None,
) -> Context:
    """Build the per-run context; what is not given is built lazily from the settings."""
    return Context(
        settings=settings or load_settings(),
        catalog=catalog,
        retriever=retriever,
        models=dict(models or {}),
    )


def run_config(settings: Settings) -> RunnableConfig:
    """Return the LangGraph config of one run: a recursion limit that covers every repair round
    and the last-resort pass, and where the fills run (`agent.execution`)."""
    needed = SUPERSTEPS_PER_ROUND * (settings.max_repairs + 2)
    return {"recursion_limit": max(settings.recursion_limit, needed),
            "configurable": task_config(settings)}


def generate(
    requirement: str,
    *,
    settings: Settings | None = None,
    catalog: Catalog | None = None,
    retriever: Retriever | None = None,
    models: Mapping[str, BaseChatModel] | None = None,
) -> GenerationResult:
    """Generate a flow for one requirement.

    Args:
        requirement: the natural-language requirement.
        settings: run settings (default: environment over defaults, see `load_settings`).
        catalog: the instance catalog (default: `settings.catalog_path`, else the demo).
        retriever: a retriever over `catalog` (default: built with `settings`).
        models: prebuilt chat models keyed by spec, used instead of building them.

    Returns:
        The result; model failures come back as status ``failed`` with a reason, never raised.
    """
    from graph import graph

    ctx = make_context(settings, catalog, retriever, models)
    out = graph.invoke({"requirement": requirement}, context=ctx, config=run_config(ctx.settings))
    result: GenerationResult = out["result"]
    return result
