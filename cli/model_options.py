"""The model and catalog options shared by `generate`, `chat` and `batch`, and their settings."""

from __future__ import annotations

import argparse

from agent.errors import ModelSpecError, SettingsError
from agent.models import check_spec
from agent.settings import ROLES, Settings, load_settings
from cli.common import CliError, add_catalog_option


def add_generator_options(parser: argparse.ArgumentParser) -> None:
    """Add `--model`, the per-role models, `--base-url`, the repair budget and `--catalog`."""
    parser.add_argument(
        "--model",
        metavar="SPEC",
        help="model for every role: builtin, openai:NAME, hf:DIR, hf-endpoint:URL, "
        "scripted:FILE (default: FLOWGEN_MODEL or builtin)",
    )
    for role in ROLES:
        parser.add_argument(f"--{role}", metavar="SPEC", help=f"model of the {role} only")
    parser.add_argument("--base-url", metavar="URL", help="OpenAI-compatible server for openai:")
    parser.add_argument(
        "--max-repairs", type=int, metavar="N", help="repair rounds allowed (default 3)"
    )
    parser.add_argument("--no-repair", action="store_true", help="same as --max-repairs 0")
    add_catalog_option(parser)


def settings_from_args(args: argparse.Namespace) -> Settings:
    """Build settings from the flags (over the environment) and check every model spec.

    Raises:
        CliError: a flag or variable has a bad value, or a model spec is malformed.
    """
    overrides = {
        "model": args.model,
        "planner_model": args.planner,
        "filler_model": args.filler,
        "repairer_model": args.repairer,
        "base_url": args.base_url,
        "max_repairs": 0 if args.no_repair else args.max_repairs,
        "catalog_path": args.catalog,
    }
    try:
        settings = load_settings(overrides)
        for role in ROLES:
            check_spec(settings.model_for(role))
    except (SettingsError, ModelSpecError) as exc:
        raise CliError(str(exc)) from None
    return settings
