"""The hub: incompatible files refused before matching, the same people clustered, runs stored."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from palermo.errors import (
    DuplicateSourceError,
    EncodedFileError,
    IncompatibleEncodingsError,
    UnknownLinkageRunError,
)
from palermo.linkage import (
    encode_file,
    evaluate,
    histories_from_links,
    load_schema,
    match_files,
    read_links,
    read_secret,
    world_truth,
)
from palermo.linkage._candidates import Stack
from palermo.linkage._encoded import read_all
from palermo.linkage._secret import write_new_secret
from palermo.workspace import Workspace
from tests.linkage.conftest import MATCHES


def _encode_pair(files: tuple[Path, Path], key: Path, out: Path, schema: str = "default") -> list[Path]:
    paths = []
    for f in files:
        target = out / f"{f.stem}.parquet"
        encode_file(f, load_schema(schema), read_secret(key), target)
        paths.append(target)
    return paths


def _pairs(result: object) -> set[tuple[str, str]]:
    records = result.records  # type: ignore[attr-defined]
    by_cluster: dict[int, list[str]] = {}
    for c, rid in zip(
        records.column("cluster_id").to_pylist(), records.column("record_id").to_pylist(), strict=True
    ):
        by_cluster.setdefault(c, []).append(rid)
    return {tuple(sorted(v)) for v in by_cluster.values() if len(v) > 1}  # type: ignore[misc]


def test_two_agencies_link_their_common_people(
    agency_files: tuple[Path, Path], keyfile: Path, tmp_path: Path
) -> None:
    paths = _encode_pair(agency_files, keyfile, tmp_path / "enc")
    result = match_files(paths, threshold=0.65)
    assert _pairs(result) == MATCHES
    assert result.sources == ["agency-a", "agency-b"]
    assert result.record_count == 11
    assert result.cluster_count == 7
    histories = {tuple(r.values()): r for r in result.capture_histories().to_pylist()}
    assert {(r["agency-a"], r["agency-b"]): r["count"] for r in histories.values()} == {
        (0, 1): 1,
        (1, 0): 2,
        (1, 1): 4,
    }
    assert result.overlaps()["agency-a"]["agency-b"] == 4
    assert "parameters" in result.summary()


def test_encodings_from_two_secrets_never_link(
    agency_files: tuple[Path, Path], keyfile: Path, tmp_path: Path
) -> None:
    other = write_new_secret(tmp_path / "other.key")
    a = _encode_pair((agency_files[0],), keyfile, tmp_path / "one")[0]
    b = _encode_pair((agency_files[1],), other, tmp_path / "two")[0]
    with pytest.raises(IncompatibleEncodingsError) as caught:
        match_files([a, b])
    message = str(caught.value)
    assert "different secrets" in message and str(a) in message and str(b) in message
    # and even compared regardless of the check, no pair comes near the threshold
    files = read_all([a, _encode_pair((agency_files[1],), keyfile, tmp_path / "three")[0]])
    foreign = read_all([b])[0]
    stack = Stack.of([files[0], foreign], missing="ignore")
    from palermo.linkage._candidates import exact_pairs

    assert len(exact_pairs([files[0], foreign], stack, 0.6, None).a) == 0


def test_mixed_schemas_and_lengths_are_refused(
    agency_files: tuple[Path, Path], keyfile: Path, tmp_path: Path
) -> None:
    a = _encode_pair((agency_files[0],), keyfile, tmp_path / "d")[0]
    b = _encode_pair((agency_files[1],), keyfile, tmp_path / "h", schema="hardened")[0]
    with pytest.raises(IncompatibleEncodingsError, match="different schemas") as caught:
        match_files([a, b])
    assert "'default'" in str(caught.value) and "'hardened'" in str(caught.value)
    data = load_schema("default").to_json()
    data["clkConfig"]["l"] = 512
    from palermo.linkage._schema import parse_schema

    short = tmp_path / "s" / "agency-b.parquet"
    encode_file(
        agency_files[1], parse_schema(__import__("json").dumps(data), "short"), read_secret(keyfile), short
    )
    with pytest.raises(IncompatibleEncodingsError, match=r"different encoding lengths.*1024 bits.*512 bits"):
        match_files([a, short])


def test_one_agency_given_twice(agency_files: tuple[Path, Path], keyfile: Path, tmp_path: Path) -> None:
    a, b = _encode_pair(agency_files, keyfile, tmp_path / "enc")
    with pytest.raises(DuplicateSourceError, match="given twice"):
        match_files([a, b, a])
    copy = tmp_path / "elsewhere" / "agency-a.parquet"
    copy.parent.mkdir()
    shutil.copy(a, copy)
    with pytest.raises(DuplicateSourceError, match="agency 'agency-a'"):
        match_files([a, copy])
    renamed = tmp_path / "agency-c.parquet"
    shutil.copy(a, renamed)
    with pytest.raises(DuplicateSourceError, match="same encodings"):
        match_files([a, b, renamed])


def test_files_that_are_not_encodings(agency_files: tuple[Path, Path], keyfile: Path, tmp_path: Path) -> None:
    a = _encode_pair((agency_files[0],), keyfile, tmp_path / "enc")[0]
    with pytest.raises(EncodedFileError, match="not a Parquet file"):
        match_files([a, agency_files[1]])
    plain = tmp_path / "plain.parquet"
    pq.write_table(pa.table({"record_id": ["x"]}), plain)
    with pytest.raises(EncodedFileError, match="no Palermo encoding metadata"):
        match_files([a, plain])
    with pytest.raises(EncodedFileError, match="does not exist"):
        match_files([a, tmp_path / "missing.parquet"])


def test_small_world_links_with_blocking_as_well_as_all_pairs(
    world_encoded: list[Path], small_world: Path
) -> None:
    truth = world_truth(small_world)
    exact = match_files(world_encoded, threshold=0.7, blocking="none")
    blocked = match_files(world_encoded, threshold=0.7, blocking="keys")
    quality_exact, quality_blocked = evaluate(exact.records, truth), evaluate(blocked.records, truth)
    assert blocked.parameters["comparisons"] < exact.parameters["comparisons"] / 100
    assert quality_blocked.precision > 0.9 and quality_blocked.recall > 0.65 and quality_blocked.f1 > 0.78
    assert quality_exact.f1 > 0.7
    assert (
        quality_blocked.records
        == quality_exact.records
        == truth.num_rows - blocked.parameters.get("unnamed", 0)
    )
    # never two records of one agency in a cluster without a within-agency link
    strict = match_files(world_encoded, threshold=0.7, blocking="keys", dedupe=False)
    per = strict.records.group_by(["cluster_id", "source"]).aggregate([("record_id", "count")])
    assert max(per.column("record_id_count").to_pylist()) == 1


def test_runs_are_stored_and_read_back(ws: Workspace, world_encoded: list[Path], tmp_path: Path) -> None:
    result = ws.linkage.match(world_encoded, threshold=0.85)
    assert result.run_id is not None and result.run_id.startswith("encoded-")
    run = ws.linkage.run(result.run_id)
    assert run.sources == result.sources and run.records == result.record_count
    assert ws.linkage.capture_histories(result.run_id).equals(result.capture_histories())
    histories = result.capture_histories()
    assert sum(histories.column("count").to_pylist()) == result.cluster_count
    assert histories.column_names == [*result.sources, "count"]
    links = result.write_links(tmp_path / "LINKS.csv")
    assert links.read_text(encoding="utf-8").splitlines()[0] == "cluster_id,source,record_id"
    assert histories_from_links(read_links(links), result.sources).equals(histories)
    stored = ws.linkage.result(result.run_id)
    assert stored.records.sort_by([("source", "ascending"), ("record_id", "ascending")]).equals(
        result.records.sort_by([("source", "ascending"), ("record_id", "ascending")])
    )
    assert [r.run_id for r in ws.linkage.runs()] == [result.run_id]
    ws.linkage.delete_run(result.run_id)
    with pytest.raises(UnknownLinkageRunError, match="no linkage run"):
        ws.linkage.capture_histories(result.run_id)
