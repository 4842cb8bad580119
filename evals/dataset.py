"""Evaluation datasets: the case schema and loaders for JSONL or YAML files.

A dataset is a list of cases, one requirement with its reference flow each. On disk it is JSONL
(one JSON object per line; blank lines and lines starting with ``#`` are skipped) or a YAML list
of the same objects. The schema is `EvalCase`; `evals/datasets/dataset.schema.json` is generated
from it for editors and other tools. A bad case is reported as one `DatasetError` naming
``file:line`` (JSONL) or ``file[index]`` (YAML) and what is wrong.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from schemas.flow import Flow
from tools.text import query_tokens

DATASETS_DIR = Path(__file__).resolve().parent / "datasets"
SCHEMA_PATH = DATASETS_DIR / "dataset.schema.json"

BUILTIN_DATASETS: dict[str, str] = {
    "dev": "dev.jsonl",
    "dev_b": "dev_b.jsonl",
    "synthetic_test": "synthetic_test.jsonl",
}
"""The project's own sets by name (file names under `evals/datasets/`)."""

FEATURE_GROUPS: dict[str, tuple[str, ...]] = {
    "structure": ("foreach", "parallel", "trycatch", "ifelse", "dountil", "nesting"),
    "input": ("multiple_conditions", "work_notes", "dot_walk", "pills", "flow_variables"),
    "enterprise": ("sla", "service_catalog", "approval", "email_trigger", "spoke"),
    "phrasing": ("explicit", "implicit"),
}
"""Feature tags the analysis knows, grouped as the research groups them. Other tags are kept."""

KNOWN_FEATURES: tuple[str, ...] = tuple(f for group in FEATURE_GROUPS.values() for f in group)


OVERLAP_LIMIT = 0.45
"""Word overlap (`content_overlap`) at which a training requirement counts as a
restatement of an evaluation case; scenario-level likeness below it is judged by hand."""

def content_overlap(first: str, second: str) -> float:
    """Return the Jaccard overlap of two requirements' words as retrieval reads them.

    The words are `tools.text.query_tokens`: lower-cased, stopwords dropped (0: none shared,
    1: the same words).
    """
    a, b = set(query_tokens(first)), set(query_tokens(second))
    return len(a & b) / len(a | b) if a | b else 1.0


class DatasetError(Exception):
    """A dataset cannot be used: missing file, unknown name, or a bad case (with its location)."""


class EvalCase(BaseModel):
    """One evaluation case: a requirement and the reference flow a designer would build."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, description="Unique case id within the dataset.")
    requirement: str = Field(
        min_length=1, description="The natural-language requirement as a user would write it."
    )
    flow: Flow = Field(description="Reference flow (flow-format v1, full: with inputs).")
    features: list[str] = Field(
        default_factory=list,
        description="Feature tags (see FEATURE_GROUPS): structure, input, enterprise, and "
        "'explicit' or 'implicit' phrasing.",
    )
    source: str = Field(
        default="handwritten",
        description="Where the case comes from: 'handwritten', 'synthetic', or a user label.",
    )

    def gold(self) -> dict[str, Any]:
        """Return the reference flow as plain JSON (None fields dropped)."""
        return self.flow.model_dump(exclude_none=True)


def resolve_dataset(name_or_path: str | Path) -> Path:
    """Map a built-in dataset name (`dev`, `dev_b`, `synthetic_test`) or a file path to a path.

    Raises:
        DatasetError: neither a known name nor an existing file.
    """
    text = str(name_or_path)
    if text in BUILTIN_DATASETS:
        path = DATASETS_DIR / BUILTIN_DATASETS[text]
        if not path.is_file():
            raise DatasetError(f"built-in dataset {text!r} is not available ({path} is missing)")
        return path
    path = Path(text)
    if not path.is_file():
        known = ", ".join(BUILTIN_DATASETS)
        raise DatasetError(f"no dataset {text!r}: not a file and not one of {known}")
    return path


def load_dataset(name_or_path: str | Path) -> list[EvalCase]:
    """Load a dataset by built-in name or path (JSONL, or YAML for .yaml/.yml files).

    Raises:
        DatasetError: the file is missing, unreadable, or holds a bad case or a duplicate id.
    """
    path = resolve_dataset(name_or_path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"cannot read {path}: {exc}") from None
    if path.suffix.lower() in (".yaml", ".yml"):
        cases = list(_parse_yaml(text, path))
    else:
        cases = list(_parse_jsonl(text, path))
    _check_unique_ids(cases)
    return [case for case, _ in cases]


def _parse_jsonl(text: str, path: Path) -> Iterable[tuple[EvalCase, str]]:
    for lineno, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        where = f"{path}:{lineno}"
        try:
            raw = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise DatasetError(
                f"{where}: not valid JSON ({exc.msg} at column {exc.colno})"
            ) from None
        yield _to_case(raw, where), where


def _parse_yaml(text: str, path: Path) -> Iterable[tuple[EvalCase, str]]:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DatasetError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(raw, list):
        raise DatasetError(f"{path}: a YAML dataset must be a list of cases")
    for index, item in enumerate(raw):
        where = f"{path}[{index}]"
        yield _to_case(item, where), where


def _to_case(raw: object, where: str) -> EvalCase:
    if not isinstance(raw, dict):
        raise DatasetError(f"{where}: a case must be a JSON object, got {type(raw).__name__}")
    try:
        return EvalCase.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"]) or "(case)"
        more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise DatasetError(f"{where}: {loc}: {first['msg']}{more}") from None


def _check_unique_ids(cases: list[tuple[EvalCase, str]]) -> None:
    seen: dict[str, str] = {}
    for case, where in cases:
        if case.id in seen:
            raise DatasetError(f"{where}: duplicate case id {case.id!r} (first at {seen[case.id]})")
        seen[case.id] = where


def case_schema() -> dict[str, Any]:
    """Return the JSON Schema of one dataset case (what `dataset.schema.json` holds)."""
    schema = EvalCase.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "flowgen evaluation case (one JSONL line or one YAML list item)"
    return schema


def write_case_schema(path: Path = SCHEMA_PATH) -> None:
    """Regenerate the committed JSON Schema file from `EvalCase`."""
    path.write_text(json.dumps(case_schema(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
