"""MODINFO's rules as plain Python (no I/O, no clock): government levels, who may do
what, search normalisation and ranking, the snapshot/diff of versioned edits and the
number format of tickets."""
from __future__ import annotations

import re
import unicodedata

from sacinfra.actor import Actor

LEVELS = ("MUNICIPAL", "PARAMUNICIPAL", "ESTATAL", "FEDERAL", "OTROS ORGANISMOS")

#: the fields of an office a person maintains (besides its id), in display order
FIELDS = ("name", "acronym", "level", "parent_id", "street", "ext_number", "int_number", "colonia",
          "postal_code", "city", "phones", "extensions", "email", "website", "hours", "person_in_charge",
          "keywords", "procedures", "active", "location")
#: what the public guide leaves out (internal to the municipality's staff)
INTERNAL_FIELDS = ("extensions", "person_in_charge", "version", "created_at", "updated_at")

# -------------------------------------------------------------------- who may do what

#: the roles directory knows and what each may do; a role not listed may do nothing
SEARCH, PRINT, MAINTAIN, STATS, EXPORT, HISTORY, PUBLIC = (
    "search", "print", "maintain", "stats", "export", "history", "public")
GRANTS: dict[str, frozenset[str]] = {
    "operator": frozenset({SEARCH, PRINT, PUBLIC}),
    "agency_staff": frozenset({SEARCH, PRINT, PUBLIC}),
    "supervisor": frozenset({SEARCH, PRINT, MAINTAIN, STATS, EXPORT, HISTORY, PUBLIC}),
    "admin": frozenset({SEARCH, PRINT, MAINTAIN, STATS, EXPORT, HISTORY, PUBLIC}),
    "auditor": frozenset({SEARCH, STATS, HISTORY, PUBLIC}),
    "public": frozenset({PUBLIC}),
}
#: internal processes allowed to maintain the guide (the demo loader)
SYSTEM_GRANTS: dict[str, frozenset[str]] = {"directory-demo": frozenset({MAINTAIN, SEARCH})}

DENIED = {
    SEARCH: "Su perfil no permite consultar el directorio interno.",
    PRINT: "Su perfil no permite imprimir tickets del directorio.",
    MAINTAIN: "Solo supervisión y administración mantienen el directorio.",
    STATS: "Su perfil no permite ver las estadísticas del directorio.",
    EXPORT: "Solo supervisión y administración exportan el directorio.",
    HISTORY: "Su perfil no permite ver el historial de cambios del directorio.",
    PUBLIC: "Su perfil no permite consultar el directorio.",
}


def may(actor: Actor, action: str) -> bool:
    if actor.kind == "system":
        return action in SYSTEM_GRANTS.get(actor.system or "", frozenset())
    if actor.kind == "public":
        return action == PUBLIC
    if actor.kind != "staff":
        return False
    return action in GRANTS.get(actor.role, frozenset())


# -------------------------------------------------------------------- search

STOPWORDS = frozenset({"de", "del", "la", "las", "los", "el", "y", "e", "en", "para", "por", "a", "al", "con",
                       "o", "u", "of"})
MIN_PREFIX = 2
MAX_PREFIX = 20
_NON_WORD = re.compile(r"[^a-z0-9ñ]+")


def normalize(text: str | None) -> str:
    """Lower case, no accents (ñ kept as n too), runs of other characters as one space."""
    if not text:
        return ""
    s = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    return " ".join(_NON_WORD.sub(" ", s).split())


def words(text: str | None) -> list[str]:
    return normalize(text).split()


def content_words(text: str | None) -> list[str]:
    return [w for w in words(text) if w not in STOPWORDS]


def prefixes(word: str) -> list[str]:
    """``MIN_PREFIX``…``MAX_PREFIX`` leading characters of ``word`` (a one-letter word is
    kept whole, so an acronym like «J» is still found)."""
    if len(word) < MIN_PREFIX:
        return [word]
    return [word[:n] for n in range(MIN_PREFIX, min(len(word), MAX_PREFIX) + 1)]


