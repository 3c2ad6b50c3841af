"""Persistence of surveys: SQLAlchemy Core tables mirroring the migrations, and every
query the use cases need (the only module that touches ``uow.session``)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, insert as pg_insert

metadata = sa.MetaData()
TS = sa.DateTime(timezone=True)

opt_outs = sa.Table(
    "opt_outs", metadata,
    sa.Column("citizen_number", sa.BigInteger, primary_key=True), sa.Column("scope", sa.Text, primary_key=True),
    sa.Column("at", TS), sa.Column("event_id", sa.Text), sa.Column("recorded_at", TS))

period_secrets = sa.Table(
    "period_secrets", metadata,
    sa.Column("period", sa.Text, primary_key=True), sa.Column("secret", sa.LargeBinary),
    sa.Column("commitment", sa.Text), sa.Column("rates", JSONB), sa.Column("starts_at", TS),
    sa.Column("ends_at", TS), sa.Column("committed_at", TS, server_default=sa.func.now()))

reports = sa.Table(
    "reports", metadata,
    sa.Column("folio", sa.BigInteger, primary_key=True), sa.Column("channel", sa.Text),
    sa.Column("citizen_number", sa.BigInteger), sa.Column("petition_type", sa.Text), sa.Column("created_at", TS))

decisions = sa.Table(
    "sample_decisions", metadata,
    sa.Column("folio", sa.BigInteger, primary_key=True), sa.Column("period", sa.Text),
    sa.Column("agency", sa.Text), sa.Column("department", sa.Text), sa.Column("petition_type", sa.Text),
    sa.Column("finished_at", TS), sa.Column("rate", sa.Text), sa.Column("digest", sa.Text),
    sa.Column("sampled", sa.Boolean), sa.Column("decided_at", TS, server_default=sa.func.now()))

cases = sa.Table(
    "cases", metadata,
    sa.Column("folio", sa.BigInteger, primary_key=True), sa.Column("period", sa.Text),
    sa.Column("status", sa.Text, server_default="pending"), sa.Column("exclusion", sa.Text),
    sa.Column("attempts", sa.Integer, server_default="0"), sa.Column("first_attempt_at", TS),
    sa.Column("next_call_at", TS), sa.Column("taken_by", sa.Text), sa.Column("taken_until", TS),
    sa.Column("closed_at", TS), sa.Column("updated_at", TS, server_default=sa.func.now()))

attempts = sa.Table(
    "call_attempts", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True), sa.Column("folio", sa.BigInteger),
    sa.Column("username", sa.Text), sa.Column("outcome", sa.Text), sa.Column("call_back_at", TS),
    sa.Column("at", TS))

questionnaires = sa.Table(
    "questionnaires", metadata,
    sa.Column("code", sa.Text, primary_key=True), sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("title", sa.Text), sa.Column("questions", JSONB), sa.Column("created_by", sa.Text),
    sa.Column("created_at", TS, server_default=sa.func.now()))

answers = sa.Table(
    "survey_answers", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True), sa.Column("folio", sa.BigInteger),
    sa.Column("source", sa.Text), sa.Column("citizen_number", sa.BigInteger), sa.Column("agency", sa.Text),
    sa.Column("department", sa.Text), sa.Column("petition_type", sa.Text),
    sa.Column("questionnaire_code", sa.Text), sa.Column("questionnaire_version", sa.Integer),
    sa.Column("answers", JSONB), sa.Column("score", sa.Numeric(4, 2)), sa.Column("resolved", sa.Boolean),
    sa.Column("comment", sa.Text), sa.Column("completed_by", sa.Text), sa.Column("completed_at", TS),
    sa.Column("reopen_status", sa.Text), sa.Column("reopen_detail", sa.Text))

follow_ups = sa.Table(
    "follow_up_calls", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True), sa.Column("folio", sa.BigInteger),
    sa.Column("kind", sa.Text), sa.Column("note", sa.Text), sa.Column("logged_by", sa.Text),
    sa.Column("logged_at", TS))


def _row(result):
    r = result.mappings().first()
    return dict(r) if r is not None else None


def _rows(result) -> list[dict]:
    return [dict(r) for r in result.mappings()]


# --------------------------------------------------------------------------- opt-outs

def add_opt_outs(s, number: int, scopes, at: datetime, event_id: str) -> int:
    stmt = pg_insert(opt_outs).values([{"citizen_number": number, "scope": sc, "at": at, "event_id": str(event_id)}
                                       for sc in scopes])
    return len(s.execute(stmt.on_conflict_do_nothing().returning(opt_outs.c.scope)).all())


def opt_out_scopes(s, number: int) -> set[str]:
    return set(s.execute(sa.select(opt_outs.c.scope).where(opt_outs.c.citizen_number == number)).scalars())


def opt_outs_of(s, numbers: list[int]) -> list[dict]:
    return _rows(s.execute(sa.select(opt_outs).where(opt_outs.c.citizen_number.in_(numbers))
                           .order_by(opt_outs.c.citizen_number, opt_outs.c.scope)))


# --------------------------------------------------------------------------- periods

def get_period(s, period: str) -> dict | None:
    return _row(s.execute(sa.select(period_secrets).where(period_secrets.c.period == period)))


def add_period(s, row: dict) -> dict:
    """Insert the period unless another worker did; the stored row either way."""
    s.execute(pg_insert(period_secrets).values(**row).on_conflict_do_nothing())
    return get_period(s, row["period"])


def list_periods(s, limit: int = 36) -> list[dict]:
    return _rows(s.execute(sa.select(period_secrets).order_by(period_secrets.c.period.desc()).limit(limit)))


# --------------------------------------------------------------------------- reports projection

def upsert_report(s, row: dict) -> None:
    s.execute(pg_insert(reports).values(**row).on_conflict_do_nothing())


def upsert_reports(s, rows: list[dict]) -> None:
    """``upsert_report`` for many rows in one statement."""
    if rows:
        s.execute(pg_insert(reports).on_conflict_do_nothing(), rows)  # executemany: compiled once


def get_report(s, folio: int) -> dict | None:
    return _row(s.execute(sa.select(reports).where(reports.c.folio == folio)))


def forget_citizen_in_reports(s, numbers: list[int]) -> None:
    s.execute(sa.update(reports).where(reports.c.citizen_number.in_(numbers)).values(citizen_number=None))


# --------------------------------------------------------------------------- decisions and cases

def add_decision(s, row: dict) -> bool:
    stmt = pg_insert(decisions).values(**row).on_conflict_do_nothing().returning(decisions.c.folio)
    return s.execute(stmt).first() is not None


def get_decision(s, folio: int) -> dict | None:
    return _row(s.execute(sa.select(decisions).where(decisions.c.folio == folio)))


def add_case(s, folio: int, period: str) -> None:
    s.execute(pg_insert(cases).values(folio=folio, period=period).on_conflict_do_nothing())


def get_case(s, folio: int, lock: bool = False) -> dict | None:
    q = sa.select(cases).where(cases.c.folio == folio)
    return _row(s.execute(q.with_for_update() if lock else q))


def update_case(s, folio: int, now: datetime, **values) -> None:
    s.execute(sa.update(cases).where(cases.c.folio == folio).values(updated_at=now, **values))


def exclude_pending(s, folios_query, reason: str, now: datetime) -> list[int]:
    """Pending cases among ``folios_query`` (a select of folios) become excluded."""
    q = (sa.update(cases).where(cases.c.status == "pending", cases.c.folio.in_(folios_query))
         .values(status="excluded", exclusion=reason, closed_at=now, updated_at=now, taken_by=None,
                 taken_until=None).returning(cases.c.folio))
    return list(s.execute(q).scalars())


def folios_of_citizens(numbers: list[int]):
    return sa.select(reports.c.folio).where(reports.c.citizen_number.in_(numbers))


def next_case(s, now: datetime) -> dict | None:
    """The next callable case, locked; others taking at the same time skip it (SKIP LOCKED).
    Only cases whose report is known (intake's event arrived)."""
    c = cases
    q = (sa.select(c, reports.c.citizen_number, reports.c.channel)
         .join(reports, reports.c.folio == c.c.folio)
         .where(c.c.status == "pending",
                sa.or_(c.c.next_call_at.is_(None), c.c.next_call_at <= now),
                sa.or_(c.c.taken_until.is_(None), c.c.taken_until < now))
         .order_by(c.c.next_call_at.asc().nulls_first(), c.c.folio)
         .limit(1).with_for_update(of=c, skip_locked=True))
    return _row(s.execute(q))


def add_attempt(s, row: dict) -> None:
    s.execute(sa.insert(attempts).values(**row))


def attempts_of(s, folio: int) -> list[dict]:
    return _rows(s.execute(sa.select(attempts).where(attempts.c.folio == folio).order_by(attempts.c.id)))


def list_cases(s, status: str | None, period: str | None, limit: int, offset: int) -> list[dict]:
    q = (sa.select(cases, decisions.c.agency, decisions.c.department, decisions.c.petition_type)
         .join(decisions, decisions.c.folio == cases.c.folio))
    if status:
        q = q.where(cases.c.status == status)
    if period:
        q = q.where(cases.c.period == period)
    return _rows(s.execute(q.order_by(cases.c.folio).limit(limit).offset(offset)))


def period_decisions(s, period: str) -> list[dict]:
    """Every decision of ``period`` with its case and whether anybody phoned about it."""
    called = sa.or_(sa.exists().where(attempts.c.folio == decisions.c.folio),
                    sa.exists().where(answers.c.folio == decisions.c.folio, answers.c.source == "phone"))
    q = (sa.select(decisions.c.folio, decisions.c.agency, decisions.c.department, decisions.c.finished_at,
                   decisions.c.rate, decisions.c.digest, decisions.c.sampled, cases.c.status, cases.c.exclusion,
                   called.label("called"))
         .outerjoin(cases, cases.c.folio == decisions.c.folio)
         .where(decisions.c.period == period).order_by(decisions.c.folio))
    return _rows(s.execute(q))


# --------------------------------------------------------------------------- questionnaires

def latest_questionnaire(s, code: str) -> dict | None:
    q = sa.select(questionnaires).where(questionnaires.c.code == code).order_by(questionnaires.c.version.desc())
    return _row(s.execute(q.limit(1)))


def questionnaire(s, code: str, version: int) -> dict | None:
    return _row(s.execute(sa.select(questionnaires).where(questionnaires.c.code == code,
                                                          questionnaires.c.version == version)))


def list_questionnaires(s) -> list[dict]:
    q = sa.select(questionnaires).distinct(questionnaires.c.code).order_by(
        questionnaires.c.code, questionnaires.c.version.desc())
    return _rows(s.execute(q))


def add_questionnaire(s, row: dict) -> dict:
    return _row(s.execute(sa.insert(questionnaires).values(**row).returning(*questionnaires.c)))


# --------------------------------------------------------------------------- answers

def add_answers(s, row: dict) -> dict | None:
    """None when the folio already has a survey of that source."""
    stmt = pg_insert(answers).values(**row).on_conflict_do_nothing().returning(*answers.c)
    return _row(s.execute(stmt))


def set_reopen(s, survey_id: int, status: str, detail: str | None) -> None:
    s.execute(sa.update(answers).where(answers.c.id == survey_id).values(reopen_status=status, reopen_detail=detail))


def reopens_to_retry(s, since: datetime, statuses, limit: int) -> list[dict]:
    """Phone surveys answered «no» since ``since`` whose reopening did not happen for a
    reason that may pass (routing down, or not yet granting it)."""
    return _rows(s.execute(sa.select(answers.c.id, answers.c.folio).where(
        answers.c.resolved.is_(False), answers.c.reopen_status.in_(statuses), answers.c.completed_at >= since)
        .order_by(answers.c.id).limit(limit)))


def get_answers(s, survey_id: int) -> dict | None:
    return _row(s.execute(sa.select(answers).where(answers.c.id == survey_id)))


def _answer_filters(q, period_bounds, agency, source):
    if period_bounds:
        q = q.where(answers.c.completed_at >= period_bounds[0], answers.c.completed_at < period_bounds[1])
    if agency:
        q = q.where(answers.c.agency == agency)
    if source:
        q = q.where(answers.c.source == source)
    return q


def list_answers(s, period_bounds, agency, source, after_id: int, limit: int) -> list[dict]:
    q = _answer_filters(sa.select(answers).where(answers.c.id > after_id), period_bounds, agency, source)
    return _rows(s.execute(q.order_by(answers.c.id).limit(limit)))


def summarize_answers(s, period_bounds, agency) -> list[dict]:
    a = answers
    q = _answer_filters(sa.select(
        a.c.agency, a.c.source, sa.func.count().label("surveys"), sa.func.avg(a.c.score).label("mean_score"),
        sa.func.count().filter(a.c.resolved.is_(True)).label("resolved_yes"),
        sa.func.count().filter(a.c.resolved.is_(False)).label("resolved_no"),
        sa.func.count().filter(a.c.reopen_status == "reopened").label("reopened"),
    ), period_bounds, agency, None).group_by(a.c.agency, a.c.source).order_by(a.c.agency, a.c.source)
    return _rows(s.execute(q))


def answers_of(s, numbers: list[int]) -> list[dict]:
    return _rows(s.execute(sa.select(answers).where(answers.c.citizen_number.in_(numbers)).order_by(answers.c.id)))


def erase_answers_of(s, numbers: list[int], keep) -> int:
    """ARCO cancellation: the citizen's surveys lose the link to the number, the comment
    and every free-text answer (``keep(answers, questionnaire)`` → the answers kept)."""
    rows = answers_of(s, numbers)
    for r in rows:
        s.execute(sa.update(answers).where(answers.c.id == r["id"]).values(
            citizen_number=None, comment=None, answers=keep(r)))
    return len(rows)


# --------------------------------------------------------------------------- follow-up calls

def add_follow_up(s, row: dict) -> dict:
    return _row(s.execute(sa.insert(follow_ups).values(**row).returning(*follow_ups.c)))


def follow_ups_by_month(s, start: datetime, end: datetime, tz: str) -> list[dict]:
    month = sa.func.to_char(sa.func.timezone(tz, follow_ups.c.logged_at), "YYYY-MM").label("month")
    q = (sa.select(month, follow_ups.c.kind, sa.func.count().label("calls"))
         .where(follow_ups.c.logged_at >= start, follow_ups.c.logged_at < end)
         .group_by(month, follow_ups.c.kind).order_by(month, follow_ups.c.kind))
    return _rows(s.execute(q))


def phone_surveys_by_month(s, start: datetime, end: datetime, tz: str) -> list[dict]:
    month = sa.func.to_char(sa.func.timezone(tz, attempts.c.at), "YYYY-MM").label("month")
    q = (sa.select(month, sa.func.count().label("calls")).where(attempts.c.at >= start, attempts.c.at < end)
         .group_by(month).order_by(month))
    return _rows(s.execute(q))
