"""Write `schemas/flow.schema.json` from the pydantic flow model, or check that it is current.

Usage: ``python -m scripts.gen_schema`` (write) or ``python -m scripts.gen_schema --check``
(exit 1 when the committed file differs from what the model generates).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from schemas.flow import Flow

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schemas" / "flow.schema.json"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def render_schema() -> str:
    """Return the JSON Schema of `Flow` as stable, pretty-printed text."""
    schema = {"$schema": DIALECT, **Flow.model_json_schema()}
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write or check the schema file; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args(argv)
    wanted = render_schema()
    if args.check:
        current = SCHEMA_PATH.read_text(encoding="utf-8") if SCHEMA_PATH.exists() else ""
        if current != wanted:
            print(f"{SCHEMA_PATH} is stale: run python -m scripts.gen_schema", file=sys.stderr)
            return 1
        print(f"{SCHEMA_PATH} is up to date")
        return 0
    SCHEMA_PATH.write_text(wanted, encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
