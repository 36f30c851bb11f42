"""Linkage schemas: which fields are encoded, how, and with what hardening.

The file format follows the spirit of clkhash's v3 schema (``clkConfig`` with the length ``l`` and
the key derivation, ``features`` with an ``identifier``, a ``format`` and ``hashing`` made of a
``comparison`` and a ``strategy``), extended with what Palermo needs: a ``sound`` form of names,
``keyGroup`` (fields hashed with one key, so that swapped given and family names still agree),
hardening (``balance``, ``xorFolds``, ``saltField``) and encoded ``blocking`` keys. Shipped
schemas live in ``data/schemas/NAME.json``.
"""

from __future__ import annotations

import hashlib
import json
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from palermo.errors import LinkageSchemaError, Problem, UnknownLinkageSchemaError

FORMAT_VERSION = 1
SHIPPED_DIR = "data/schemas"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Kdf(_Model):
    type: Literal["HKDF"] = "HKDF"
    hash: Literal["SHA256", "SHA512"] = "SHA256"
    salt: str = Field(default="palermo-linkage-v1", min_length=1)
    key_size: int = Field(default=64, ge=16, le=64, alias="keySize")


class Hardening(_Model):
    balance: bool = False
    """Append the complement of the filter and permute all bits with a keyed permutation: every
    encoding then has exactly l bits set (hides how much was encoded); doubles the length."""
    xor_folds: int = Field(default=0, ge=0, le=3, alias="xorFolds")
    """Fold the filter onto itself with XOR this many times; each fold halves the length."""
    salt_field: Literal["date_of_birth.year", "sex", "citizenship"] | None = Field(
        default=None, alias="saltField"
    )
    """Mix this stable attribute into every hash key: records that differ in it share no bits."""


class ClkConfig(_Model):
    l: int = Field(default=1024, ge=64, le=8192)  # noqa: E741 (clkhash's name)
    kdf: Kdf = Field(default_factory=Kdf)
    hash: Literal["blake2b", "hmac-sha256"] = "blake2b"
    hardening: Hardening = Field(default_factory=Hardening)
    presence: bool = False
    """Write which fields each record has (one bit per field) beside its encoding, so the hub can
    leave out of a comparison the bits of a field one of the two records lacks (``--missing
    records``). Off by default: it tells the hub which fields each record is missing."""

    @model_validator(mode="after")
    def _length(self) -> ClkConfig:
        if self.l % 64:
            raise ValueError("l must be a multiple of 64 (encodings are packed in 64-bit words)")
        if self.presence and self.hardening.balance:
            raise ValueError("presence cannot be used with balance (a balanced filter has no missing bits)")
        final = self.l * (2 if self.hardening.balance else 1) >> self.hardening.xor_folds
        if final % 64 or final < 64:
            raise ValueError(
                f"after balancing and {self.hardening.xor_folds} XOR folds the length would be {final}, "
                "not a multiple of 64"
            )
        return self


class Strategy(_Model):
    bits_per_token: int | None = Field(default=None, ge=1, le=200, alias="bitsPerToken")
    bits_per_feature: int | None = Field(default=None, ge=1, le=4000, alias="bitsPerFeature")

    @model_validator(mode="after")
    def _one(self) -> Strategy:
        if (self.bits_per_token is None) == (self.bits_per_feature is None):
            raise ValueError("give exactly one of bitsPerToken and bitsPerFeature")
        return self

    def bits(self, tokens: int) -> list[int]:
        """Bits for each of ``tokens`` tokens: k each, or a total spread evenly (clkhash's
        bitsPerFeature, which hides how long a value is)."""
        if self.bits_per_token is not None:
            return [self.bits_per_token] * tokens
        assert self.bits_per_feature is not None
        base, extra = divmod(self.bits_per_feature, max(tokens, 1))
        return [base + (1 if i < extra else 0) for i in range(tokens)]


class Ngram(_Model):
    type: Literal["ngram"]
    n: int = Field(default=2, ge=1, le=4)
    positional: bool = False


class Exact(_Model):
    type: Literal["exact"]


class DateParts(_Model):
    type: Literal["date"]
    """The year, year-month, the full date, year-day and the unordered (day, month) pair: a
    different date shares few tokens, a typo or a day/month swap keeps some."""


Comparison = Annotated[Ngram | Exact | DateParts, Field(discriminator="type")]


class Sound(_Model):
    n: int = Field(default=2, ge=1, le=4)
    strategy: Strategy
    key_group: str | None = Field(default=None, alias="keyGroup")


class Hashing(_Model):
    comparison: Comparison
    strategy: Strategy
    key_group: str | None = Field(default=None, alias="keyGroup")
    sound: Sound | None = None


FieldFormat = Literal["name", "text", "date", "sex", "country"]


class Format(_Model):
    type: FieldFormat


class Feature(_Model):
    identifier: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    ignored: bool = False
    format: Format | None = None
    hashing: Hashing | None = None
    description: str | None = None

    @model_validator(mode="after")
    def _complete(self) -> Feature:
        if self.ignored:
            return self
        if self.format is None or self.hashing is None:
            raise ValueError(f"feature '{self.identifier}' needs a format and hashing (or ignored: true)")
        kind, comparison = self.format.type, self.hashing.comparison.type
        allowed = {
            "name": {"ngram", "exact"},
            "text": {"ngram", "exact"},
            "date": {"date", "exact"},
            "sex": {"exact"},
            "country": {"exact"},
        }[kind]
        if comparison not in allowed:
            raise ValueError(f"a {kind} field cannot use comparison '{comparison}'")
        if self.hashing.sound is not None and kind != "name":
            raise ValueError("sound applies only to name fields")
        return self


