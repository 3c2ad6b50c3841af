"""The sample on a real PostgreSQL database (handlers without a broker): routing's
report_status_changed decides, exclusions are recorded with their reason, the auditor's
recomputation matches, a tampered decision is detected, the secret is only revealed after
the period and the rule's share over 10,000 finished reports is close to the rate."""
import hashlib
import json
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from surveys import audit as audit_cli, handlers, sampling, store
from surveys.exceptions import Conflict, Forbidden
from surveys.settings import Settings

from .conftest import NOV, cancelled, created, opposed, status_changed

AFTER = datetime(2026, 12, 2, tzinfo=timezone.utc)  # period 2026-11 has ended
SETTINGS = Settings()


def finish(uow, folio, citizen=None, channel="072", agency="OP", at=NOV):
    handlers.record_report(uow, created(folio, citizen, channel, at))
    return handlers.record_status_change(uow, status_changed(folio, agency=agency, at=at), SETTINGS)


def sampled_folios(uow, n, start=1, **kw):
    """Finish folios from ``start`` until ``n`` of them are sampled; their folios."""
    out, folio = [], start
    while len(out) < n:
        if finish(uow, folio, **kw)["sampled"]:
            out.append(folio)
        folio += 1
    return out


def test_the_decision_is_the_rule_recorded_once(uow):
    handlers.commit_periods(uow, SETTINGS, now=NOV - timedelta(days=40))  # 2026-10 and 2026-11 committed early
    event = status_changed(5)
    d = handlers.record_status_change(uow, event, SETTINGS)
    assert handlers.record_status_change(uow, event, SETTINGS) is None  # redelivery
    assert handlers.record_status_change(uow, status_changed(5, version=9), SETTINGS) is None  # finished again
    with uow:
        period = store.get_period(uow.session, "2026-11")
    assert d["period"] == "2026-11" and d["rate"] == "0.10"
    assert (d["digest"], d["sampled"]) == sampling.decide(bytes(period["secret"]), 5, "0.10")
    assert period["committed_at"] < period["starts_at"]
    # the secret and the decisions are append-only
    with pytest.raises(sa.exc.DBAPIError):
        with uow:
            uow.session.execute(sa.text("UPDATE sample_decisions SET sampled = NOT sampled"))
    with pytest.raises(sa.exc.DBAPIError):
        with uow:
            uow.session.execute(sa.text("UPDATE period_secrets SET secret = 'x'"))


def test_exclusions_are_recorded_with_their_reason(uow):
    handlers.record_opposition(uow, opposed(100))
    handlers.record_cancellation(uow, cancelled(200))
    a = sampled_folios(uow, 1, start=1, citizen=100)           # opposed before
    b = sampled_folios(uow, 1, start=a[-1] + 1, citizen=200)   # cancelled before
    c = sampled_folios(uow, 1, start=b[-1] + 1, citizen=None)  # anonymous: no phone
    d = sampled_folios(uow, 2, start=c[-1] + 1, citizen=300)   # fine, then reopened / opposed later
    handlers.record_status_change(uow, status_changed(d[0], to="in_progress", action="reopen"), SETTINGS)
    handlers.record_opposition(uow, opposed(300, ["contact"]))
    with uow:
        states = {f: (c_["status"], c_["exclusion"]) for f in a + b + c + d
                  for c_ in [store.get_case(uow.session, f)]}
    assert states == {a[0]: ("excluded", "opposed"), b[0]: ("excluded", "cancelled"),
                      c[0]: ("excluded", "no_phone"), d[0]: ("excluded", "reopened"),
                      d[1]: ("excluded", "opposed")}
    result = handlers.audit_period(uow, {"kind": "staff", "role": "auditor", "username": "aud"}, "2026-11",
                                   now=AFTER)
    assert result["exclusions"] == {"opposed": 2, "cancelled": 1, "no_phone": 1, "reopened": 1}
    assert result["matches"]


