"""Shared fixtures for the linkage tests: a key file, small record files, a small synthetic world."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from palermo.linkage import world_inputs
from palermo.scenario import generate

FIELDS = ["record_id", "given_name", "family_name", "date_of_birth", "sex", "citizenship"]

# Agency A and agency B know some of the same people, spelt their own way.
AGENCY_A = [
    ["A1", "Mohammed", "El Idrissi", "1990-05-14", "M", "MAR"],
    ["A2", "Fatima", "Haddad", "1985-01-02", "F", "SYR"],
    ["A3", "Юлия", "Щербакова", "1999-12-31", "F", "UKR"],
    ["A4", "Ion", "Popescu", "1978-03-09", "M", "ROU"],
    ["A5", "Chinedu", "Okafor", "2001-07-21", "M", "NGA"],
    ["A6", "Maria", "Ionescu", "1995-11-30", "F", "ROU"],
]
AGENCY_B = [
    ["B1", "محمد", "الإدريسي", "1990-05-14", "M", "MA"],
    ["B2", "Fatma", "Hadad", "1985-01-02", "female", "SYR"],
    ["B3", "Ioulia", "Chtcherbakova", "1999-12-31", "F", "UA"],
    ["B4", "Popescu", "Ion", "1978-03-09", "M", "ROU"],
    ["B7", "Thi", "Nguyen", "1988-08-08", "F", "VNM"],
]
MATCHES = {("A1", "B1"), ("A2", "B2"), ("A3", "B3"), ("A4", "B4")}


def write_csv(path: Path, rows: list[list[str]], header: list[str] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header or FIELDS)
        writer.writerows(rows)
    return path


FIXED_SECRET = "5a1e" * 16  # a constant secret keeps similarity scores, hence the tests, reproducible


@pytest.fixture
def keyfile(tmp_path: Path) -> Path:
    path = tmp_path / "project.key"
    path.write_text(FIXED_SECRET + "\n", encoding="ascii")
    return path


@pytest.fixture
def agency_files(tmp_path: Path) -> tuple[Path, Path]:
    return write_csv(tmp_path / "in" / "agency-a.csv", AGENCY_A), write_csv(
        tmp_path / "in" / "agency-b.csv", AGENCY_B
    )


@pytest.fixture(scope="session")
def small_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated world of 3,000 persons (about 1,900 agency records)."""
    out = tmp_path_factory.mktemp("world") / "w"
    generate(3000, 11, out)
    return out


@pytest.fixture(scope="session")
def world_csvs(small_world: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return world_inputs(small_world, tmp_path_factory.mktemp("world-in"))


@pytest.fixture(scope="session")
def session_key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("key") / "project.key"
    path.write_text(FIXED_SECRET + "\n", encoding="ascii")
    return path


@pytest.fixture(scope="session")
def world_encoded(
    world_csvs: dict[str, Path], session_key: Path, tmp_path_factory: pytest.TempPathFactory
) -> list[Path]:
    """Every agency of the small world encoded with the default schema."""
    from palermo.linkage import encode_file, load_schema, read_secret

    out = tmp_path_factory.mktemp("world-enc")
    schema, secret = load_schema("default"), read_secret(session_key)
    paths = []
    for agency, csv_path in world_csvs.items():
        target = out / f"{agency}.parquet"
        encode_file(csv_path, schema, secret, target, skip_unnamed=True)
        paths.append(target)
    return paths
