"""The storage boundary: one embedded DuckDB file with versioned migrations.

Public names: :class:`Store`, :func:`latest_version`, :func:`migrations`.
"""

from palermo.store._migrations import Migration, latest_version, migrations
from palermo.store._store import Store

__all__ = ["Migration", "Store", "latest_version", "migrations"]
