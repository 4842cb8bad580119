"""The real generator behind an eval configuration (`agent.api.generate`).

Models and the retriever are built once per configuration and shared by every case, so the
built-in model is loaded once per run, not once per case. With perfect retrieval each case gets
a `PerfectRetriever` over the shared retriever that knows that case's reference flow.
"""

from __future__ import annotations

import random
from typing import Any

from evals.config import EvalConfig
from evals.dataset import EvalCase
from evals.perfect_retrieval import PerfectRetriever
from evals.runner import GenerateFn
from schemas.catalog import Catalog
from schemas.result import GenerationResult


class GeneratorSetupError(Exception):
    """A configuration's models or retriever cannot be built (bad spec, missing key, …)."""


def settings_overrides(config: EvalConfig) -> dict[str, Any]:
    """Return the `agent.settings` overrides a configuration stands for."""
    overrides: dict[str, Any] = dict(config.settings)
    for role, spec in config.models.items():
        overrides[f"{role}_model"] = spec
    if config.base_url is not None:
        overrides["base_url"] = config.base_url
    if config.api_key_env is not None:
        overrides["api_key_env"] = config.api_key_env
    overrides["max_repairs"] = config.repair_budget
    overrides["retrieval_backend"] = config.retrieval
    return overrides


def make_generator(config: EvalConfig, catalog: Catalog) -> GenerateFn:
    """Build the generate function of one configuration (a replay when it names one).

    The environment's ``FLOWGEN_*`` variables are ignored on purpose: a configuration file
    must mean the same thing on every machine, or runs are not comparable.

    Raises:
        GeneratorSetupError: the settings, a model or the retriever cannot be built.
    """
    if config.replay is not None:
        return _replay(config)
    from agent.api import generate
    from agent.errors import GeneratorError
    from agent.models import load_chat_model
    from agent.settings import load_settings
    from tools.retriever import RetrievalError, make_retriever

    try:
        settings = load_settings(settings_overrides(config), env={})
        models = {spec: load_chat_model(spec, settings) for spec in set(settings.models().values())}
        shared = make_retriever(catalog, backend=config.retrieval)
    except (GeneratorError, RetrievalError) as exc:
        raise GeneratorSetupError(f"configuration {config.name!r}: {exc}") from None

    def run(case: EvalCase, seed: int) -> GenerationResult:
        retriever = (
            PerfectRetriever(shared, case.flow, catalog) if config.perfect_retrieval else shared
        )
        _seed(seed, config.concurrency)
        return generate(
            case.requirement, settings=settings, catalog=catalog, retriever=retriever, models=models
        )

    return run


def _replay(config: EvalConfig) -> GenerateFn:
    from evals.replay import ReplayError, ReplayGenerator

    try:
        return ReplayGenerator.from_file(str(config.replay))
    except ReplayError as exc:
        raise GeneratorSetupError(f"configuration {config.name!r}: {exc}") from None


def _seed(seed: int, concurrency: int) -> None:
    """Seed the global generators for a case; only meaningful when cases run one at a time.

    Decoding is greedy by default, so this matters only for configurations that set a
    temperature; with concurrency above 1 global seeds would race, so they are left alone.
    """
    if concurrency != 1:
        return
    random.seed(seed)
    try:
        import torch
    except ImportError:  # torch is a dependency, but `openai:` runs need not pay for it
        return
    torch.manual_seed(seed)
