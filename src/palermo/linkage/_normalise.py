"""Normalise identifying values before encoding: names in Latin, Cyrillic and Arabic script, dates,
sex and citizenship.

Two forms of a name are produced:

- the **spelling**: the name in lower-case ASCII letters (any script transliterated with anyascii,
  Arabic first cleaned of vowel marks and letter variants), words separated by one space, the
  Arabic article and the particles "bin/ben/ibn" kept as their own words;
- the **sound**: a consonant skeleton that different romanisations of one name share
  (Mohammed, Muhammad, Mohamed and محمد all give ``mhmd``; Youssef, Yusuf, Youcef and يوسف give
  ``sf``; Щербаков, Shcherbakov and Chtcherbakov give ``srbkv``). Vowels and the letters that
  stand for them (y, w; Arabic alif, waw, ya, ayn, hamza) are dropped, digraphs that spell one sound
  are folded, doubled letters collapse.

Every function here is pure and cached by value: the same name is normalised once per process.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache

import pycountry
from anyascii import anyascii

# Arabic: marks to drop (harakat, dagger alif, tatweel) and letter variants to fold before
# transliteration (alif forms, alif maqsura, taa marbuta, hamza carriers).
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u0640\u06d6-\u06ed]")
_ARABIC_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ؤ": "و",
        "ئ": "ي",
        "ء": "",
    }
)
# Arabic letters to the consonant they are romanised with; letters that stand for vowels or have no
# Latin letter in common spellings (alif, waw, ya, ayn, hamza) map to nothing.
_ARABIC_SOUND = {
    "ا": "",
    "ب": "b",
    "ت": "t",
    "ث": "t",
    "ج": "j",
    "ح": "h",
    "خ": "h",
    "د": "d",
    "ذ": "d",
    "ر": "r",
    "ز": "s",
    "س": "s",
    "ش": "s",
    "ص": "s",
    "ض": "d",
    "ط": "t",
    "ظ": "d",
    "ع": "",
    "غ": "g",
    "ف": "f",
    "ق": "k",
    "ك": "k",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "ه": "h",
    "ة": "",
    "و": "",
    "ي": "",
    "پ": "p",
    "چ": "j",
    "ژ": "j",
    "گ": "g",
    "ک": "k",
    "ی": "",
}
_ARABIC_ARTICLE = "ال"
# Latin digraphs and letters folded in the sound form, longest first; applied left to right.
_SOUND_RULES: tuple[tuple[str, str], ...] = (
    ("chtch", "s"),
    ("shch", "s"),
    ("tch", "j"),
    ("sch", "s"),
    ("dzh", "j"),
    ("dj", "j"),
    ("dz", "s"),
    ("zh", "j"),
    ("kh", "h"),
    ("sh", "s"),
    ("ch", "s"),
    ("ph", "f"),
    ("th", "t"),
    ("dh", "d"),
    ("gh", "g"),
    ("ck", "k"),
    ("ts", "s"),
    ("tz", "s"),
    ("q", "k"),
    ("c", "k"),
    ("x", "ks"),
    ("z", "s"),
    ("w", ""),
    ("g", "j"),
)
_VOWELS = re.compile("[aeiouy]")
_REPEATS = re.compile(r"(.)\1+")
_NOT_LETTER = re.compile(r"[^a-z ]+")
_SPACES = re.compile(r"\s+")
# Particles written as a separate word or glued to the name (El Idrissi, Al-Amin, Benali).
_ARTICLES = frozenset({"al", "el", "ul", "ad", "ed", "as", "es", "an", "ar", "at", "az"})


def _is_arabic(ch: str) -> bool:
    return "\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f" or "\ufb50" <= ch <= "\ufdff"


def _clean_arabic(text: str) -> str:
    return _ARABIC_MARKS.sub("", text).translate(_ARABIC_FOLD)


@lru_cache(maxsize=200_000)
def name_spelling(text: str) -> str:
    """Lower-case ASCII letters and single spaces; empty when nothing remains."""
    text = unicodedata.normalize("NFKC", text)
    if any(_is_arabic(ch) for ch in text):
        text = _clean_arabic(text)
    ascii_text = anyascii(text).lower().replace("'", "").replace("`", "")
    return _SPACES.sub(" ", _NOT_LETTER.sub(" ", ascii_text)).strip()


@lru_cache(maxsize=200_000)
def name_sound(text: str) -> tuple[str, ...]:
    """The consonant skeleton of each word of a name (articles dropped), in order; words that
    leave no consonant are dropped."""
    text = unicodedata.normalize("NFKC", text)
    words: list[str] = []
    for raw in text.split():
        if any(_is_arabic(ch) for ch in raw):
            words.extend(_arabic_words(raw))
        else:
            words.extend(name_spelling(raw).split())
    out: list[str] = []
    for word in words:
        if word in _ARTICLES:
            continue
        skeleton = _latin_sound(word)
        if skeleton:
            out.append(skeleton)
    return tuple(out)


def _arabic_words(raw: str) -> list[str]:
    """Arabic word(s) to the Latin consonant letters their romanisations share."""
    word = _clean_arabic(raw)
    if word.startswith(_ARABIC_ARTICLE) and len(word) > 3:
        word = word[len(_ARABIC_ARTICLE) :]
    if len(word) > 2 and word.endswith("ه"):
        word = word[:-1]  # a final ha is silent in romanisations (Abdullah / Abdulla, Fatimah)
    letters = []
    for ch in word:
        if ch in _ARABIC_SOUND:
            letters.append(_ARABIC_SOUND[ch])
        elif _is_arabic(ch):
            continue
        else:
            letters.append(name_spelling(ch))
    # the skeleton of an Arabic word is already vowel-free; mark it so _latin_sound keeps it as is
    return ["\x00" + "".join(letters)]


def _latin_sound(word: str) -> str:
    if word.startswith("\x00"):
        return _REPEATS.sub(r"\1", word[1:])
    if len(word) > 3 and word[-1] == "h" and word[-2] in "aeiouy":
        word = word[:-1]  # silent final h: Fatimah / Fatima, Abdullah / Abdulla
    out = []
    i = 0
    while i < len(word):
        if word[i] == "c" and word[i + 1 : i + 2] in ("e", "i", "y"):
            out.append("s")  # soft c: Youcef, Cecile
            i += 1
            continue
        for pattern, replacement in _SOUND_RULES:
            if word.startswith(pattern, i):
                out.append(replacement)
                i += len(pattern)
                break
        else:
            out.append(word[i])
            i += 1
    folded = _VOWELS.sub("", "".join(out))
    return _REPEATS.sub(r"\1", folded)


# -- dates, sex, citizenship ---------------------------------------------------------------------
_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@lru_cache(maxsize=100_000)
def parse_date(text: str) -> tuple[int, int | None, int | None] | None:
    """``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` (ISO 8601, reduced precision allowed) to
    (year, month, day); None when the text is not such a date (the caller reports the row)."""
    match = _ISO_DATE.match(text.strip()[:10] if "T" in text else text.strip())
    if match is None:
        return None
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else None
    day = int(match.group(3)) if match.group(3) else None
    if not 1800 <= year <= 2200:
        return None
    if month is not None and not 1 <= month <= 12:
        return None
    if day is not None and month is not None:
        try:
            date(year, month, day)
        except ValueError:
            return None
    return year, month, day


_SEX = {
    "f": "f",
    "female": "f",
    "feminine": "f",
    "woman": "f",
    "girl": "f",
    "m": "m",
    "male": "m",
    "masculine": "m",
    "man": "m",
    "boy": "m",
    "x": "x",
    "transgenderfeminine": "x",
    "transgendermasculine": "x",
    "nonconforming": "x",
    "transgender/nonconforming": "x",
    "other": "x",
}
_SEX_UNKNOWN = frozenset({"u", "unknown", "nonspecifiedunknown", "not specified", "notspecified", ""})


def parse_sex(text: str) -> str | bool | None:
    """'f', 'm' or 'x'; None for an explicit unknown; False when the value is not recognised."""
    key = text.strip().lower().replace("-", "").replace("_", "")
    if key in _SEX_UNKNOWN:
        return None
    return _SEX.get(key, False)


@lru_cache(maxsize=4096)
def parse_country(text: str) -> str | None:
    """ISO 3166-1 alpha-3 from alpha-3 or alpha-2 (the case model writes alpha-3); None if unknown."""
    code = text.strip().upper()
    if len(code) == 3 and code.isalpha():
        country = pycountry.countries.get(alpha_3=code)
        return code if country is not None or code in {"XXA", "XXB", "XXC", "XXX", "UNK"} else None
    if len(code) == 2 and code.isalpha():
        country = pycountry.countries.get(alpha_2=code)
        return str(country.alpha_3) if country is not None else None
    return None


@lru_cache(maxsize=100_000)
def text_spelling(text: str) -> str:
    """Free text such as a place name, normalised like a name's spelling."""
    return name_spelling(text)
