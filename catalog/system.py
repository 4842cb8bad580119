"""Add the platform's system columns to root tables, so catalog files need not repeat them.

Every ServiceNow table has `sys_id`, `sys_created_on`, `sys_created_by`, `sys_updated_on`,
`sys_updated_by` and `sys_mod_count`; child tables inherit them from their root. A root table
that other tables extend also has `sys_class_name` (the record's concrete class). A column a
catalog file defines itself always wins over the system default.
"""

from __future__ import annotations

from collections.abc import Iterable

from schemas.catalog import Column, Table

SYSTEM_COLUMNS: tuple[Column, ...] = (
    Column(name="sys_id", label="Sys ID", type="GUID", description="Unique record identifier"),
    Column(
        name="sys_created_on",
        label="Created",
        type="glide_date_time",
        description="When the record was created",
    ),
    Column(
        name="sys_created_by",
        label="Created by",
        type="string",
        description="User name of who created the record",
    ),
    Column(
        name="sys_updated_on",
        label="Updated",
        type="glide_date_time",
        description="When the record was last updated",
    ),
    Column(
        name="sys_updated_by",
        label="Updated by",
        type="string",
        description="User name of who last updated the record",
    ),
    Column(
        name="sys_mod_count",
        label="Updates",
        type="integer",
        description="How many times the record was updated",
    ),
)
"""Columns every root table carries."""

CLASS_COLUMN = Column(
    name="sys_class_name",
    label="Class",
    type="sys_class_name",
    description="Table (class) the record belongs to in an extended hierarchy",
)
"""Column of root tables that other tables extend."""


def with_system_columns(tables: Iterable[Table]) -> list[Table]:
    """Return the tables with missing system columns appended to every root table."""
    tables = list(tables)
    extended = {t.parent for t in tables if t.parent is not None}
    out: list[Table] = []
    for table in tables:
        if table.parent is not None:
            out.append(table)
            continue
        wanted = list(SYSTEM_COLUMNS)
        if table.name in extended:
            wanted.append(CLASS_COLUMN)
        own = {c.name for c in table.columns}
        extra = tuple(c for c in wanted if c.name not in own)
        out.append(table.model_copy(update={"columns": table.columns + extra}) if extra else table)
    return out
