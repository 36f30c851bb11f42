"""Reading capture-history tables: the real ones, every bad-input rule, merging and tidying."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from palermo.errors import CaptureTableError
from palermo.estimate import CaptureTable, read_links_csv, read_table_csv, table_from_clusters
from tests.estimate.helpers import table, write


def test_uk_table(uk: CaptureTable) -> None:
    assert uk.lists == ("LA", "NG", "PF", "GO", "GP", "NCA")
    assert uk.observed == 2744
    assert int((uk.counts > 0).sum()) == 25
    assert uk.list_totals()["PF"] == 907 + 19 + 56 + 69 + 10 + 31 + 1 + 4 + 3 + 1 + 1
    assert uk.overlap(0, 4) == 0 and uk.overlap(0, 5) == 0  # LA never shares a case with GP or NCA
    assert uk.notes == ()


def test_float_coded_five_list_tables(mse_dir: Path) -> None:
    uk5 = read_table_csv(mse_dir / "UKdat_5.csv")[None]
    assert uk5.lists == ("LA", "NG", "PFNCA", "GO", "GP")
    assert uk5.observed == 2744
    ned5 = read_table_csv(mse_dir / "Ned_5.csv")[None]
    assert ned5.observed == 8234


def test_netherlands_repeated_history_is_added_and_said(mse_dir: Path) -> None:
    ned = read_table_csv(mse_dir / "Ned.csv")[None]
    assert ned.lists == ("I", "K", "O", "P", "R", "Z")
    assert ned.observed == 8234
    oz = (1 << 2) | (1 << 5)
    assert ned.counts[oz] == 57 + 2
    assert ned.notes == ("history O+Z appears on more than one row; the counts were added",)


def test_merging_uk_police_lists_gives_the_published_five_list_table(
    uk: CaptureTable, uk5: CaptureTable
) -> None:
    merged = uk.merge({"PFNCA": ["PF", "NCA"]})
    assert merged.lists == uk5.lists
    assert np.array_equal(merged.counts, uk5.counts)
    assert merged.merged == (("PFNCA", ("PF", "NCA")),)


def test_every_bad_row_is_reported_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path / "bad.csv",
        "A,B,C,count\n1,0,0,3\n0,2,0,4\n0,0,0,5\n1,1,0,-2\n1,0,1,x\n0,1,1,2.5\n1,1,1\n",
    )
    with pytest.raises(CaptureTableError) as info:
        read_table_csv(path)
    rules = [(p.row, p.field) for p in info.value.problems]
    assert rules == [(3, "B"), (4, "history"), (5, "count"), (6, "count"), (7, "count"), (8, "row")]
    message = str(info.value)
    assert message.startswith(f"invalid capture-history table {path} (6 problems): row 3, field 'B'")
    assert "and 1 more" in message


def test_fewer_than_three_lists_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CaptureTableError, match="at least 3 list columns"):
        read_table_csv(write(tmp_path / "two.csv", "A,B,n\n1,0,3\n0,1,4\n1,1,2\n"))


def test_all_zero_history_with_zero_count_is_ignored_with_a_note(tmp_path: Path) -> None:
    t = read_table_csv(write(tmp_path / "z.csv", "A,B,C,count\n0,0,0,0\n1,0,0,3\n0,1,1,0\n1,1,1,2\n"))[None]
    assert t.observed == 5
    assert t.notes == ("2 row(s) with a zero count were ignored",)


def test_count_column_found_by_name_anywhere(tmp_path: Path) -> None:
    t = read_table_csv(write(tmp_path / "c.csv", "frequency,X,Y,Z\n4,1,0,0\n5,0,1,1\n"))[None]
    assert t.lists == ("X", "Y", "Z")
    assert t.observed == 9


def test_semicolon_delimiter_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_bytes("\ufeffA;B;C;count\n1;0;0;3\n0;1;1;4\n".encode())
    t = read_table_csv(path)[None]
    assert t.lists == ("A", "B", "C") and t.observed == 7


def test_stratified_table(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", "A,B,C,sex,count\n1,0,0,f,3\n0,1,0,f,4\n1,0,0,m,6\n1,1,1,m,1\n")
    tables = read_table_csv(path, stratify="sex")
    assert sorted(str(k) for k in tables) == ["f", "m"]
    assert tables["f"].observed == 7 and tables["m"].observed == 7
    assert tables["m"].stratum == "m"
    with pytest.raises(CaptureTableError, match="no such column"):
        read_table_csv(path, stratify="age")


def test_missing_and_binary_files(tmp_path: Path) -> None:
    with pytest.raises(CaptureTableError, match="not found"):
        read_table_csv(tmp_path / "none.csv")
    (tmp_path / "bin.csv").write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(CaptureTableError, match="not UTF-8"):
        read_table_csv(tmp_path / "bin.csv")


def test_tidy_drops_uninformative_lists() -> None:
    t = table("ABCDE", AB=3, ACE=2, BCE=4, AE=1)  # D has no case; E is identical to ... nobody
    tidy = t.tidy()
    assert tidy.lists == ("A", "B", "C", "E")
    assert "list D has no case and was left out" in tidy.notes
    everyone = table("ABCD", AD=3, BD=2, CD=4, ABD=1).tidy()
    assert everyone.lists == ("A", "B", "C")
    same = table("ABCD", AB=3, ABC=2, C=4, D=1).tidy()  # A and B always together
    assert same.lists == ("A+B", "C", "D")
    assert same.merged == (("A+B", ("A", "B")),)


def test_merge_refuses_unknown_and_reused_lists() -> None:
    t = table("ABCD", A=1, B=1, C=1, D=1)
    with pytest.raises(CaptureTableError, match="no such list"):
        t.merge({"X": ["A", "Q"]})
    with pytest.raises(CaptureTableError, match="two merges"):
        t.merge({"X": ["A", "B"], "Y": ["B", "C"]})


def test_links_file(tmp_path: Path) -> None:
    path = write(
        tmp_path / "LINKS.csv",
        "cluster_id,source,record_id\n1,pol,p1\n1,ngo,n1\n2,pol,p2\n2,pol,p3\n3,lab,l1\n4,ngo,n2\n4,lab,l2\n4,pol,p4\n",
    )
    t = read_links_csv(path)
    assert t.lists == ("lab", "ngo", "pol")
    assert t.rows() == [
        {"history": "lab", "count": 1},
        {"history": "pol", "count": 1},
        {"history": "ngo+pol", "count": 1},
        {"history": "lab+ngo+pol", "count": 1},
    ]
    assert t.notes == (
        "1 person(s) have more than one record in the same list; each counts once on that list",
    )
    with pytest.raises(CaptureTableError, match="required column missing"):
        read_links_csv(write(tmp_path / "x.csv", "cluster,source,record_id\n1,a,b\n"))


def test_clusters_build_the_same_table_as_counting_by_hand() -> None:
    t = table_from_clusters([("a", "X"), ("a", "Y"), ("b", "Y"), ("c", "Z"), ("d", "Z")], source="t")
    assert t.observed == 4
    assert t.rows() == [
        {"history": "Y", "count": 1},
        {"history": "X+Y", "count": 1},
        {"history": "Z", "count": 2},
    ]
