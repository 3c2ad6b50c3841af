"""The auditable sample, pure (no I/O, no clock): who is called is decided by a rule that
anyone holding the revealed secret can recompute and that nobody could steer.

The rule, for a report that became *done* (Terminado) in period ``P`` (its month, in the
municipality's time zone), owned then by agency ``A``:

    digest  = HMAC-SHA256(key = secret of P (32 bytes), message = ASCII decimal folio)
    sampled = int(digest, big-endian) / 2**256 < rate(A)

``rate(A)`` is the period's rate for ``A`` or its default ``"*"``, frozen with the secret
when the period is committed (decimal strings, compared exactly as fractions). Before the
period starts, the SHA-256 of the secret (the *commitment*) and the rates are published;
after it ends, the secret is revealed, and an auditor checks ``sha256(secret) ==
commitment`` and recomputes every decision. The office cannot pick whom to call: the
secret is fixed before any folio of the period exists, and a folio is sequential.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Iterable, Mapping
from zoneinfo import ZoneInfo

DEFAULT_RATE = "0.10"
DEFAULT_KEY = "*"
_PERIOD = re.compile(r"^(20\d\d)-(0[1-9]|1[0-2])$")  # 2000-01 … 2099-12
_RATE = re.compile(r"^(0(\.\d{1,6})?|1(\.0{1,6})?)$")
SPACE = 2 ** 256

#: why a sampled report was not called
EXCLUSIONS = ("opposed", "no_phone", "cancelled", "reopened")


class BadInput(ValueError):
    """A period, rate or secret that does not follow the rule's format (Spanish message)."""


# --------------------------------------------------------------------------- periods

def period_of(at: datetime, tz: ZoneInfo) -> str:
    """``YYYY-MM`` of ``at`` (aware) in the municipality's zone."""
    return at.astimezone(tz).strftime("%Y-%m")


def check_period(period) -> str:
    if not isinstance(period, str) or not _PERIOD.match(period):
        raise BadInput("El periodo debe escribirse AAAA-MM, entre 2000 y 2099 (p. ej. 2026-11).")
    return period


