"""Writes are all or nothing, also when the process dies half way."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow as pa
import pytest

import palermo
from palermo.workspace import Workspace


def _datasets(n: int, start: int = 0) -> pa.Table:
    return pa.table(
        {
            "dataset_id": [f"d{i}" for i in range(start, start + n)],
            "kind": ["test"] * n,
            "source": ["unit test"] * n,
        }
    )


def test_exception_rolls_back_everything(ws: Workspace) -> None:
    ws.store.insert_arrow("datasets", _datasets(3))
    with pytest.raises(RuntimeError, match="injected"), ws.store.transaction():
        ws.store.insert_arrow("datasets", _datasets(5, start=3))
        ws.store.execute("INSERT INTO store_meta VALUES ('k', 'v')")
        raise RuntimeError("injected failure mid-write")
    assert ws.store.count("datasets") == 3
    assert ws.store.count("store_meta") == 0


def test_nested_transactions_join_the_outer_one(ws: Workspace) -> None:
    with pytest.raises(ValueError), ws.store.transaction():
        with ws.store.transaction():
            ws.store.insert_arrow("datasets", _datasets(2))
        assert ws.store.count("datasets") == 2  # visible inside the outer transaction
        raise ValueError("fail after the inner block completed")
    assert ws.store.count("datasets") == 0


def _run(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)], capture_output=True, text=True, timeout=120
    )


def test_process_killed_mid_write_leaves_store_as_before(tmp_path: Path) -> None:
    path = tmp_path / "crash.duckdb"
    with palermo.open(path) as ws:
        ws.store.insert_arrow("datasets", _datasets(4))
    result = _run(
        f"""
        import os, palermo, pyarrow as pa
        ws = palermo.open({str(path)!r})
        ws.store.execute("BEGIN TRANSACTION")
        ws.store.execute("INSERT INTO datasets (dataset_id, kind, source) SELECT 'x' || i, 'k', 's' FROM range(100000) t(i)")
        ws.store.execute("INSERT INTO store_meta VALUES ('half', 'written')")
        os._exit(9)  # the process dies without commit or close
        """
    )
    assert result.returncode == 9, result.stderr
    with palermo.open(path) as ws:
        assert ws.store.count("datasets") == 4
        assert ws.store.count("store_meta") == 0


def test_committed_work_survives_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "durable.duckdb"
    result = _run(
        f"""
        import os, palermo
        ws = palermo.open({str(path)!r})
        with ws.store.transaction():
            ws.store.execute("INSERT INTO store_meta VALUES ('committed', 'yes')")
        os._exit(9)
        """
    )
    assert result.returncode == 9, result.stderr
    with palermo.open(path) as ws:
        assert ws.store.scalar("SELECT value FROM store_meta WHERE key = 'committed'") == "yes"


def test_reads_do_not_block_later_writes(ws: Workspace) -> None:
    ws.store.insert_arrow("datasets", _datasets(2))
    assert ws.info()["tables"]["datasets"] == 2  # counts every table through scalar()
    assert ws.store.insert_arrow("datasets", _datasets(1, start=2)) == 1
    assert ws.store.query_arrow("SELECT count(*) AS n FROM datasets").to_pylist() == [{"n": 3}]


def test_key_conflict_is_reported_as_itself(ws: Workspace) -> None:
    import duckdb

    ws.store.insert_arrow("datasets", _datasets(2))
    with pytest.raises(duckdb.ConstraintException), ws.store.transaction():
        ws.store.insert_arrow("datasets", _datasets(1))  # d0 exists already
    assert ws.store.count("datasets") == 2
    assert ws.store.insert_arrow("datasets", _datasets(1, start=5)) == 1
