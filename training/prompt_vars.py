"""Prompt variables of the generator's nodes, built the way the generator builds them.

`plan` uses the generator's own `agent.nodes.plan.plan_prompt_vars` (retrieval included). The
fill and repair builders follow the ARCHITECTURE.md node prompt contract over the same helpers
the generator uses (`agent.candidates`, `validator.visible_pills`, the retriever); when the
generator exports its own `fill_prompt_vars` / `repair_prompt_vars`, they replace these.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from agent.candidates import (
    candidate_steps,
    candidate_tables,
    candidate_triggers,
    step_params,
    trigger_params,
)
from agent.nodes.plan import plan_prompt_vars
from agent.settings import Settings
from schemas.catalog import Catalog
from schemas.flow import Flow, Outline
from tools import Retriever, make_retriever
from validator import validate, visible_pills


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
        """Return the `plan` variables (the generator's own builder)."""
        return plan_prompt_vars(requirement, self.catalog, self.retriever, self.settings)

    def _tables(self, query: str) -> list[dict[str, Any]]:
        hits = self.retriever.search_tables(query, k=self.settings.k_tables)
        return [{"name": h.name, "label": h.label} for h in hits]

    def fill(self, requirement: str, flow: Flow, order: int) -> dict[str, Any]:
        """Return the `fill` variables of the step at `order`."""
        comp = flow.components[order - 1]
        annotation = comp.annotation or ""
        return {
            "requirement": requirement,
            "step": {
                "order": comp.order,
                "category": comp.category,
                "definition": comp.definition,
                "scope": comp.scope,
                "annotation": annotation,
            },
            "params": step_params(comp, self.catalog),
            "tables": self._tables(annotation),
            "columns": [],
            "pills": [asdict(p) for p in visible_pills(flow, order, self.catalog)],
        }

    def fill_trigger(self, requirement: str, flow: Flow) -> dict[str, Any]:
        """Return the `fill_trigger` variables."""
        assert flow.trigger is not None
        annotation = flow.trigger.annotation or ""
        return {
            "requirement": requirement,
            "step": {"type": flow.trigger.type, "annotation": annotation},
            "params": trigger_params(flow.trigger.type, self.catalog),
            "tables": self._tables(annotation),
            "columns": [],
            "pills": [],
        }

    def repair(
        self, requirement: str, outline: str, issues: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """Return the `repair` variables."""
        k = self.settings
        return {
            "requirement": requirement,
            "outline": outline,
            "issues": issues,
            "steps": candidate_steps(requirement, self.catalog, self.retriever, k.k_steps),
            "triggers": candidate_triggers(requirement, self.catalog, self.retriever, k.k_triggers),
            "tables": candidate_tables(requirement, self.catalog, self.retriever, k.k_tables),
        }

    def outline_issues(self, outline: Outline) -> list[dict[str, Any]]:
        """Return the validator's error issues of an outline as prompt dicts."""
        found = validate(outline.to_flow().model_dump(), self.catalog)
        return [
            {"code": i.code, "order": i.order, "path": i.path, "message": i.message, "hint": i.hint}
            for i in found
            if i.is_error
        ]