BlockUse = Literal["sound", "spelling", "year", "date", "value"]


class BlockPart(_Model):
    fields: list[str] = Field(min_length=1)
    use: BlockUse
    prefix: int | None = Field(default=None, ge=1, le=20)
    unordered: bool = False


class BlockingKey(_Model):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    parts: list[BlockPart] = Field(min_length=1)


class LinkageSchema(_Model):
    """A parsed, validated linkage schema."""

    version: Literal[1]
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    description: str | None = None
    clk_config: ClkConfig = Field(alias="clkConfig")
    features: list[Feature] = Field(min_length=1)
    blocking: list[BlockingKey] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references(self) -> LinkageSchema:
        names = [f.identifier for f in self.features]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"feature identifiers repeated: {', '.join(dupes)}")
        if "record_id" not in names:
            raise ValueError("the features must list record_id (with ignored: true)")
        record = next(f for f in self.features if f.identifier == "record_id")
        if not record.ignored:
            raise ValueError("record_id must be ignored: it is carried as the pseudonymous id, never hashed")
        if not any(f.hashing for f in self.features if not f.ignored):
            raise ValueError("at least one feature must be hashed")
        kinds = {f.identifier: f.format.type for f in self.features if f.format is not None}
        for key in self.blocking:
            for part in key.parts:
                for field in part.fields:
                    if field not in kinds:
                        raise ValueError(
                            f"blocking key '{key.name}' uses '{field}', which is not an encoded feature"
                        )
                    if part.use in ("sound", "spelling") and kinds[field] not in ("name", "text"):
                        raise ValueError(
                            f"blocking key '{key.name}': '{part.use}' needs a name or text field"
                        )
                    if part.use == "sound" and kinds[field] != "name":
                        raise ValueError(f"blocking key '{key.name}': 'sound' needs a name field")
                    if part.use in ("year", "date") and kinds[field] != "date":
                        raise ValueError(f"blocking key '{key.name}': '{part.use}' needs a date field")
        salt = self.clk_config.hardening.salt_field
        if salt is not None and salt.split(".")[0] not in kinds:
            raise ValueError(f"saltField '{salt}' names a field the schema does not encode")
        return self

    @property
    def encoded(self) -> list[Feature]:
        return [f for f in self.features if not f.ignored]

    @property
    def input_columns(self) -> list[str]:
        return [f.identifier for f in self.features]

    @property
    def length(self) -> int:
        """Bits in each final encoding, after balancing and folding."""
        hardening = self.clk_config.hardening
        return self.clk_config.l * (2 if hardening.balance else 1) >> hardening.xor_folds

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = self.model_dump(by_alias=True, exclude_none=True, mode="json")
        return data

    @cached_property
    def fingerprint(self) -> str:
        """SHA-256 of everything that shapes the encodings (the description aside): files encoded
        under schemas with different fingerprints are never compared."""
        data = self.to_json()
        data.pop("description", None)
        for feature in data["features"]:
            feature.pop("description", None)
        canonical = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


def shipped_schemas() -> list[str]:
    """Names of the schemas shipped with Palermo (``default``, ``hardened`` …)."""
    folder = resources.files("palermo.linkage").joinpath(SHIPPED_DIR)
    return sorted(p.name.removesuffix(".json") for p in folder.iterdir() if p.name.endswith(".json"))


def load_schema(name_or_path: str | Path) -> LinkageSchema:
    """A shipped schema by name (``default``), else a schema file by path."""
    text_name = str(name_or_path)
    if text_name in shipped_schemas():
        entry = resources.files("palermo.linkage").joinpath(SHIPPED_DIR, f"{text_name}.json")
        return parse_schema(entry.read_text(encoding="utf-8"), f"shipped schema {text_name}")
    path = Path(name_or_path)
    if not path.is_file():
        shipped = ", ".join(shipped_schemas())
        raise UnknownLinkageSchemaError(
            f"no linkage schema '{text_name}': not a shipped schema ({shipped}) and no such file"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LinkageSchemaError(
            str(path), [Problem(None, "file", f"cannot be read ({type(exc).__name__})")]
        ) from None
    return parse_schema(text, str(path))


def parse_schema(text: str, where: str) -> LinkageSchema:
    """Parse schema JSON; every problem is collected into one :class:`LinkageSchemaError`."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LinkageSchemaError(where, [Problem(exc.lineno, "file", "not valid JSON")]) from None
    try:
        return LinkageSchema.model_validate(data)
    except ValidationError as exc:
        problems = [
            Problem(None, _location(err["loc"]) or "schema", err["msg"].removeprefix("Value error, "))
            for err in exc.errors()
        ]
        raise LinkageSchemaError(where, problems) from None


def _location(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("ngram", "exact", "date"):  # discriminated-union tag, not a key in the file
            continue
        else:
            out += ("." if out else "") + str(part)
    return out
