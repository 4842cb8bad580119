"""Every knob of the generator in one settings object, with explicit precedence.

Precedence, highest first: explicit overrides (CLI flags, API arguments) > environment
variables (``FLOWGEN_*``) > defaults. For the model of one role the chain is, highest first:
the role's own override (``--planner``), the shared override (``--model``), the role's
environment variable (``FLOWGEN_PLANNER_MODEL``), the shared one (``FLOWGEN_MODEL``), and the
default ``builtin``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent.errors import SettingsError

Role = Literal["planner", "filler", "repairer"]
ROLES: tuple[Role, ...] = ("planner", "filler", "repairer")
PromptStyle = Literal["chat", "compact"]
StructuredMethod = Literal["json_schema", "json_object", "function_calling"]
FillTasks = Literal["auto", "threads", "inline"]

ENV_PREFIX = "FLOWGEN_"
ROLE_FIELDS: dict[Role, str] = {r: f"{r}_model" for r in ROLES}


class Settings(BaseModel):
    """Run settings of the generator; build them with `load_settings` to get precedence."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str = Field(default="builtin", description="Model spec shared by every role.")
    planner_model: str | None = Field(default=None, description="Planner spec; None: `model`.")
    filler_model: str | None = Field(default=None, description="Filler spec; None: `model`.")
    repairer_model: str | None = Field(default=None, description="Repairer spec; None: `model`.")
    base_url: str | None = Field(
        default=None, description="Base URL of an OpenAI-compatible server (openai: specs)."
    )
    api_key_env: str = Field(
        default="OPENAI_API_KEY", description="Name of the variable holding the API key."
    )
    max_repairs: int = Field(default=3, ge=0, le=20, description="Repair rounds allowed.")
    recursion_limit: int = Field(default=60, ge=10, description="LangGraph super-step limit.")
    k_steps: int = Field(default=12, ge=1, description="Candidate actions/subflows for plan.")
    k_tables: int = Field(default=5, ge=1, description="Candidate tables per query.")
    k_columns: int = Field(default=12, ge=1, description="Candidate columns per table searched.")
    k_choices: int = Field(default=8, ge=1, description="Choice values per choice column.")
    k_triggers: int = Field(default=5, ge=1, description="Trigger types ranked first in plan.")
    max_lookup_tables: int = Field(
        default=2, ge=1, description="Best-matching tables whose columns a step sees."
    )
    max_choice_lookups: int = Field(
        default=1, ge=0, description="Choice columns per step whose values are searched."
    )
    model_lookup_rounds: int = Field(
        default=0, ge=0, le=5,
        description="Rounds of lookup tool calls a tool-calling filler (openai:, scripted:) may "
        "make before answering; 0: only the graph's own lookups.",
    )
    model_lookup_calls: int = Field(
        default=4, ge=1, le=20, description="Tool calls honoured per model lookup round."
    )
    retries: int = Field(default=2, ge=0, le=10, description="Retries of a failed model call.")
    backoff_s: float = Field(default=0.5, ge=0, description="First retry delay (doubles).")
    backoff_max_s: float = Field(default=8.0, ge=0, description="Longest retry delay.")
    timeout_s: float = Field(default=120.0, gt=0, description="Timeout of one model call.")
    max_new_tokens: int = Field(default=1024, ge=16, description="Output token limit per call.")
    temperature: float = Field(default=0.0, ge=0, le=2)
    max_outline_steps: int = Field(
        default=20,
        ge=1,
        le=200,
        description="Most steps a local constrained decoder may write in one outline.",
    )
    span_annotations: bool = Field(
        default=False,
        description="Local constrained decoders (builtin, hf:) write every outline annotation "
        "as a word-aligned span of the requirement (agent.span_grammar). Off by default: "
        "measured on the built-in model, it removes paraphrases and loops and cuts latency "
        "but lowers FlowSim (docs/generator.md).",
    )
    repair_quote_chars: int = Field(
        default=4000,
        ge=0,
        description="How much of an unparseable previous answer the repair prompt quotes.",
    )
    prompt_style: PromptStyle | None = Field(
        default=None,
        description="Force a prompt style; None: chat for openai/hf-endpoint/scripted, "
        "compact for builtin/hf.",
    )
    structured_method: StructuredMethod = Field(
        default="json_schema", description="How openai: models are asked for JSON."
    )
    fill_tasks: FillTasks = Field(
        default="auto",
        description="Where the fills of one super-step run: threads (concurrent, for remote "
        "models), inline (one after another in the calling thread), auto: threads when the "
        "filler is openai: or hf-endpoint:, inline otherwise (agent.execution).",
    )
    catalog_path: str | None = Field(default=None, description="Catalog file/dir; None: demo.")
    retrieval_backend: Literal["sqlite", "weaviate"] = "sqlite"

    def model_for(self, role: Role) -> str:
        """Return the model spec of a role (its own spec, else the shared one)."""
        own: str | None = getattr(self, ROLE_FIELDS[role])
        return own or self.model

    def style_for(self, spec: str) -> PromptStyle:
        """Return the prompt style for a model spec (forced style first)."""
        if self.prompt_style is not None:
            return self.prompt_style
        return "compact" if spec == "builtin" or spec.startswith("hf:") else "chat"

    def models(self) -> dict[str, str]:
        """Return the spec of every role, for reports."""
        return {role: self.model_for(role) for role in ROLES}


def env_name(field: str) -> str:
    """Return the environment variable that sets a settings field."""
    return ENV_PREFIX + field.upper()


def _from_env(env: Mapping[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for field in Settings.model_fields:
        value = env.get(env_name(field))
        if value is not None and value.strip() != "":
            out[field] = value.strip()
    return out


def load_settings(
    overrides: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None
) -> Settings:
    """Build settings from overrides > environment > defaults.

    Args:
        overrides: explicit values (CLI flags, API arguments); None values are ignored so an
            unset flag never hides an environment variable.
        env: the environment to read (default: ``os.environ``).

    Raises:
        SettingsError: a value does not parse or is out of range (one line naming its source).
    """
    env_values = _from_env(os.environ if env is None else env)
    explicit = {k: v for k, v in (overrides or {}).items() if v is not None}
    unknown = sorted(set(explicit) - set(Settings.model_fields))
    if unknown:
        raise SettingsError(f"unknown setting(s): {', '.join(unknown)}")
    merged: dict[str, Any] = {**env_values, **explicit}
    # An explicit shared model beats role variables from the environment (flag > env).
    if "model" in explicit:
        for field in ROLE_FIELDS.values():
            if field not in explicit:
                merged.pop(field, None)
    try:
        return Settings.model_validate(merged)
    except ValidationError as exc:
        raise SettingsError(_describe(exc, explicit)) from None


def _describe(exc: ValidationError, explicit: Mapping[str, Any]) -> str:
    err = exc.errors()[0]
    field = str(err["loc"][0]) if err["loc"] else "?"
    source = f"setting {field!r}" if field in explicit else f"environment {env_name(field)}"
    return f"bad value for {source}: {err['msg']}"
