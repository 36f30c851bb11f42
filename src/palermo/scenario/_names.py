"""Name pools for the synthetic world: Faker locales plus a curated Arabic-origin table.

Each pool entry has a native form (its own script), a Latin form per romanisation style, and the
Latin variants that real records show for it (other romanisations, dropped diacritics, curated
spellings such as Mohammed / Muhammad / Mohamed).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from importlib import resources

import numpy as np
import yaml
from anyascii import anyascii
from faker import Faker

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

KINDS = ("given_female", "given_male", "family")
POOL_SIZE = {"given_female": 150, "given_male": 150, "family": 250}
ROMANISATIONS = ("en", "fr")

_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
# French-usage romanisation of Cyrillic letters (as in French passports and press), lower case.
_FR_CYRILLIC = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "ґ": "g",
    "д": "d",
    "е": "e",
    "ё": "io",
    "є": "ie",
    "ж": "j",
    "з": "z",
    "и": "i",
    "і": "i",
    "ї": "ï",
    "й": "ï",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "ou",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "tch",
    "ш": "ch",
    "щ": "chtch",
    "ъ": "a",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "iou",
    "я": "ia",
    "'": "",
}


def _non_latin(text: str) -> bool:
    return any(ch.isalpha() and "LATIN" not in unicodedata.name(ch, "") for ch in text)


def _romanise(text: str, style: str) -> str:
    """Latin spelling of a name written in another script, in the usage of ``style`` ('en' or 'fr')."""
    if not _non_latin(text):
        return text
    if style == "fr" and _CYRILLIC.search(text):
        return _romanise_fr(text)
    latin = anyascii(text)
    return latin[:1].upper() + latin[1:]


def _romanise_fr(text: str) -> str:
    out = []
    for ch in text:
        low = ch.lower()
        if low in _FR_CYRILLIC:
            rep = _FR_CYRILLIC[low]
            out.append(rep.capitalize() if ch != low else rep)
        else:
            out.append(anyascii(ch) if _CYRILLIC.match(ch) else ch)
    return "".join(out)


@dataclass(frozen=True)
class NamePools:
    native: np.ndarray  # object array of str, one per entry
    latin: dict[str, np.ndarray]  # romanisation style -> object array of str
    variants: tuple[tuple[str, ...], ...]  # per entry: Latin spellings other than latin["en"]
    ranges: dict[tuple[str, str], tuple[int, int]]  # (pool, kind) -> [start, stop)
    variant_matrix: np.ndarray  # object [entries, widest]: variants padded with the entry's Latin form
    variant_count: np.ndarray  # int64 [entries]: how many variants each entry has

    def pick(self, pool: str, kind: str, u: np.ndarray) -> np.ndarray:
        start, stop = self.ranges[(pool, kind)]
        return start + np.minimum((u * (stop - start)).astype(np.int64), stop - start - 1)


def _curated() -> dict[str, list[list[str]]]:
    text = resources.files("palermo.scenario").joinpath("data", "names.yaml").read_text(encoding="utf-8")
    data: dict[str, list[list[str]]] = yaml.load(text, Loader=_Loader)
    return data


def _faker_names(fake: Faker, kind: str, seed: int) -> list[str]:
    fake.seed_instance(seed)
    make = {
        "given_female": fake.first_name_female,
        "given_male": fake.first_name_male,
        "family": fake.last_name,
    }[kind]
    wanted = POOL_SIZE[kind]
    seen: dict[str, None] = {}
    for _ in range(wanted * 8):
        name = str(make()).strip()
        if name and " " not in name:
            seen.setdefault(name)
        if len(seen) >= wanted:
            break
    return list(seen)


def build_pools(pool_names: list[str], seed: int) -> NamePools:
    """Pools for each name source in ``pool_names`` (Faker locales, or 'arabic'), deterministic for ``seed``."""
    native: list[str] = []
    latin: dict[str, list[str]] = {style: [] for style in ROMANISATIONS}
    variants: list[tuple[str, ...]] = []
    ranges: dict[tuple[str, str], tuple[int, int]] = {}
    curated = _curated()
    for p, pool in enumerate(sorted(set(pool_names))):
        fake = Faker(pool) if pool != "arabic" else None
        for k, kind in enumerate(KINDS):
            start = len(native)
            if fake is None:
                for row in curated[kind]:
                    native.append(row[0])
                    for style in ROMANISATIONS:
                        latin[style].append(row[1])
                    variants.append(tuple(row[2:]))
            else:
                for name in _faker_names(fake, kind, seed * 1000 + p * 10 + k):
                    native.append(name)
                    forms = {style: _romanise(name, style) for style in ROMANISATIONS}
                    for style in ROMANISATIONS:
                        latin[style].append(forms[style])
                    plain = anyascii(name)
                    others = {forms["fr"], plain[:1].upper() + plain[1:]} - {forms["en"]}
                    variants.append(tuple(sorted(others)))
            ranges[(pool, kind)] = (start, len(native))
    widest = max(1, *(len(v) for v in variants))
    matrix = np.array(
        [[*v, *([latin["en"][i]] * (widest - len(v)))] for i, v in enumerate(variants)], dtype=object
    )
    return NamePools(
        variant_matrix=matrix,
        variant_count=np.array([len(v) for v in variants], dtype=np.int64),
        native=np.array(native, dtype=object),
        latin={style: np.array(values, dtype=object) for style, values in latin.items()},
        variants=tuple(variants),
        ranges=ranges,
    )


_KEYBOARD_NEIGHBOURS = {
    "a": "qsz",
    "e": "wrd",
    "i": "uok",
    "o": "ipl",
    "u": "yij",
    "n": "bm",
    "m": "n",
    "s": "adz",
    "r": "et",
    "t": "ry",
    "l": "k",
    "h": "gj",
    "d": "sf",
    "k": "jl",
    "y": "ti",
    "b": "vn",
}


def typo(text: str, r: float, r2: float) -> str:
    """One realistic keying error: drop, double, transpose or substitute a letter (r, r2 in [0, 1))."""
    if len(text) < 3:
        return text
    pos = 1 + int(r2 * (len(text) - 2))
    op = int(r * 4)
    if op == 0:
        return text[:pos] + text[pos + 1 :]
    if op == 1:
        return text[:pos] + text[pos] + text[pos:]
    if op == 2:
        return text[: pos - 1] + text[pos] + text[pos - 1] + text[pos + 1 :]
    neighbours = _KEYBOARD_NEIGHBOURS.get(text[pos].lower())
    if not neighbours:
        return text[:pos] + text[pos + 1 :]
    return text[:pos] + neighbours[int(r2 * 1000) % len(neighbours)] + text[pos + 1 :]
