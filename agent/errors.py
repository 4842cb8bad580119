"""Typed errors of the generator; each names what failed without leaking secrets or prompts."""

from __future__ import annotations


class GeneratorError(Exception):
    """Base class of every error the generator raises on purpose."""


class SettingsError(GeneratorError):
    """A setting (flag, environment variable or argument) has an unusable value."""


class ModelSpecError(GeneratorError):
    """A model spec string does not name a model the factory can build."""


class PromptError(GeneratorError):
    """A prompt template is missing or needs a variable that was not given."""


class TransientModelError(GeneratorError):
    """A model call failed in a way worth retrying (rate limit, 5xx, timeout, dropped link)."""


class ModelCallError(GeneratorError):
    """A model call failed for good, after the bounded retries.

    The message names the node and the model spec only; never the API key or prompt text.
    """

    def __init__(self, node: str, spec: str, cause: str) -> None:
        super().__init__(f"model call failed in node {node!r} with model {spec!r}: {cause}")
        self.node = node
        self.spec = spec
        self.cause = cause


class FatalModelError(GeneratorError):
    """A model call failed in a way retrying cannot fix (missing key, auth, unknown model)."""
