"""Report a loaded catalog's soft problems: references to tables or inputs that are not there.

Customer catalogs are often partial exports (a reference column to a table nobody exported), so
these are warnings the caller may print, not load errors.
"""

from __future__ import annotations

from collections.abc import Iterable

from schemas.catalog import Catalog, Param


def check_catalog(catalog: Catalog) -> list[str]:
    """Return one warning line per dangling table reference or `table_from` in the catalog."""
    warnings: list[str] = []
    for table, column in catalog.iter_columns():
        if column.reference and catalog.table(column.reference) is None:
            warnings.append(
                f"column {table.name}.{column.name} references table {column.reference!r}, "
                "which is not in the catalog"
            )
    for action in catalog.actions:
        owner = f"action {action.scope}/{action.name}"
        warnings.extend(_param_warnings(catalog, owner, action.inputs, action.outputs))
    for trigger in catalog.triggers:
        owner = f"trigger {trigger.type}"
        warnings.extend(_param_warnings(catalog, owner, trigger.inputs, trigger.outputs))
    for logic in catalog.flow_logic:
        owner = f"flow logic {logic.token}"
        warnings.extend(_param_warnings(catalog, owner, logic.inputs, logic.outputs))
    return warnings


def _param_warnings(
    catalog: Catalog, owner: str, inputs: Iterable[Param], outputs: Iterable[Param]
) -> list[str]:
    """Check fixed `reference` tables and `table_from` siblings of one definition's params."""
    inputs = tuple(inputs)
    input_names = {p.name for p in inputs}
    out: list[str] = []
    for kind, params in (("input", inputs), ("output", tuple(outputs))):
        for param in params:
            where = f"{owner} {kind} {param.name!r}"
            if param.reference and catalog.table(param.reference) is None:
                out.append(f"{where} references table {param.reference!r}, not in the catalog")
            if param.table_from and param.table_from not in input_names:
                out.append(f"{where} takes its table from {param.table_from!r}, not an input")
    return out
