"""From one field's raw text to the tokens hashed into the Bloom filter, and to blocking-key parts.

A :class:`FieldValue` is computed once per distinct raw value of a column: its normalised forms
(spelling, sound, date parts, code) or the rule it breaks. Rules are reported by row and field by
the encoder; the raw value itself never leaves this module.
"""

from __future__ import annotations

from dataclasses import dataclass

from palermo.linkage._normalise import name_sound, name_spelling, parse_country, parse_date, parse_sex
from palermo.linkage._schema import DateParts, Feature, Ngram


@dataclass(frozen=True)
class FieldValue:
    """The normalised forms of one raw value. ``missing`` when there is nothing to encode;
    ``problem`` names the broken rule when the value is malformed."""

    spelling: str = ""
    sound: tuple[str, ...] = ()
    date: tuple[int, int | None, int | None] | None = None
    code: str = ""
    problem: str | None = None

    @property
    def missing(self) -> bool:
        return not (self.spelling or self.sound or self.date or self.code)


MISSING = FieldValue()
_SEX_RULE = "sex must be F, M, X (or female, male, Feminine, Masculine …) or empty"


def read_value(kind: str, raw: str | None) -> FieldValue:
    """Normalise one raw value of a field of format ``kind``."""
    if raw is None:
        return MISSING
    text = raw.strip()
    if not text:
        return MISSING
    if kind == "name":
        return FieldValue(spelling=name_spelling(text), sound=name_sound(text))
    if kind == "text":
        return FieldValue(spelling=name_spelling(text))
    if kind == "date":
        parsed = parse_date(text)
        if parsed is None:
            return FieldValue(problem="date must be ISO 8601: YYYY-MM-DD, YYYY-MM or YYYY")
        return FieldValue(date=parsed)
    if kind == "sex":
        sex = parse_sex(text)
        if sex is False:
            return FieldValue(problem=_SEX_RULE)
        return FieldValue(code=sex) if isinstance(sex, str) else MISSING
    if kind == "country":
        codes = []
        for part in text.replace(",", ";").split(";"):
            if not part.strip():
                continue
            code = parse_country(part)
            if code is None:
                return FieldValue(
                    problem="citizenship must be ISO 3166-1 alpha-3 (or alpha-2) codes, ';' between"
                )
            codes.append(code)
        return FieldValue(code=";".join(sorted(set(codes))))
    raise ValueError(f"unknown field format {kind}")


def _grams(text: str, n: int, positional: bool) -> list[str]:
    padded = "_" + text.replace(" ", "_") + "_"
    if len(padded) < n:
        return [padded]
    grams = [padded[i : i + n] for i in range(len(padded) - n + 1)]
    if positional:
        return [f"{i}:{g}" for i, g in enumerate(grams)]
    return list(dict.fromkeys(grams))


def hash_tokens(feature: Feature, value: FieldValue) -> list[str]:
    """The tokens of a value's main form, each hashed into the filter with the feature's key."""
    if value.missing or value.problem is not None:
        return []
    assert feature.hashing is not None
    comparison = feature.hashing.comparison
    if isinstance(comparison, Ngram):
        return _grams(value.spelling, comparison.n, comparison.positional) if value.spelling else []
    if isinstance(comparison, DateParts):
        return _date_tokens(value.date) if value.date else []
    # exact
    if value.date is not None:
        year, month, day = value.date
        return ["-".join(str(p) for p in (year, month, day) if p is not None)]
    if value.code:
        return value.code.split(";")
    return [value.spelling] if value.spelling else []


def sound_tokens(feature: Feature, value: FieldValue) -> list[str]:
    """n-grams of a name's sound (its consonant skeleton)."""
    if feature.hashing is None or feature.hashing.sound is None or not value.sound:
        return []
    return _grams("".join(value.sound), feature.hashing.sound.n, False)


def _date_tokens(parts: tuple[int, int | None, int | None]) -> list[str]:
    """The date and its parts: a different date shares few tokens (often only the year), a typo
    in one part keeps the others, a day/month swap keeps the year and the unordered pair."""
    year, month, day = parts
    tokens = [f"y:{year:04d}"]
    if month:
        tokens.append(f"ym:{year:04d}-{month:02d}")
    if month and day:
        low, high = sorted((month, day))
        tokens += [
            f"ymd:{year:04d}-{month:02d}-{day:02d}",
            f"md:{low:02d}-{high:02d}",
            f"yd:{year:04d}-{day:02d}",
        ]
    return tokens


def block_part(use: str, value: FieldValue, prefix: int | None) -> str | None:
    """One field's contribution to a blocking key, or None when the value cannot give it."""
    if value.missing or value.problem is not None:
        return None
    out: str | None
    if use == "sound":
        out = "".join(value.sound) or None
    elif use == "spelling":
        out = value.spelling.replace(" ", "") or None
    elif use == "year":
        out = str(value.date[0]) if value.date else None
    elif use == "date":
        out = "-".join(str(p) for p in value.date) if value.date and value.date[2] else None
    else:
        out = value.code or value.spelling or None
    if out is not None and prefix is not None:
        out = out[:prefix]
    return out


def salt_of(value: FieldValue, salt_field: str) -> str:
    """The stable attribute mixed into every hash key under salting ('' when unknown)."""
    if salt_field.endswith(".year"):
        return str(value.date[0]) if value.date else ""
    return value.code
