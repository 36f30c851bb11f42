"""Linkage schemas (shipped and custom, errors collected) and the shared secret (HKDF, key files)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from palermo.errors import LinkageSchemaError, LinkageSecretError, UnknownLinkageSchemaError
from palermo.linkage import load_schema, shipped_schemas
from palermo.linkage._schema import parse_schema
from palermo.linkage._secret import hkdf, read_secret, write_new_secret


def test_shipped_schemas_load() -> None:
    assert {"default", "hardened"} <= set(shipped_schemas())
    default = load_schema("default")
    assert default.length == 1024
    assert [f.identifier for f in default.features] == [
        "record_id",
        "given_name",
        "family_name",
        "date_of_birth",
        "sex",
        "citizenship",
        "place_of_birth",
    ]
    hardened = load_schema("hardened")
    assert hardened.clk_config.hardening.balance
    assert hardened.fingerprint != default.fingerprint


def test_fingerprint_ignores_descriptions_only() -> None:
    data = load_schema("default").to_json()
    same = {**data, "description": "another text"}
    assert parse_schema(json.dumps(same), "x").fingerprint == load_schema("default").fingerprint
    longer = {**data, "clkConfig": {**data["clkConfig"], "l": 2048}}
    assert parse_schema(json.dumps(longer), "x").fingerprint != load_schema("default").fingerprint


def test_schema_problems_are_collected_with_their_place(tmp_path: Path) -> None:
    data = load_schema("default").to_json()
    data["clkConfig"]["l"] = 1000
    data["features"][1]["hashing"]["strategy"] = {}
    data["features"].append(
        {
            "identifier": "age",
            "format": {"type": "sex"},
            "hashing": {"comparison": {"type": "ngram"}, "strategy": {"bitsPerToken": 3}},
        }
    )
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(LinkageSchemaError) as caught:
        load_schema(path)
    fields = [p.field for p in caught.value.problems]
    assert "clkConfig" in fields
    assert any(f.startswith("features[1].hashing.strategy") for f in fields)
    assert any(f.startswith("features[7]") for f in fields)
    assert str(path) in str(caught.value)


def test_schema_must_carry_record_id_unhashed(tmp_path: Path) -> None:
    data = load_schema("default").to_json()
    data["features"] = data["features"][1:]
    with pytest.raises(LinkageSchemaError, match="record_id"):
        parse_schema(json.dumps(data), "no-id")


def test_unknown_schema_and_bad_json(tmp_path: Path) -> None:
    with pytest.raises(UnknownLinkageSchemaError, match="default"):
        load_schema("no-such-schema")
    bad = tmp_path / "s.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(LinkageSchemaError, match="not valid JSON"):
        load_schema(bad)


def test_hkdf_rfc5869_test_case_1() -> None:
    ikm = bytes.fromhex("0b" * 22)
    salt = bytes.fromhex("000102030405060708090a0b0c")
    info = bytes.fromhex("f0f1f2f3f4f5f6f7f8f9")
    okm = hkdf(ikm, salt, info, 42)
    assert okm.hex() == (
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
    )


def test_key_files(tmp_path: Path) -> None:
    key = write_new_secret(tmp_path / "k")
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert len(key.read_text().strip()) == 64
    with pytest.raises(LinkageSecretError, match="already exists"):
        write_new_secret(key)
    secret = read_secret(key)
    assert repr(secret) == "Secret(**********)"
    assert secret.key_check(salt="s") != read_secret(write_new_secret(tmp_path / "k2")).key_check(salt="s")


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "does not exist"), (b"", "is empty"), (b"  \n", "is empty"), (b"short-secret", "too short")],
)
def test_bad_key_files(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "key"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(LinkageSecretError, match=message) as caught:
        read_secret(path)
    assert "short-secret" not in str(caught.value)


def test_no_secret_given() -> None:
    with pytest.raises(LinkageSecretError, match="--secret-file"):
        read_secret(None)
