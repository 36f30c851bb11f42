"""The embedded DuckDB store: opening, migrating, transactions, Arrow in and out."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from palermo._version import __version__
from palermo.errors import MigrationError, StoreError, StoreVersionError
from palermo.store._migrations import Migration, migrations

log = logging.getLogger("palermo.store")

_VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER PRIMARY KEY,
    name VARCHAR NOT NULL,
    applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    palermo_version VARCHAR NOT NULL
)
"""


class Store:
    """One DuckDB file, brought to the newest schema on open.

    Every write goes through :meth:`transaction`: either all of it lands or none of it does, also
    when the process dies half way (DuckDB's write-ahead log replays only committed work).
    """

    def __init__(
        self,
        path: Path | str,
        *,
        threads: int | None = None,
        memory_limit: str | None = None,
        migrations_dir: Path | None = None,
        upgrade_to: int | None = None,
    ) -> None:
        self.path = Path(path)
        if self.path.exists() and self.path.is_dir():
            raise StoreError(f"store path {self.path} is a folder; give the path of a .duckdb file")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        config: dict[str, Any] = {}
        if threads is not None:
            config["threads"] = threads
        if memory_limit is not None:
            config["memory_limit"] = memory_limit
        try:
            self._conn = duckdb.connect(str(self.path), config=config)
        except duckdb.IOException as exc:
            raise StoreError(f"cannot open store {self.path}: {_first_line(exc)}") from None
        except duckdb.Error as exc:
            raise StoreError(f"cannot open store {self.path}: {_first_line(exc)}") from None
        self._depth = 0
        self._incoming = 0
        try:
            self._migrate(migrations(migrations_dir), upgrade_to)
        except BaseException:
            self._conn.close()
            raise

    # -- lifecycle -------------------------------------------------------------------------
    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """The raw DuckDB connection, for capability packages' own SQL."""
        return self._conn

    # -- schema ----------------------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        # fetchall: DuckDB 2 keeps a partly fetched result open, which blocks the next sql()
        rows = self._conn.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchall()
        return int(rows[0][0]) if rows else 0

    def _migrate(self, available: list[Migration], upgrade_to: int | None) -> None:
        self._conn.execute(_VERSION_TABLE)
        current = self.schema_version
        latest = available[-1].version if available else 0
        if current > latest:
            raise StoreVersionError(
                f"store {self.path} has schema version {current}, but this Palermo ({__version__}) "
                f"knows versions up to {latest}: upgrade Palermo to open it"
            )
        target = latest if upgrade_to is None else min(upgrade_to, latest)
        for migration in available:
            if current < migration.version <= target:
                self._apply(migration)

    def _apply(self, migration: Migration) -> None:
        label = f"{migration.version:04d}_{migration.name}"
        log.info("applying migration %s", label)
        try:
            with self.transaction():
                self._conn.execute(migration.sql)
                self._conn.execute(
                    "INSERT INTO schema_version (version, name, palermo_version) VALUES (?, ?, ?)",
                    [migration.version, migration.name, __version__],
                )
        except duckdb.Error as exc:
            raise MigrationError(f"migration {label} failed: {_first_line(exc)}") from None

    def tables(self) -> list[str]:
        rows = self._conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1"
        ).fetchall()
        return [str(r[0]) for r in rows]

    # -- transactions ----------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All or nothing. Nested calls join the outermost transaction."""
        if self._depth > 0:
            self._depth += 1
            try:
                yield self._conn
            finally:
                self._depth -= 1
            return
        self._conn.execute("BEGIN TRANSACTION")
        self._depth = 1
        try:
            yield self._conn
        except BaseException:
            self._depth = 0
            self._conn.execute("ROLLBACK")
            raise
        self._depth = 0
        self._conn.execute("COMMIT")

    # -- reading and writing ---------------------------------------------------------------
    def execute(self, sql: str, params: Sequence[Any] | None = None) -> duckdb.DuckDBPyConnection:
        return self._conn.execute(sql, params) if params is not None else self._conn.execute(sql)

    def query_arrow(self, sql: str, params: Sequence[Any] | None = None) -> pa.Table:
        relation = self._conn.sql(sql, params=list(params) if params is not None else None)
        return relation.to_arrow_table()

    def scalar(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        # fetchall, not fetchone: DuckDB 2 keeps a partly fetched result open, which blocks the
        # connection's next register() or sql()
        rows = self.execute(sql, params).fetchall()
        return rows[0][0] if rows else None

    def count(self, table: str) -> int:
        _check_identifier(table)
        rows = self.scalar(f'SELECT count(*) FROM "{table}"')
        return int(rows) if rows is not None else 0

    def insert_arrow(self, table: str, data: pa.Table) -> int:
        """Append an Arrow table to ``table`` by column name; returns the rows written."""
        _check_identifier(table)
        if data.num_rows == 0:
            return 0
        columns = ", ".join(f'"{name}"' for name in data.column_names)
        self._incoming += 1
        view = f"_palermo_incoming_{self._incoming}"
        self._conn.register(view, data)
        try:
            with self.transaction() as conn:
                conn.execute(f'INSERT INTO "{table}" ({columns}) SELECT {columns} FROM {view}')
        finally:
            # inside an aborted outer transaction DuckDB refuses even this; the original error
            # (a broken key, say) is the one to report, and the view name is never reused
            with contextlib.suppress(duckdb.Error):
                self._conn.unregister(view)
        return int(data.num_rows)


def _check_identifier(name: str) -> None:
    if not name.replace("_", "").isalnum():
        raise StoreError(f"'{name}' is not a valid table name (letters, digits and _ only)")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
