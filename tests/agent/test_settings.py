"""Settings precedence: explicit values > FLOWGEN_* environment > defaults."""

from __future__ import annotations

import pytest

from agent.errors import SettingsError
from agent.settings import env_name, load_settings


def test_defaults_without_environment() -> None:
    s = load_settings(env={})
    assert s.models() == {"planner": "builtin", "filler": "builtin", "repairer": "builtin"}
    assert s.max_repairs == 3
    assert s.base_url is None


def test_environment_beats_defaults() -> None:
    env = {"FLOWGEN_MODEL": "openai:m", "FLOWGEN_MAX_REPAIRS": "5",
           "FLOWGEN_BASE_URL": "http://127.0.0.1:8000/v1"}
    s = load_settings(env=env)
    assert s.model_for("filler") == "openai:m"
    assert s.max_repairs == 5
    assert s.base_url == "http://127.0.0.1:8000/v1"


def test_role_variable_beats_shared_variable() -> None:
    s = load_settings(env={"FLOWGEN_MODEL": "openai:big", "FLOWGEN_FILLER_MODEL": "builtin"})
    assert s.models() == {"planner": "openai:big", "filler": "builtin", "repairer": "openai:big"}


def test_flags_beat_environment() -> None:
    env = {"FLOWGEN_MAX_REPAIRS": "5", "FLOWGEN_PLANNER_MODEL": "openai:env"}
    s = load_settings({"max_repairs": 1, "model": "openai:flag"}, env=env)
    assert s.max_repairs == 1
    # --model is explicit, so it beats a role variable from the environment.
    assert s.model_for("planner") == "openai:flag"


def test_role_flag_beats_shared_flag() -> None:
    s = load_settings({"model": "openai:all", "repairer_model": "openai:fixer"}, env={})
    assert s.model_for("repairer") == "openai:fixer"
    assert s.model_for("planner") == "openai:all"


def test_unset_flags_do_not_hide_environment() -> None:
    s = load_settings({"max_repairs": None, "model": None}, env={"FLOWGEN_MAX_REPAIRS": "0"})
    assert s.max_repairs == 0
    assert s.model == "builtin"


def test_bad_environment_value_names_the_variable() -> None:
    with pytest.raises(SettingsError, match="FLOWGEN_MAX_REPAIRS"):
        load_settings(env={"FLOWGEN_MAX_REPAIRS": "many"})


def test_bad_flag_value_names_the_setting() -> None:
    with pytest.raises(SettingsError, match="'max_repairs'"):
        load_settings({"max_repairs": -1}, env={})


def test_unknown_setting_is_rejected() -> None:
    with pytest.raises(SettingsError, match="max_repair"):
        load_settings({"max_repair": 2}, env={})


def test_prompt_style_follows_the_model_unless_forced() -> None:
    s = load_settings(env={})
    assert s.style_for("builtin") == "compact"
    assert s.style_for("hf:models/x") == "compact"
    assert s.style_for("openai:gpt-4o") == "chat"
    assert load_settings({"prompt_style": "chat"}, env={}).style_for("builtin") == "chat"


def test_every_field_has_an_environment_variable() -> None:
    assert env_name("retrieval_backend") == "FLOWGEN_RETRIEVAL_BACKEND"
    s = load_settings(env={"FLOWGEN_RETRIEVAL_BACKEND": "weaviate", "FLOWGEN_TIMEOUT_S": "3"})
    assert s.retrieval_backend == "weaviate" and s.timeout_s == 3.0
