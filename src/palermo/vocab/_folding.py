"""Fold free text so that spelling variants of one label meet: case, accents, punctuation, word order,
plurals and small words ("of", "de", "la" …).

Two keys are made from a text:

* the *exact key*: case and accents folded, punctuation turned into spaces, blanks collapsed;
* the *bag key*: the exact key's words without small words, each cut to a crude stem (final ``s``,
  then final ``e``: "réfugiés", "réfugié", "refugee" and "refugees" meet), sorted — so "victims of trafficking", "trafficking victim" and
  "víctimas de trata" meet their label whatever the word order or number.
"""

from __future__ import annotations

import re
import unicodedata

#: Small words dropped from the bag key, in the scheme's Latin-script languages (en, fr, es).
STOPWORDS = frozenset(
    [
        *("a", "an", "and", "the", "of", "in", "on", "at", "to", "for", "by", "with", "from", "or", "as"),
        *("into", "de", "des", "du", "la", "le", "les", "l", "d", "un", "une", "et", "ou", "en", "au"),
        *("aux", "par", "pour", "sur", "dans", "avec", "el", "los", "las", "del", "al", "y", "o", "e"),
        *("u", "por", "para", "con", "una", "uno", "lo"),
    ]
)

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def exact_key(text: str) -> str:
    """Case- and accent-folded words joined by single spaces ("" when there is no word)."""
    folded = text.casefold()
    if not folded.isascii():
        folded = _strip_accents(folded)
    return " ".join(_NON_WORD.sub(" ", folded).split())


def stem(word: str) -> str:
    """A crude stem for plural and gender folding; the same rule runs on labels and queries."""
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


def bag_key(exact: str) -> str:
    """The order- and number-free key of an exact key."""
    words = exact.split()
    kept = [w for w in words if w not in STOPWORDS] or words
    return " ".join(sorted(stem(w) for w in kept))
