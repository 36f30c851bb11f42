"""Name normalisation and transliteration: romanisations of one name share a sound; values parse."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from palermo.linkage._normalise import (
    name_sound,
    name_spelling,
    parse_country,
    parse_date,
    parse_sex,
)

# Each row: spellings real records use for one name (Latin variants, Arabic script, Cyrillic and
# its English and French romanisations).
SAME_NAME = [
    ["Mohammed", "Muhammad", "Mohamed", "Mohamad", "Muhammed", "محمد"],
    ["Youssef", "Yusuf", "Yousef", "Youcef", "Yussuf", "يوسف"],
    ["Khadija", "Khadidja", "Khadeeja", "خديجة"],
    ["Fatima", "Fatimah", "فاطمة"],
    ["Aisha", "Aicha", "عائشة"],
    ["Jamal", "Gamal", "Djamel", "جمال"],
    ["Hussein", "Hussain", "Husain", "Hossein", "حسين"],
    ["Ibrahim", "Brahim", "إبراهيم"],
    ["El Idrissi", "Al-Idrisi", "Idrissi", "الإدريسي"],
    ["Щербаков", "Shcherbakov", "Chtcherbakov"],
    ["Юлия", "Yuliya", "Ioulia"],
    ["Александр", "Aleksandr", "Alexandr"],
]


@pytest.mark.parametrize("spellings", SAME_NAME, ids=lambda s: s[0])
def test_romanisations_share_a_sound(spellings: list[str]) -> None:
    sounds = {"".join(name_sound(s)) for s in spellings}
    assert len(sounds) == 1, sounds


@pytest.mark.parametrize(
    ("a", "b"),
    [("Mohammed", "Ahmed"), ("Fatima", "Khadija"), ("Ion", "Ivan"), ("Maria", "Mario Rossi")],
)
def test_different_names_differ(a: str, b: str) -> None:
    assert name_sound(a) != name_sound(b)


@pytest.mark.parametrize(
    ("raw", "spelling"),
    [
        ("  Müller-Lüdenscheidt ", "muller ludenscheidt"),
        ("O'Brien", "obrien"),
        ("Nguyễn Thị Ánh", "nguyen thi anh"),
        ("ЩЕРБАКОВА", "shcherbakova"),
        ("محمد", "mhmd"),
        ("Ｆａｔｉｍａ", "fatima"),  # full-width letters (NFKC)
    ],
)
def test_spelling(raw: str, spelling: str) -> None:
    assert name_spelling(raw) == spelling


@given(st.text(max_size=40))
def test_spelling_is_plain_lower_ascii(text: str) -> None:
    out = name_spelling(text)
    assert out == out.strip()
    assert "  " not in out
    assert all(c == " " or "a" <= c <= "z" for c in out)
    assert name_spelling(out) == out  # idempotent


@given(st.text(alphabet=st.characters(categories=["Lu", "Ll"]), max_size=20))
def test_sound_has_no_vowels_nor_repeats(text: str) -> None:
    for word in name_sound(text):
        assert word
        assert not set(word) & set("aeiouy")
        assert all(word[i] != word[i + 1] for i in range(len(word) - 1))


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        ("1990-05-14", (1990, 5, 14)),
        ("1990-05", (1990, 5, None)),
        ("1990", (1990, None, None)),
        ("1990-05-14T00:00:00", (1990, 5, 14)),
        ("1990-02-30", None),
        ("14/05/1990", None),
        ("1990-13-01", None),
        ("0990-01-01", None),
    ],
)
def test_dates(raw: str, parsed: tuple[int, int | None, int | None] | None) -> None:
    assert parse_date(raw) == parsed


def test_sex_and_country() -> None:
    assert [parse_sex(s) for s in ("F", "male", "Feminine", "Masculine", "X")] == ["f", "m", "f", "m", "x"]
    assert parse_sex("Unknown") is None
    assert parse_sex("NonSpecifiedUnknown") is None
    assert parse_sex("perhaps") is False
    assert parse_country("mar") == "MAR"
    assert parse_country("MA") == "MAR"
    assert parse_country("UA") == "UKR"
    assert parse_country("Morocco") is None
    assert parse_country("ZZZ") is None
