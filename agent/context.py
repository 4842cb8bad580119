"""Per-run context (LangGraph ``context_schema``): settings, catalog, retriever, models.

Every field has a default so ``langgraph dev`` can start a run with no context at all: the
catalog, the retriever and the models are then built on first use from the settings and cached
for the rest of the run (fill nodes run in parallel threads, hence the lock).
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, cast

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.tools import BaseTool

from agent.settings import Role, Settings, load_settings
from schemas.catalog import Catalog
from tools.retriever import Retriever

if TYPE_CHECKING:
    from langgraph.prebuilt import ToolNode


@dataclass
class Context:
    """What one run uses besides its state."""

    settings: Settings = field(default_factory=load_settings)
    """All knobs (models per role, limits, retrieval sizes)."""
    catalog: Catalog | None = None
    """The instance catalog; None: loaded from `settings.catalog_path` on first use."""
    retriever: Retriever | None = None
    """The catalog retriever; None: built with `settings.retrieval_backend` on first use."""
    models: dict[str, BaseChatModel] = field(default_factory=dict)
    """Chat models by spec; a spec missing here is built by `agent.models.load_chat_model`."""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _tools: ToolNode | None = field(default=None, repr=False)

    def get_catalog(self) -> Catalog:
        """Return the catalog, loading it on first use."""
        with self._lock:
            if self.catalog is None:
                from catalog import load_catalog

                self.catalog = load_catalog(self.settings.catalog_path)
            return self.catalog

    def get_retriever(self) -> Retriever:
        """Return the retriever, building it on first use."""
        catalog = self.get_catalog()
        with self._lock:
            if self.retriever is None:
                from tools.retriever import make_retriever

                self.retriever = make_retriever(catalog, backend=self.settings.retrieval_backend)
            return self.retriever

    def get_model(self, role: Role) -> tuple[BaseChatModel, str]:
        """Return the chat model of a role and its spec (built once per spec and run).

        Raises:
            ModelSpecError: the spec is malformed.
            FatalModelError: the model cannot be built (e.g. no API key).
        """
        spec = self.settings.model_for(role)
        with self._lock:
            model = self.models.get(spec)
            if model is None:
                from agent.models import load_chat_model

                model = load_chat_model(spec, self.settings)
                self.models[spec] = model
            return model, spec

    def get_tool_node(self) -> ToolNode:
        """Return the `ToolNode` over the lookup tools of this run's retriever."""
        retriever = self.get_retriever()
        with self._lock:
            if self._tools is None:
                # Retriever backends hash by identity; the protocol just cannot promise it.
                self._tools = tool_node_for(cast(Hashable, retriever))
            return self._tools


def lookup_tools(retriever: Retriever) -> list[BaseTool]:
    """Return the lookup tools of a retriever (built once per retriever, see `tool_node_for`)."""
    # Retriever backends hash by identity; the protocol just cannot promise it.
    return list(tool_node_for(cast(Hashable, retriever)).tools_by_name.values())


@lru_cache(maxsize=8)
def tool_node_for(retriever: Hashable) -> ToolNode:
    """Return a `ToolNode` over the lookup tools of a retriever, shared by the runs using it.

    Building the tools and the node costs milliseconds per run; runs that share a retriever
    (batches, evals, benchmarks) share the node too, and with it the tools' memo of answers
    (`tools.lookup.AnswerMemo`). The cache keeps the last 8 retrievers.
    """
    from langgraph.prebuilt import ToolNode

    from tools.lookup import make_lookup_tools

    return ToolNode(make_lookup_tools(cast(Retriever, retriever)))
