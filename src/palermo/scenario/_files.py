"""Read a generated world back: its summary, and each agency's file in that agency's own format."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from palermo.errors import ScenarioError


def read_summary(world_dir: Path) -> dict[str, Any]:
    """``truth/summary.json`` of a world folder, with a clear error when the folder is not a world."""
    path = Path(world_dir) / "truth" / "summary.json"
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScenarioError(f"{world_dir} is not a generated world (no truth/summary.json)") from None
    except json.JSONDecodeError as exc:
        raise ScenarioError(f"{path}: not valid JSON (line {exc.lineno})") from None
    return data


def read_agency_file(world_dir: Path, agency_id: str) -> pa.Table:
    """One agency's records as written, in its format (CSV with its delimiter, encoding and banner
    column; JSON Lines; Parquet). CSV and JSON values are read as text, exactly as in the file."""
    summary = read_summary(world_dir)
    info = summary["agencies"].get(agency_id)
    if info is None:
        raise ScenarioError(f"world {world_dir} has no agency '{agency_id}'")
    path = Path(world_dir) / info["file"]
    fmt = info["format"]
    if fmt["kind"] == "parquet":
        return pq.read_table(path)
    if fmt["kind"] == "jsonl":
        con = duckdb.connect()
        try:
            table: pa.Table = con.sql(
                "SELECT * FROM read_json(?, format='newline_delimited', records=true, "
                "maximum_object_size=1048576, sample_size=-1, union_by_name=true)",
                params=[str(path)],
            ).to_arrow_table()
            return table
        finally:
            con.close()
    text = path.read_bytes().decode(str(fmt.get("encoding", "utf-8")))
    delimiter = str(fmt.get("delimiter", ","))
    header = next(csv.reader(io.StringIO(text), delimiter=delimiter))
    result: pa.Table = pacsv.read_csv(
        pa.BufferReader(text.encode("utf-8")),
        parse_options=pacsv.ParseOptions(delimiter=delimiter),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=False
        ),
    )
    if fmt.get("banner"):
        result = result.drop_columns([header[0]])
    return result
