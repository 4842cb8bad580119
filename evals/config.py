"""Evaluation configurations: which models, repair budget and retrieval one eval run uses.

A configuration is a YAML file (see `evals/configs/`); it is loaded by name (the file stem under
`evals/configs/`) or by path. Its `fingerprint` keys the per-case cache, so editing a
configuration never reuses answers produced under the old settings.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

CONFIGS_DIR = Path(__file__).resolve().parent / "configs"

Role = Literal["planner", "filler", "repairer"]


class ConfigError(Exception):
    """A configuration cannot be found or does not match the schema."""


class EvalConfig(BaseModel):
    """One configuration of the generator to evaluate."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$", description="Short unique name.")
    description: str = ""
    models: dict[Role, str] = Field(
        default_factory=dict,
        description="Model spec per role (builtin, openai:<model>, hf:<dir>, scripted:<file>); "
        "roles left out use the generator's default.",
    )
    base_url: str | None = Field(
        default=None, description="Base URL of an OpenAI-compatible endpoint for openai: specs."
    )
    api_key_env: str | None = Field(
        default=None, description="Name of the environment variable that holds the API key."
    )
    repair: bool = Field(default=True, description="Run the repair loop.")
    max_repairs: int = Field(default=3, ge=0, description="Repair budget when repair is on.")
    retrieval: Literal["sqlite", "weaviate"] = "sqlite"
    perfect_retrieval: bool = Field(
        default=False, description="Put the reference flow's steps, tables and columns first."
    )
    settings: dict[str, Any] = Field(
        default_factory=dict,
        description="Other generator settings passed through as-is (agent.settings.Settings "
        "fields, e.g. temperature, timeout_s, prompt_style, structured_method).",
    )
    replay: str | None = Field(
        default=None,
        description="Replay file of recorded results per case id (evals/replay.py) instead of "
        "running the generator; a relative path is relative to the configuration file.",
    )
    seed: int = 0
    concurrency: int = Field(default=1, ge=1, le=64)

    @property
    def repair_budget(self) -> int:
        """Return the repair rounds the generator may spend (0 when repair is off)."""
        return self.max_repairs if self.repair else 0

    def fingerprint(self) -> str:
        """Return a short hash of everything that changes the generated flows.

        `concurrency` and `description` are left out: they change speed and prose, not answers.
        """
        payload = self.model_dump(exclude={"concurrency", "description"})
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
        return digest[:16]


def load_config(name_or_path: str | Path) -> EvalConfig:
    """Load a configuration by name (`evals/configs/<name>.yaml`) or by YAML path.

    Raises:
        ConfigError: no such configuration, unreadable YAML, or a schema mismatch.
    """
    path = _resolve(str(name_or_path))
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read configuration {path}: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: a configuration must be a YAML mapping")
    raw.setdefault("name", path.stem)
    if isinstance(raw.get("replay"), str) and not Path(raw["replay"]).is_absolute():
        raw["replay"] = str(path.parent / raw["replay"])
    try:
        return EvalConfig.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"]) or "(config)"
        raise ConfigError(f"{path}: {loc}: {first['msg']}") from None


def available_configs() -> list[str]:
    """Return the names of the configurations shipped in `evals/configs/`."""
    return sorted(p.stem for p in CONFIGS_DIR.glob("*.yaml"))


def _resolve(text: str) -> Path:
    named = CONFIGS_DIR / f"{text}.yaml"
    if "/" not in text and named.is_file():
        return named
    path = Path(text)
    if path.is_file():
        return path
    known = ", ".join(available_configs()) or "none"
    raise ConfigError(f"no configuration {text!r}: not a file and not one of {known}")