def search_fields(office: dict) -> dict:
    """The derived fields an office is stored with so that search never scans:
    ``tokens`` (every prefix of every word of name, acronym, keywords and trámites —
    one multikey index), ``name_norm``, ``acronym_norm``, ``name_words`` and
    ``other_words`` (for ranking the candidates)."""
    name_words = sorted(set(content_words(office.get("name")) + content_words(office.get("acronym"))))
    other = set()
    for text in list(office.get("keywords") or []) + list(office.get("procedures") or []):
        other.update(content_words(text))
    tokens = set()
    for w in set(name_words) | other:
        tokens.update(prefixes(w))
    return {"tokens": sorted(tokens), "name_norm": normalize(office.get("name")),
            "acronym_norm": normalize(office.get("acronym")).replace(" ", ""),
            "name_words": name_words, "other_words": sorted(other - set(name_words))}


def query_words(query: str) -> list[str]:
    """The words of a search, stop words left out (unless that leaves nothing)."""
    ws = words(query)
    kept = [w for w in ws if w not in STOPWORDS]
    return list(dict.fromkeys(kept or ws))


def index_word(qwords: list[str]) -> str:
    """The query word looked up in the index: the longest (the most selective)."""
    return max(qwords, key=len)[:MAX_PREFIX]


def _prefixes_any(word: str, candidates) -> bool:
    return any(c.startswith(word) for c in candidates)


#: rank tiers, best first
EXACT_NAME, ACRONYM, NAME_PREFIX, NAME_WORDS, KEYWORD = range(5)


def rank(query: str, qwords: list[str], doc: dict) -> int | None:
    """The tier of ``doc`` for the search (lower is better), or None when it does not
    match: every query word must begin a word of the name, acronym, keywords or trámites.
    Exact name > acronym > the name begins with the query > every word in the name >
    found through keywords or trámites."""
    name_words, other = doc.get("name_words", []), doc.get("other_words", [])
    in_name = [_prefixes_any(w, name_words) for w in qwords]
    if not all(m or _prefixes_any(w, other) for w, m in zip(qwords, in_name)):
        return None
    q = normalize(query)
    if q and doc.get("name_norm") == q:
        return EXACT_NAME
    if q and doc.get("acronym_norm") and doc["acronym_norm"] == q.replace(" ", ""):
        return ACRONYM
    if q and doc.get("name_norm", "").startswith(q):
        return NAME_PREFIX
    if all(in_name):
        return NAME_WORDS
    return KEYWORD


# -------------------------------------------------------------------- edits and tickets

def snapshot(office: dict) -> dict:
    """The maintained fields of an office (what history records before and after)."""
    return {k: office.get(k) for k in FIELDS}


def changed_fields(before: dict | None, after: dict) -> list[str]:
    if before is None:
        return [k for k in FIELDS if after.get(k) not in (None, "", [], False)] or ["name"]
    return [k for k in FIELDS if before.get(k) != after.get(k)]


ATTENTION_DIGITS = 10


def attention_number(n: int) -> str:
    """«0000699845»: the counter's value as ten digits."""
    if n < 1 or n >= 10 ** ATTENTION_DIGITS:
        raise ValueError("número de atención fuera de rango")
    return str(n).zfill(ATTENTION_DIGITS)


def public_view(office: dict) -> dict:
    return {k: v for k, v in office.items() if k not in INTERNAL_FIELDS}


def address_line(office: dict) -> str:
    """«PLAZA REVOLUCION Núm. Ext. 107 Int. 3» as on León's ticket."""
    parts = [office.get("street") or ""]
    if office.get("ext_number"):
        parts.append(f"Núm. Ext. {office['ext_number']}")
    if office.get("int_number"):
        parts.append(f"Int. {office['int_number']}")
    return " ".join(p for p in parts if p)
