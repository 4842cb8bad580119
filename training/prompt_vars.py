"""Prompt variables of the generator's nodes, built by the generator's own builders.

The SFT export must show a model exactly what the graph will show it, so every builder here
delegates to the node module that the graph runs (`agent.nodes.*.…_prompt_vars`), with the
real retriever over the catalog standing in for the graph's lookup step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agent.nodes.fill import fill_prompt_vars
from agent.nodes.fill_trigger import fill_trigger_prompt_vars
from agent.nodes.plan import plan_prompt_vars
from agent.nodes.repair import repair_prompt_vars
from agent.settings import Settings
from schemas.catalog import Catalog
from schemas.flow import Flow, Outline
from schemas.issues import Issue
from tools import Retriever, make_retriever
from validator import validate


@dataclass
class PromptVars:
    """Builds node prompt variables over one catalog and its retriever."""

    catalog: Catalog
    retriever: Retriever
    settings: Settings

    @classmethod
    def for_catalog(cls, catalog: Catalog) -> PromptVars:
        """Return builders over `catalog` with the default SQLite retriever and settings."""
        return cls(catalog, make_retriever(catalog), Settings())

    def plan(self, requirement: str) -> dict[str, Any]:
        """Return the `plan` variables."""
        return plan_prompt_vars(requirement, self.catalog, self.retriever, self.settings)

    def fill(self, requirement: str, flow: Flow, order: int) -> dict[str, Any]:
        """Return the `fill` variables of the step at `order`."""
        return fill_prompt_vars(
            requirement, flow, order, self.catalog, self.retriever, self.settings
        )

    def fill_trigger(self, requirement: str, flow: Flow) -> dict[str, Any]:
        """Return the `fill_trigger` variables."""
        return fill_trigger_prompt_vars(
            requirement, flow, self.catalog, self.retriever, self.settings
        )

    def repair(self, requirement: str, outline: Outline, issues: list[Issue]) -> dict[str, Any]:
        """Return the `repair` variables."""
        return repair_prompt_vars(
            requirement, outline, issues, self.catalog, self.retriever, self.settings
        )

    def outline_issues(self, outline: Outline) -> list[Issue]:
        """Return the validator's error issues of an outline."""
        found = validate(outline.to_flow().model_dump(), self.catalog)
        return [i for i in found if i.is_error]
