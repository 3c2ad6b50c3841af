"""The sampling rule and its audit, pure (no I/O): HMAC-SHA256 of the folio under the
period's secret, sampled iff digest / 2**256 < rate; any changed decision is detected."""
import hashlib
import hmac

import pytest

from surveys import sampling
from surveys.sampling import Decision

SECRET = bytes(range(32))
RATES = {"*": "0.10"}


def recorded(folios, secret=SECRET, rates=RATES):
    return [Decision(folio=f, agency="OP", sampled=sampling.decide(secret, f, sampling.rate_for(rates, "OP"))[1])
            for f in folios]


def run(decisions, finished=None, secret=SECRET):
    return sampling.audit(period="2026-11", commitment_hex=sampling.commitment(SECRET), secret_hex=secret.hex(),
                          rates=RATES, decisions=decisions, finished=finished)


def test_the_rule_is_the_documented_hmac():
    d = hmac.new(SECRET, b"12345", hashlib.sha256).hexdigest()
    assert sampling.digest(SECRET, 12345) == d
    assert sampling.decide(SECRET, 12345, "0.10") == (d, int(d, 16) / 2 ** 256 < 0.10)
    assert sampling.below("0" * 64, "0.000001") and sampling.below("f" * 64, "1")
    assert not sampling.below("0" * 64, "0")


def test_an_honest_sample_matches():
    result = run(recorded(range(1, 2001)), finished=[(f, "OP") for f in range(1, 2001)])
    assert result["matches"] and result["secret_matches_commitment"] and not result["mismatches"]
    assert result["sampled_expected"] == result["sampled_recorded"]


@pytest.mark.parametrize("folio", [1, 7, 500, 999])
def test_flipping_any_one_decision_is_detected(folio):
    decisions = recorded(range(1, 1001))
    flipped = [Decision(d.folio, d.agency, not d.sampled) if d.folio == folio else d for d in decisions]
    result = run(flipped)
    assert not result["matches"]
    assert [(m["folio"], m["kind"]) for m in result["mismatches"]] == [(folio, "decision_differs")]


def test_dropping_or_adding_a_folio_is_detected():
    finished = [(f, "OP") for f in range(1, 1001)]
    decisions = recorded(range(1, 1001))
    dropped = [d for d in decisions if d.folio != 321]
    result = run(dropped, finished)
    assert [(m["folio"], m["kind"]) for m in result["mismatches"]] == [(321, "missing_decision")]
    added = decisions + recorded([5000])
    result = run(added, finished)
    assert [(m["folio"], m["kind"]) for m in result["mismatches"]] == [(5000, "not_finished")]


def test_a_call_outside_the_sample_and_a_wrong_secret_are_detected():
    decisions = recorded(range(1, 200))
    unsampled = next(d for d in decisions if not d.sampled)
    called = [Decision(d.folio, d.agency, d.sampled, called=True) if d == unsampled else d for d in decisions]
    assert [m["kind"] for m in run(called)["mismatches"]] == ["called_not_sampled"]
    other = bytes(32)
    result = run(recorded(range(1, 200), secret=other), secret=other)
    assert not result["secret_matches_commitment"] and not result["matches"]


def test_rates_per_agency_and_formats():
    rates = sampling.check_rates({"*": "0.10", "OP": "0.5"})
    assert sampling.rate_for(rates, "OP") == "0.5" and sampling.rate_for(rates, "SIAP") == "0.10"
    for bad in ("1.5", "-0.1", "abc", True, ""):
        with pytest.raises(sampling.BadInput):
            sampling.check_rate(bad)
    with pytest.raises(sampling.BadInput):
        sampling.check_rates({"OP": "0.1"})
    with pytest.raises(sampling.BadInput):
        sampling.parse_secret("abc")
    for bad in ("2026-13", "26-11", "0000-01", "9999-12", None):
        with pytest.raises(sampling.BadInput):
            sampling.check_period(bad)
    assert sampling.next_period("2026-12") == "2027-01"


def test_periods_are_months_in_the_municipality_zone():
    from datetime import datetime, timezone
    from zoneinfo import ZoneInfo
    tz = ZoneInfo("America/Mexico_City")
    # 1 December 03:00 UTC is still 30 November in Mexico City
    assert sampling.period_of(datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc), tz) == "2026-11"
    start, end = sampling.bounds("2026-11", tz)
    assert start.isoformat() == "2026-11-01T00:00:00-06:00" and end.isoformat() == "2026-12-01T00:00:00-06:00"