def bounds(period: str, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """First instant of the period and first instant of the next one, in ``tz``."""
    year, month = map(int, check_period(period).split("-"))
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return start, end


def next_period(period: str) -> str:
    year, month = map(int, check_period(period).split("-"))
    return f"{year + (month == 12):04d}-{month % 12 + 1:02d}"


# --------------------------------------------------------------------------- secrets and rates

def new_secret() -> bytes:
    return secrets.token_bytes(32)


def commitment(secret: bytes) -> str:
    return hashlib.sha256(secret).hexdigest()


def parse_secret(value) -> bytes:
    """A revealed secret as given to an auditor: 64 hex characters."""
    try:
        raw = bytes.fromhex(value) if isinstance(value, str) else b""
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise BadInput("El secreto debe ser de 64 caracteres hexadecimales (32 bytes).")
    return raw


def check_rate(value) -> str:
    """A rate as a decimal string between 0 and 1 (at most six decimals)."""
    text = str(value).strip() if isinstance(value, (str, int, float)) and not isinstance(value, bool) else ""
    if not _RATE.match(text):
        raise BadInput("La tasa de muestreo debe ser un número entre 0 y 1 (p. ej. 0.10).")
    return text


def check_rates(rates: Mapping) -> dict[str, str]:
    """``{"*": default, "<AGENCY>": rate, …}``; the default is required."""
    if not isinstance(rates, Mapping) or DEFAULT_KEY not in rates:
        raise BadInput("Las tasas de muestreo necesitan una tasa por omisión («*»).")
    return {str(k): check_rate(v) for k, v in rates.items()}


def rate_for(rates: Mapping[str, str], agency: str | None) -> str:
    return rates.get(agency or DEFAULT_KEY, rates[DEFAULT_KEY])


# --------------------------------------------------------------------------- the decision

def digest(secret: bytes, folio: int) -> str:
    return hmac.new(secret, str(int(folio)).encode("ascii"), hashlib.sha256).hexdigest()


def below(digest_hex: str, rate: str) -> bool:
    """``int(digest) / 2**256 < rate``, exactly."""
    r = Fraction(rate)
    return int(digest_hex, 16) * r.denominator < r.numerator * SPACE


def decide(secret: bytes, folio: int, rate: str) -> tuple[str, bool]:
    d = digest(secret, folio)
    return d, below(d, rate)


# --------------------------------------------------------------------------- the audit

@dataclass(frozen=True)
class Decision:
    """What the office recorded for one finished folio."""
    folio: int
    agency: str | None
    sampled: bool
    status: str | None = None      # the call's state: pending, completed, not_located, refused, excluded
    exclusion: str | None = None   # opposed, no_phone, cancelled, reopened
    called: bool = False           # any call attempt or phone survey


def audit(*, period: str, commitment_hex: str, secret_hex: str, rates: Mapping[str, str],
          decisions: Iterable[Decision], finished: Iterable[tuple[int, str | None]] | None = None,
          committed_at: datetime | None = None, starts_at: datetime | None = None) -> dict:
    """Recompute the sample of ``period`` and compare it with what was recorded and called.

    ``finished``: the folios that became done in the period, from a source the auditor
    trusts (e.g. routing's listing), with their agency (None: the recorded agency is used
    for the rate). Without it, the recorded decisions are the list. Mismatch kinds:
    ``decision_differs`` (recorded sampled ≠ recomputed), ``missing_decision`` (finished,
    never decided), ``not_finished`` (decided, but not in the finished list),
    ``called_not_sampled`` (a phone call on a folio the rule did not sample)."""
    check_period(period)
    rates = check_rates(rates)
    secret = parse_secret(secret_hex)
    secret_ok = hmac.compare_digest(commitment(secret), str(commitment_hex))
    recorded = {d.folio: d for d in decisions}
    listed = dict(finished) if finished is not None else {f: d.agency for f, d in recorded.items()}
    mismatches = []
    expected_sampled = 0
    for folio in sorted(set(listed) | set(recorded)):
        d = recorded.get(folio)
        if folio not in listed:
            mismatches.append({"folio": folio, "kind": "not_finished", "recorded": d.sampled, "expected": None})
            continue
        agency = listed[folio] if listed[folio] is not None else (d.agency if d else None)
        _, expected = decide(secret, folio, rate_for(rates, agency))
        expected_sampled += expected
        if d is None:
            mismatches.append({"folio": folio, "kind": "missing_decision", "recorded": None, "expected": expected})
        elif d.sampled != expected:
            mismatches.append({"folio": folio, "kind": "decision_differs", "recorded": d.sampled,
                               "expected": expected})
        elif d.called and not expected:
            mismatches.append({"folio": folio, "kind": "called_not_sampled", "recorded": d.sampled,
                               "expected": expected})
    sampled = [d for d in recorded.values() if d.sampled]
    late = bool(committed_at and starts_at and committed_at >= starts_at)
    return {
        "period": period, "commitment": commitment_hex, "secret_matches_commitment": secret_ok,
        "committed_before_start": None if committed_at is None or starts_at is None else not late,
        "rates": rates, "finished": len(listed), "sampled_expected": expected_sampled,
        "sampled_recorded": len(sampled),
        "share": round(expected_sampled / len(listed), 6) if listed else None,
        "matches": secret_ok and not mismatches, "mismatches": mismatches,
        "exclusions": dict(Counter(d.exclusion for d in sampled if d.exclusion)),
        "statuses": dict(Counter(d.status or "pending" for d in sampled)),
    }


def when_revealed(ends_at: datetime, now: datetime) -> bool:
    """The secret is shown from the first instant after the period."""
    return now >= ends_at

