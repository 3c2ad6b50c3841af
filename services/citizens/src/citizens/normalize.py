"""Normalisation shared by writes, duplicate checks and searches (plain Python).

``name_key`` is what ``citizens.name_norm`` stores and what a name query is turned into:
lower case, without accents (``Ñ`` → ``n``, ``Ü`` → ``u``), anything but letters and
digits turned into a space, single spaces. Computed here rather than with PostgreSQL's
``unaccent()`` (not immutable), so the trigram index is a plain index on a column."""
from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[^0-9a-z]+")
_SPACES = re.compile(r"\s+")
_PHONE_NOISE = re.compile(r"[\s\-\.\(\)/]+")


def name_key(text: str | None) -> str:
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_WORD.sub(" ", plain).strip()


def full_name_key(given_names: str, first_surname: str, second_surname: str | None) -> str:
    return name_key(" ".join(p for p in (given_names, first_surname, second_surname) if p))


def clean_text(text: str) -> str:
    """As typed, without surrounding blanks and with single spaces."""
    return _SPACES.sub(" ", text).strip()


def phone(text: str) -> str | None:
    """A Mexican phone number as its 10 digits, or None if it is not one. Accepts spaces,
    dashes, dots, parentheses, the country code ``+52``/``52`` (and the old mobile ``1``
    after it: ``+52 1``) and the old long-distance prefixes ``01``/``044``/``045``."""
    if not isinstance(text, str):
        return None
    digits = _PHONE_NOISE.sub("", text.strip())
    if digits.startswith("+"):
        if not digits.startswith("+52"):
            return None
        digits = digits[3:]
        if len(digits) == 11 and digits.startswith("1"):
            digits = digits[1:]
    elif len(digits) == 12 and digits.startswith("52"):
        digits = digits[2:]
    elif len(digits) == 13 and digits.startswith("521"):
        digits = digits[3:]
    elif len(digits) == 12 and digits.startswith("01"):
        digits = digits[2:]
    elif len(digits) == 13 and digits.startswith(("044", "045")):
        digits = digits[3:]
    if len(digits) != 10 or not digits.isdigit() or digits[0] == "0":
        return None
    return digits
