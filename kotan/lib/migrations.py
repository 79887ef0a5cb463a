"""What migrations share: SQL that only PostgreSQL runs (triggers and functions), while
SQLite, the laptop trial, goes without."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def on_postgresql(sql: str) -> Callable[[Any, Any], None]:
    """A RunPython function executing `sql` on PostgreSQL and doing nothing elsewhere."""

    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # the SQL has % of its own

    return run
