"""Hostile files: each gives quarantined rows with reasons, or one clear error before anything is
written; a crash half way leaves the store as it was. No message or problem holds a value."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from palermo.errors import IngestError
from palermo.workspace import Workspace

from .conftest import GOOD_ROWS, HEADER, table_counts, write_csv


def _problems(ws: Workspace) -> list[tuple[int, list[tuple[str, str]]]]:
    return [(e.source_row, [(p["field"], p["rule"]) for p in e.problems]) for e in ws.ingest.quarantine()]


# generated ids and timestamps can hold any digits (a microsecond of 250…): they are not row values
_GENERATED = ("quarantined_at", "resolved_at", "run_id", "dataset_id")


def _no_value_leaks(ws: Workspace, *values: str) -> None:
    listing = [e.to_json() for e in ws.ingest.quarantine(status=None)]
    text = json.dumps(
        [{k: v for k, v in e.items() if k not in _GENERATED} for e in listing], ensure_ascii=False
    )
    for value in values:
        assert value not in text, "a quarantine listing must never show a value"


def _refused(ws: Workspace, path: Path, mapping: Path | str, *fragments: str) -> str:
    before = table_counts(ws)
    with pytest.raises(IngestError) as caught:
        ws.ingest.ingest(path, mapping)
    assert table_counts(ws) == before, "nothing written"
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message
    return message


def test_good_rows(ws: Workspace, tmp_path: Path, agency_mapping: Path) -> None:
    path = write_csv(tmp_path / "good.csv", "\n".join([HEADER, *GOOD_ROWS]) + "\n")
    result = ws.ingest.ingest(path, agency_mapping)
    assert result.counts() == {"rows_read": 3, "ingested": 3, "quarantined": 0, "duplicates_skipped": 0}
    countries = sorted(r[0][0] for r in ws.store.execute("SELECT citizenship FROM persons").fetchall())
    assert countries == ["CIV", "COD", "VNM"]
    bands = sorted(str(r[0]) for r in ws.store.execute("SELECT age_band FROM persons").fetchall())
    assert bands == ["30--38", "30--38", "None"]


def test_wrong_delimiter(ws: Workspace, tmp_path: Path, agency_mapping: Path) -> None:
    text = "\n".join([HEADER, *GOOD_ROWS]).replace(";", ",") + "\n"
    message = _refused(ws, write_csv(tmp_path / "commas.csv", text), agency_mapping, "delimiter")
    assert "','-delimited" in message


def test_mixed_encodings_quarantine_the_latin1_rows(
    ws: Workspace, tmp_path: Path, agency_mapping: Path
) -> None:
    body = ("\n".join([HEADER, *GOOD_ROWS]) + "\n").encode("utf-8")
    latin = "Zoé Ferré;F;01/01/1991;30;France;02/02/2021;labour\n".encode("latin-1")
    path = tmp_path / "mixed.csv"
    path.write_bytes(body + latin)
    result = ws.ingest.ingest(path, agency_mapping)
    assert result.counts() == {"rows_read": 4, "ingested": 3, "quarantined": 1, "duplicates_skipped": 0}
    assert _problems(ws) == [
        (4, [("row", "text is not valid utf-8 (set reader.fallback_encoding, or retry with --encoding)")])
    ]
    _no_value_leaks(ws, "Zo", "Ferr")
    retried = ws.ingest.retry(run_id=result.run_id, encoding="latin-1")
    assert (retried.ingested, retried.still_quarantined) == (1, 0)
    names = {r[0] for r in ws.store.execute("SELECT family_name FROM person_identities").fetchall()}
    assert "Ferré" in names


def test_fallback_encoding_reads_the_latin1_rows(ws: Workspace, tmp_path: Path, agency_mapping: Path) -> None:
    mapping = agency_mapping.read_text().replace(
        "encoding: utf-8}", "encoding: utf-8, fallback_encoding: latin-1}"
    )
    agency_mapping.write_text(mapping)
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        ("\n".join([HEADER, *GOOD_ROWS]) + "\n").encode() + "Zoé Ferré;F;-;-;France;-;-\n".encode("latin-1")
    )
    result = ws.ingest.ingest(path, agency_mapping)
    assert result.counts()["ingested"] == 4 and result.details["rows_decoded_with_fallback"] == 1


@pytest.mark.parametrize("bom", ["utf-8-sig", "utf-16"])
def test_byte_order_mark(ws: Workspace, tmp_path: Path, agency_mapping: Path, bom: str) -> None:
    path = write_csv(tmp_path / "bom.csv", "\n".join([HEADER, *GOOD_ROWS]) + "\n", encoding=bom)
    assert ws.ingest.ingest(path, agency_mapping).counts()["ingested"] == 3


def test_truncated_last_line(ws: Workspace, tmp_path: Path, agency_mapping: Path) -> None:
    text = "\n".join([HEADER, *GOOD_ROWS, "Dee Ray;F;01/0"])
    result = ws.ingest.ingest(write_csv(tmp_path / "cut.csv", text), agency_mapping)
    assert result.counts() == {"rows_read": 4, "ingested": 3, "quarantined": 1, "duplicates_skipped": 0}
    ((row, problems),) = _problems(ws)
    assert row == 4 and problems[0][1].startswith("row has 3 fields; the header has 7")


def test_unterminated_quote_at_the_end(ws: Workspace, tmp_path: Path, agency_mapping: Path) -> None:
    text = "\n".join([HEADER, *GOOD_ROWS, 'Dee Ray;F;"01/0'])
    result = ws.ingest.ingest(write_csv(tmp_path / "cut.csv", text), agency_mapping)
    assert (result.rows_read, result.ingested, result.quarantined) == (4, 3, 1)


def test_duplicate_headers(ws: Workspace, tmp_path: Path, agency_mapping: Path) -> None:
    text = "\n".join([HEADER + ";sex", *(r + ";F" for r in GOOD_ROWS)]) + "\n"
    _refused(
        ws,
        write_csv(tmp_path / "dup.csv", text),
        agency_mapping,
        "column 'sex' appears more than once",
        "positions 2, 8",
    )
    unmapped = "\n".join([HEADER + ";note;note", *(r + ";a;b" for r in GOOD_ROWS)]) + "\n"
    agency_mapping.write_text(
        agency_mapping.read_text().replace("encoding: utf-8}", "encoding: utf-8, unknown_columns: ignore}")
    )
    assert ws.ingest.ingest(write_csv(tmp_path / "dup2.csv", unmapped), agency_mapping).ingested == 3


def test_extra_and_missing_columns(ws: Workspace, tmp_path: Path, agency_mapping: Path) -> None:
    extra = "\n".join([HEADER + ";remarks", *(r + ";x" for r in GOOD_ROWS)]) + "\n"
    _refused(
        ws,
        write_csv(tmp_path / "extra.csv", extra),
        agency_mapping,
        "columns the mapping does not name: remarks",
    )
    no_country = "\n".join(
        ";".join(c for i, c in enumerate(line.split(";")) if i != 4) for line in [HEADER, *GOOD_ROWS]
    )
    _refused(
        ws,
        write_csv(tmp_path / "missing.csv", no_country),
        agency_mapping,
        "required column(s) missing",
        "country",
    )
    no_forms = "\n".join(line.rsplit(";", 1)[0] for line in [HEADER, *GOOD_ROWS])
    result = ws.ingest.ingest(write_csv(tmp_path / "no_forms.csv", no_forms), agency_mapping)
    assert result.ingested == 3 and ws.store.count("case_exploitation") == 0, (
        "an optional column may be absent"
    )


def test_rows_with_extra_and_missing_fields(ws: Workspace, tmp_path: Path, agency_mapping: Path) -> None:
    rows = [GOOD_ROWS[0] + ";surplus", GOOD_ROWS[1], GOOD_ROWS[2].rsplit(";", 2)[0]]
    result = ws.ingest.ingest(
        write_csv(tmp_path / "ragged.csv", "\n".join([HEADER, *rows]) + "\n"), agency_mapping
    )
    assert result.counts() == {"rows_read": 3, "ingested": 1, "quarantined": 2, "duplicates_skipped": 0}
    rules = {row: problems[0][1] for row, problems in _problems(ws)}
    assert rules[1].startswith("row has 8 fields") and rules[3].startswith("row has 5 fields")


def test_unknown_codes_impossible_dates_ages_and_countries(
    ws: Workspace, tmp_path: Path, agency_mapping: Path
) -> None:
    rows = [
        "Ann Ames;X;01/01/1990;30;France;01/01/2020;labour",  # unknown sex code
        "Bea Bell;F;31/02/1990;30;France;01/01/2020;labour",  # no 31 February
        "Cal Cole;M;01/01/1990;250;France;01/01/2020;labour",  # age 250
        "Dan Dorr;M;01/01/1990;-3;France;01/01/2020;labour",  # age -3
        "Eve Earl;F;01/01/1990;30;Atlantis;01/01/2020;labour",  # no such country
        "Fay Fox;F;01/01/1990;30;France;01/01/2020;smuggling",  # unknown exploitation form
        "Gus Gray;M;12/31/1990;x;Kosovo;2020-13-45;labour",  # several at once
    ]
    result = ws.ingest.ingest(
        write_csv(tmp_path / "bad.csv", "\n".join([HEADER, *rows]) + "\n"), agency_mapping
    )
    assert result.counts() == {"rows_read": 7, "ingested": 0, "quarantined": 7, "duplicates_skipped": 0}
    found = dict(_problems(ws))
    unknown = "value not known for this column (add it to the mapping's values)"
    assert found[1] == [("sex -> persons.gender", unknown)]
    assert found[2] == [("born -> person_identities.birth_date", "not a date in the format %d/%m/%Y")]
    assert found[3] == [("age -> persons.age_at_identification", "must lie between 0 and 130")]
    assert found[4] == found[3]
    assert found[5] == [
        ("country -> persons.citizenship", "matches no country (ISO 3166 code or name, or a known variant)")
    ]
    assert found[6] == [("forms -> case_exploitation", unknown)]
    assert [field for field, _ in found[7]] == [
        "born -> person_identities.birth_date",
        "age -> persons.age_at_identification",
        "country -> persons.citizenship",
        "seen -> cases.registration_date",
    ]
    _no_value_leaks(ws, "Atlantis", "250", "smuggling", "31/02/1990", "Ames")


@pytest.mark.parametrize("content", [b"", b"   \n\n", b"\xef\xbb\xbf"])
def test_empty_file(ws: Workspace, tmp_path: Path, agency_mapping: Path, content: bytes) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    _refused(ws, path, agency_mapping, "empty file")


def test_header_only_reads_no_row(ws: Workspace, tmp_path: Path, agency_mapping: Path) -> None:
    result = ws.ingest.ingest(write_csv(tmp_path / "h.csv", HEADER + "\n"), agency_mapping)
    assert result.counts() == {"rows_read": 0, "ingested": 0, "quarantined": 0, "duplicates_skipped": 0}


def test_binary_file_named_csv(ws: Workspace, tmp_path: Path, agency_mapping: Path) -> None:
    path = tmp_path / "photo.csv"
    path.write_bytes(bytes(range(256)) * 64)
    _refused(ws, path, agency_mapping, "binary content, not delimited text")
    png = tmp_path / "image.csv"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(4096))
    _refused(ws, png, agency_mapping, "binary content")


def test_crash_mid_file_leaves_the_store_unchanged(
    ws: Workspace, tmp_path: Path, agency_mapping: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from palermo.ingest import _csvreader, _run

    path = write_csv(tmp_path / "many.csv", "\n".join([HEADER, *(GOOD_ROWS * 400)]) + "\n")
    monkeypatch.setattr(_csvreader, "BLOCK_BYTES", 4096)
    before = table_counts(ws)
    real = _run.Run.process
    calls = {"n": 0}

    def crashing(self: _run.Run, *args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("injected: disk unplugged half way")
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(_run.Run, "process", crashing)
    with pytest.raises(OSError, match="injected"):
        ws.ingest.ingest(path, agency_mapping, chunk_rows=100)  # 4 KiB blocks, a batch per block
    assert calls["n"] == 3, "two batches had been written before the crash"
    assert table_counts(ws) == before
    monkeypatch.setattr(_run.Run, "process", real)
    assert ws.ingest.ingest(path, agency_mapping).counts()["ingested"] == 1200


def test_killed_process_leaves_the_store_unchanged(
    ws: Workspace, tmp_path: Path, agency_mapping: Path
) -> None:
    """A real crash: the process is killed (SIGKILL) while ingesting; the store reopens unchanged."""
    path = write_csv(tmp_path / "many.csv", "\n".join([HEADER, *(GOOD_ROWS * 400)]) + "\n")
    store = ws.path
    before = table_counts(ws)
    ws.close()
    script = textwrap.dedent(
        f"""
        import os, signal
        import palermo
        from palermo.ingest import _csvreader, _run
        _csvreader.BLOCK_BYTES = 4096
        real, calls = _run.Run.process, [0]
        def dying(self, *a, **k):
            calls[0] += 1
            if calls[0] == 3:
                os.kill(os.getpid(), signal.SIGKILL)
            return real(self, *a, **k)
        _run.Run.process = dying
        with palermo.open({str(store)!r}) as ws:
            ws.ingest.ingest({str(path)!r}, {str(agency_mapping)!r}, chunk_rows=100)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr
    import palermo

    with palermo.open(store) as again:
        assert table_counts(again) == before


def test_batches_are_released_inside_the_run_transaction(
    ws: Workspace, tmp_path: Path, agency_mapping: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file is one transaction, and its batches must not pile up in it: the Arrow memory in use
    after the last batch is that after the first (DuckDB 2 keeps a *registered* Arrow table alive
    until the transaction ends, so the ingest never registers one)."""
    import pyarrow as pa

    from palermo.ingest import _csvreader, _run

    monkeypatch.setattr(_csvreader, "BLOCK_BYTES", 16 * 1024)
    path = write_csv(tmp_path / "many.csv", "\n".join([HEADER, *(GOOD_ROWS * 8000)]) + "\n")
    real = _run.Run.batch
    in_use: list[int] = []

    def watched(self: _run.Run, batch: object) -> None:
        real(self, batch)  # type: ignore[arg-type]
        in_use.append(pa.total_allocated_bytes())

    monkeypatch.setattr(_run.Run, "batch", watched)
    assert ws.ingest.ingest(path, agency_mapping, chunk_rows=2000).counts()["ingested"] == 24_000
    assert len(in_use) >= 10
    assert in_use[-1] - in_use[0] < 1024 * 1024, [f"{b / 2**20:.1f} MiB" for b in in_use]
