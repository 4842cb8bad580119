"""`validate`: the pipeline parse → shape → structure → grounding → warnings (flow-format §5).

Total by construction: every stage turns what can go wrong with its input into issues, and
the only exceptions caught are the ones the standard library raises on pathological input
(deep nesting), which become issues too.
"""

from __future__ import annotations

from schemas.catalog import Catalog
from schemas.issues import Issue
from validator.context import build_context
from validator.document import load_document
from validator.grounding import check_names
from validator.index import index_for
from validator.inputs import check_inputs
from validator.issues import issue, sort_key
from validator.scope import Scope
from validator.shape import check_shape
from validator.structure import check_structure
from validator.tree import build_tree


def validate(value: object, catalog: Catalog) -> list[Issue]:
    """Return every issue of a flow given as JSON text, bytes, a parsed value or a `Flow`.

    Never raises: text that is not JSON yields `invalid_json`, a value of the wrong shape
    `schema_violation` (one per problem, then validation stops), a broken order/block skeleton
    `bad_order`/`bad_block` (tree-dependent checks stop, name grounding still runs); otherwise
    every structure, pill and grounding problem is reported. Sorted by path, then code.
    """
    doc, bad_json = load_document(value)
    if bad_json is not None:
        return [bad_json]
    try:
        found = _validate_document(doc, catalog)
    except RecursionError:
        # Only pathological nesting of a pre-parsed value can get here.
        found = [
            issue("schema_violation", "", "the value is nested too deeply", "Give a flow object.")
        ]
    return _dedupe(sorted(found, key=sort_key))


def _validate_document(doc: object, catalog: Catalog) -> list[Issue]:
    """Run shape, names, skeleton, nesting and input checks on a parsed value."""
    flow, shape_issues = check_shape(doc)
    if flow is None:
        return shape_issues
    index = index_for(catalog)
    names = check_names(flow, index)
    tree, skeleton = build_tree(flow.components)
    if tree is None:
        return [*names, *([skeleton] if skeleton is not None else [])]
    ctx = build_context(flow, tree, index)
    return [*names, *check_structure(tree), *check_inputs(ctx, Scope(ctx))]


def _dedupe(found: list[Issue]) -> list[Issue]:
    """Drop exact repeats (the same bad pill twice in one value is one problem)."""
    seen: set[tuple[str, str, str]] = set()
    out: list[Issue] = []
    for item in found:
        key = (item.code, item.path, item.message)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out