def test_the_auditor_recomputes_and_a_tampered_decision_is_detected(uow, actors, tmp_path):
    for folio in range(1, 301):
        finish(uow, folio, citizen=folio)
    auditor = actors["auditor"]
    with pytest.raises(Conflict):  # the period is still running: its secret is not revealed
        handlers.audit_period(uow, auditor, "2026-11", now=NOV)
    with pytest.raises(Forbidden):
        handlers.audit_period(uow, actors["operator"], "2026-11", now=AFTER)
    public = handlers.list_periods(uow, actors["public"], now=NOV)
    assert public[0]["secret"] is None and len(public[0]["commitment"]) == 64
    revealed = handlers.list_periods(uow, actors["public"], now=AFTER)[0]
    assert hashlib_sha256(revealed["secret"]) == revealed["commitment"]

    finished = list(range(1, 301))
    honest = handlers.audit_period(uow, auditor, "2026-11", finished=finished, now=AFTER)
    assert honest["matches"] and honest["finished"] == 300 and honest["sampled_expected"] == honest["sampled_recorded"]

    # the CLI recomputes the same from the downloaded decisions and the auditor's own list
    document = handlers.period_decisions(uow, auditor, "2026-11", now=AFTER)
    (tmp_path / "d.json").write_text(json.dumps(document))
    (tmp_path / "f.csv").write_text("folio,agency\n" + "".join(f"{f},OP\n" for f in finished))
    argv = ["--period", "2026-11", "--decisions", str(tmp_path / "d.json"), "--finished", str(tmp_path / "f.csv")]
    assert audit_cli.main(argv) == 0
    # one finished folio left out of the file: the CLI says so
    (tmp_path / "f.csv").write_text("folio,agency\n" + "".join(f"{f},OP\n" for f in finished + [301]))
    assert audit_cli.main(argv) == 1

    # somebody with database rights flips one decision (the append-only trigger bypassed)
    victim = next(d["folio"] for d in document["decisions"] if d["sampled"])
    with uow:
        uow.session.execute(sa.text("ALTER TABLE sample_decisions DISABLE TRIGGER sample_decisions_append_only"))
        uow.session.execute(sa.text("UPDATE sample_decisions SET sampled = false WHERE folio = :f"), {"f": victim})
    tampered = handlers.audit_period(uow, auditor, "2026-11", finished=finished, now=AFTER)
    assert not tampered["matches"]
    assert [(m["folio"], m["kind"]) for m in tampered["mismatches"]] == [(victim, "decision_differs")]
    # or deletes the decision of a finished folio: the auditor's own list shows it missing
    dropped = next(d["folio"] for d in document["decisions"] if not d["sampled"])
    with uow:
        uow.session.execute(sa.text("DELETE FROM sample_decisions WHERE folio = :f"), {"f": dropped})
    missing = handlers.audit_period(uow, auditor, "2026-11", finished=finished, now=AFTER)
    assert [(m["folio"], m["kind"]) for m in missing["mismatches"]] == [
        (min(victim, dropped), "decision_differs" if victim < dropped else "missing_decision"),
        (max(victim, dropped), "missing_decision" if victim < dropped else "decision_differs")]


def hashlib_sha256(secret_hex):
    return hashlib.sha256(bytes.fromhex(secret_hex)).hexdigest()


def test_ten_thousand_finished_reports(uow, actors, capsys):
    """10,000 reports finished in one period, decided by the handlers on PostgreSQL, then
    audited: the sampled share and its distance from the 10 % rate."""
    secret = hashlib.sha256(b"SAC encuestas 2026-11").digest()  # a fixed secret: the figure is reproducible
    start, end = sampling.bounds("2026-11", SETTINGS.tz)
    with uow:
        store.add_period(uow.session, {"period": "2026-11", "secret": secret, "commitment": sampling.commitment(secret),
                                       "rates": SETTINGS.rates, "starts_at": start, "ends_at": end,
                                       "committed_at": start - timedelta(days=20)})
    with uow:
        for folio in range(1, 10_001):
            handlers.decide(uow.session, folio, "OP", "OP-ALUMBRADO", "OP-LAMPARA APAGADA", NOV, SETTINGS)
    result = handlers.audit_period(uow, actors["auditor"], "2026-11", finished=list(range(1, 10_001)), now=AFTER)
    assert result["matches"] and result["finished"] == 10_000
    share = result["sampled_recorded"] / 10_000
    distance = share - 0.10
    # binomial(10000, 0.1): standard deviation 0.003; 5 sigma
    assert abs(distance) < 0.015
    with capsys.disabled():
        print(f"\nsurveys sample: 10000 finished reports, {result['sampled_recorded']} sampled, "
              f"share {share:.4f}, distance from rate 0.10 {distance:+.4f}")
