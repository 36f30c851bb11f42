"""The agency side: encodings hold no identifying value, are keyed, hardened, and refuse bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from palermo.errors import EncodingInputError
from palermo.linkage import encode_file, load_schema, read_secret
from palermo.linkage._bloom import popcounts
from palermo.linkage._encoded import read_encoded
from palermo.linkage._secret import write_new_secret
from tests.linkage.conftest import AGENCY_A, FIELDS, MATCHES, write_csv


def _dice(a: np.ndarray, b: np.ndarray) -> float:
    shared = int(np.bitwise_count(a & b).sum())
    return 2 * shared / int(np.bitwise_count(a).sum() + np.bitwise_count(b).sum())


def _by_id(path: Path) -> dict[str, np.ndarray]:
    f = read_encoded(path)
    return dict(zip(f.record_ids.to_pylist(), f.words, strict=True))


def test_output_holds_only_ids_and_encodings(
    agency_files: tuple[Path, Path], keyfile: Path, tmp_path: Path
) -> None:
    out = tmp_path / "enc" / "agency-a.parquet"
    summary = encode_file(agency_files[0], load_schema("default"), read_secret(keyfile), out)
    assert summary.records == len(AGENCY_A)
    assert summary.empty_fields == ["place_of_birth"]
    table = pq.read_table(out)
    assert table.column_names == [
        "record_id",
        "clk",
        "block_family_year",
        "block_given_year",
        "block_names",
        "block_birth_date",
    ]
    raw = out.read_bytes()
    for row in AGENCY_A:
        for value in (v for v in row[1:4] if len(v) >= 5):
            assert value.encode() not in raw
            assert value.lower().encode() not in raw
    assert sorted(table.column("record_id").to_pylist()) == [r[0] for r in AGENCY_A]
    assert 300 < summary.mean_popcount < 600


def test_same_people_are_similar_across_spellings(
    agency_files: tuple[Path, Path], keyfile: Path, tmp_path: Path
) -> None:
    schema, secret = load_schema("default"), read_secret(keyfile)
    a = _by_id(
        encode_file(agency_files[0], schema, secret, tmp_path / "a.parquet") and tmp_path / "a.parquet"
    )
    b = _by_id(
        encode_file(agency_files[1], schema, secret, tmp_path / "b.parquet") and tmp_path / "b.parquet"
    )
    scores = {(x, y): _dice(row_a, row_b) for x, row_a in a.items() for y, row_b in b.items()}
    for x, y in MATCHES:  # each true pair is both records' best match
        assert scores[(x, y)] == max(s for (p, _), s in scores.items() if p == x)
        assert scores[(x, y)] == max(s for (_, q), s in scores.items() if q == y)
        assert scores[(x, y)] > 0.65
    assert max(s for pair, s in scores.items() if pair not in MATCHES) < 0.66


def test_encoding_is_deterministic_and_keyed(
    agency_files: tuple[Path, Path], keyfile: Path, tmp_path: Path
) -> None:
    schema = load_schema("default")
    first = _by_id(
        encode_file(agency_files[0], schema, read_secret(keyfile), tmp_path / "1.parquet")
        and tmp_path / "1.parquet"
    )
    again = _by_id(
        encode_file(agency_files[0], schema, read_secret(keyfile), tmp_path / "2.parquet")
        and tmp_path / "2.parquet"
    )
    other_key = write_new_secret(tmp_path / "other.key")
    other = _by_id(
        encode_file(agency_files[0], schema, read_secret(other_key), tmp_path / "3.parquet")
        and tmp_path / "3.parquet"
    )
    for rid in first:
        assert np.array_equal(first[rid], again[rid])
        # the same record under another secret looks like a stranger's
        assert _dice(first[rid], other[rid]) < 0.5


def test_hardening(agency_files: tuple[Path, Path], keyfile: Path, tmp_path: Path) -> None:
    secret = read_secret(keyfile)
    data = load_schema("default").to_json()
    data["clkConfig"]["hardening"] = {"balance": True}
    from palermo.linkage._schema import parse_schema

    balanced = parse_schema(__import__("json").dumps(data), "balanced")
    assert balanced.length == 2048
    encode_file(agency_files[0], balanced, secret, tmp_path / "bal.parquet")
    words = read_encoded(tmp_path / "bal.parquet").words
    assert words.shape[1] == 32
    assert set(popcounts(words).tolist()) == {1024}  # every encoding has exactly l bits set
    hardened = load_schema("hardened")
    encode_file(agency_files[0], hardened, secret, tmp_path / "ha.parquet")
    encode_file(agency_files[1], hardened, secret, tmp_path / "hb.parquet")
    a, b = _by_id(tmp_path / "ha.parquet"), _by_id(tmp_path / "hb.parquet")
    assert a["A1"].shape == (16,)
    assert _dice(a["A2"], b["B2"]) > _dice(a["A2"], b["B7"]) + 0.2


def test_salting_separates_years(keyfile: Path, tmp_path: Path) -> None:
    rows = [
        ["X1", "Ana", "Lopez", "1990-01-01", "F", "ESP"],
        ["X2", "Ana", "Lopez", "1991-01-01", "F", "ESP"],
    ]
    path = write_csv(tmp_path / "x.csv", rows)
    encode_file(path, load_schema("hardened"), read_secret(keyfile), tmp_path / "x.parquet")
    enc = _by_id(tmp_path / "x.parquet")
    assert _dice(enc["X1"], enc["X2"]) < 0.6
    encode_file(path, load_schema("default"), read_secret(keyfile), tmp_path / "y.parquet")
    plain = _by_id(tmp_path / "y.parquet")
    assert _dice(plain["X1"], plain["X2"]) > 0.7


@pytest.mark.parametrize(
    ("rows", "header", "expected"),
    [
        ([["", "Ana", "Lopez", "", "", ""]], None, "row 1, field 'record_id': is empty"),
        (
            [["R1", "Ana", "", "", "", ""], ["R1", "Eva", "", "", "", ""]],
            None,
            "row 1, field 'record_id': is repeated",
        ),
        ([["R1", "", "", "1990-01-01", "F", "ESP"]], None, "row 1, field 'given_name/family_name': no name"),
        (
            [["R1", "Ana", "Lopez", "14/05/1990", "F", "ESP"]],
            None,
            "row 1, field 'date_of_birth': date must be ISO 8601",
        ),
        ([["R1", "Ana", "Lopez", "", "perhaps", ""]], None, "row 1, field 'sex'"),
        ([["R1", "Ana", "Lopez", "", "", "Spain"]], None, "row 1, field 'citizenship'"),
        ([["Ana", "Lopez"]], ["given_name", "family_name"], "field 'record_id': column is missing"),
    ],
)
def test_bad_records_are_refused_without_their_values(
    keyfile: Path, tmp_path: Path, rows: list[list[str]], header: list[str] | None, expected: str
) -> None:
    path = write_csv(tmp_path / "bad.csv", rows, header or FIELDS)
    out = tmp_path / "bad.parquet"
    with pytest.raises(EncodingInputError) as caught:
        encode_file(path, load_schema("default"), read_secret(keyfile), out)
    message = str(caught.value)
    assert expected in message
    for value in ("Ana", "Lopez", "14/05/1990", "perhaps", "Spain", "Eva"):
        assert value not in message
    assert not out.exists()
    assert list(tmp_path.glob("*.tmp")) == []


def test_every_problem_is_listed(keyfile: Path, tmp_path: Path) -> None:
    rows = [
        ["R1", "", "", "", "", ""],
        ["R2", "Ana", "", "1990-99-01", "", ""],
        ["R3", "Eva", "", "", "", ""],
    ]
    with pytest.raises(EncodingInputError) as caught:
        encode_file(
            write_csv(tmp_path / "b.csv", rows),
            load_schema("default"),
            read_secret(keyfile),
            tmp_path / "o.parquet",
        )
    assert [(p.row, p.field) for p in caught.value.problems] == [
        (1, "given_name/family_name"),
        (2, "date_of_birth"),
    ]


def test_skip_unnamed(keyfile: Path, tmp_path: Path) -> None:
    rows = [["R1", "", "", "1990-01-01", "F", ""], ["R2", "Ana", "", "", "", ""]]
    summary = encode_file(
        write_csv(tmp_path / "s.csv", rows),
        load_schema("default"),
        read_secret(keyfile),
        tmp_path / "s.parquet",
        skip_unnamed=True,
    )
    assert summary.records == 1
    assert summary.skipped_rows == [1]


def test_unreadable_inputs(keyfile: Path, tmp_path: Path) -> None:
    schema, secret = load_schema("default"), read_secret(keyfile)
    with pytest.raises(EncodingInputError, match="does not exist"):
        encode_file(tmp_path / "none.csv", schema, secret, tmp_path / "o.parquet")
    latin1 = tmp_path / "l.csv"
    latin1.write_bytes("record_id,given_name\nR1,Jos\xe9\n".encode("latin-1"))
    with pytest.raises(EncodingInputError, match="UTF-8"):
        encode_file(latin1, schema, secret, tmp_path / "o.parquet")
    ragged = tmp_path / "r.csv"
    ragged.write_text("record_id,given_name\nR1,Ana,Secret Surname\n", encoding="utf-8")
    with pytest.raises(EncodingInputError) as caught:
        encode_file(ragged, schema, secret, tmp_path / "o.parquet")
    assert "Secret Surname" not in str(caught.value)
    empty = tmp_path / "e.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(EncodingInputError, match="no header"):
        encode_file(empty, schema, secret, tmp_path / "o.parquet")
