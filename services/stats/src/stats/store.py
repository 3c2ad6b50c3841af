"""Persistence of stats: the event log and the read models built from it. The only module
that writes SQL; handlers call these functions inside ``with uow:``."""
from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, insert as pg_insert

metadata = sa.MetaData()
TS = sa.DateTime(timezone=True)

report_facts = sa.Table(
    "report_facts", metadata,
    sa.Column("folio", sa.BigInteger, primary_key=True), sa.Column("petition_type", sa.Text),
    sa.Column("kind", sa.Text), sa.Column("channel", sa.Text), sa.Column("colonia", sa.Text),
    sa.Column("zone", sa.Text), sa.Column("lat", sa.Float), sa.Column("lon", sa.Float),
    sa.Column("created_by", sa.Text), sa.Column("agency", sa.Text), sa.Column("department", sa.Text),
    sa.Column("status", sa.Text), sa.Column("version", sa.Integer), sa.Column("status_at", TS),
    sa.Column("created_at", TS), sa.Column("due_at", TS), sa.Column("started_at", TS),
    sa.Column("finished_at", TS), sa.Column("closed_at", TS), sa.Column("updated_at", TS),
    sa.Column("viability", sa.Text), sa.Column("reassign_count", sa.Integer), sa.Column("shared_count", sa.Integer),
    sa.Column("reopen_count", sa.Integer), sa.Column("survey_score", sa.Float),
    sa.Column("survey_resolved", sa.Boolean), sa.Column("survey_at", TS), sa.Column("hours_to_close", sa.Float),
    sa.Column("bhours_to_close", sa.Float), sa.Column("on_time", sa.Boolean), sa.Column("from_intake", sa.Boolean),
    # 0004: routing.report_duplicate_marked (the original's folio; duplicates count apart)
    sa.Column("duplicate_of", sa.BigInteger))

event_log = sa.Table(
    "event_log", metadata,
    sa.Column("seq", sa.BigInteger, primary_key=True), sa.Column("event_id", sa.Text),
    sa.Column("event_type", sa.Text), sa.Column("version", sa.Integer), sa.Column("occurred_at", TS),
    sa.Column("data", JSONB), sa.Column("received_at", TS))

agg = sa.Table(
    "agg_counts", metadata,
    sa.Column("family", sa.CHAR(1), primary_key=True), sa.Column("dim", sa.Text, primary_key=True), sa.Column("scope", sa.Text, primary_key=True),
    sa.Column("grain", sa.CHAR(1), primary_key=True), sa.Column("period", sa.Date, primary_key=True),
    sa.Column("key", sa.Text, primary_key=True), sa.Column("measure", sa.Text, primary_key=True),
    sa.Column("n", sa.BigInteger), sa.Column("on_time", sa.BigInteger), sa.Column("sum_h", sa.Float),
    sa.Column("sum_bh", sa.Float))

interventions = sa.Table(
    "interventions", metadata,
    sa.Column("intervention_id", sa.BigInteger, primary_key=True), sa.Column("folio", sa.BigInteger),
    sa.Column("kind", sa.Text), sa.Column("author", sa.Text), sa.Column("agency", sa.Text),
    sa.Column("department", sa.Text), sa.Column("at", TS))

follow_up_calls = sa.Table(
    "follow_up_calls", metadata,
    sa.Column("call_id", sa.BigInteger, primary_key=True), sa.Column("folio", sa.BigInteger),
    sa.Column("kind", sa.Text), sa.Column("logged_at", TS))

channel_interactions = sa.Table(
    "channel_interactions", metadata,
    sa.Column("event_id", sa.Text, primary_key=True), sa.Column("channel", sa.Text), sa.Column("option", sa.Text),
    sa.Column("outcome", sa.Text), sa.Column("conversation_id", sa.Text), sa.Column("occurred_at", TS))

directory_uses = sa.Table(
    "directory_uses", metadata,
    sa.Column("event_id", sa.Text, primary_key=True), sa.Column("kind", sa.Text), sa.Column("office_id", sa.Text),
    sa.Column("channel", sa.Text), sa.Column("at", TS))

names = sa.Table(
    "names", metadata,
    sa.Column("code", sa.Text, primary_key=True), sa.Column("agency", sa.Text), sa.Column("name", sa.Text),
    sa.Column("active", sa.Boolean))

settings = sa.Table(
    "settings", metadata,
    sa.Column("key", sa.Text, primary_key=True), sa.Column("value", JSONB), sa.Column("updated_at", TS))

monthly_closures = sa.Table(
    "monthly_closures", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True), sa.Column("agency", sa.Text), sa.Column("month", sa.Date),
    sa.Column("version", sa.Integer), sa.Column("reason", sa.Text), sa.Column("figures", JSONB),
    sa.Column("generated_by", sa.Text), sa.Column("generated_at", TS))

indicators = sa.Table(
    "indicators", metadata,
    sa.Column("code", sa.Text, primary_key=True), sa.Column("name", sa.Text), sa.Column("formula", sa.Text),
    sa.Column("params", JSONB), sa.Column("frequency", sa.Text), sa.Column("baseline", sa.Float),
    sa.Column("goal", sa.Float), sa.Column("goal_direction", sa.Text), sa.Column("updated_at", TS))

f = report_facts
#: every read model ``python -m stats.rebuild`` empties and rebuilds from the event log
READ_MODELS = ("report_facts", "agg_counts", "interventions", "follow_up_calls", "channel_interactions",
               "directory_uses", "names")
#: one global lock: projections run one transaction at a time, so the pre-aggregated
#: counts (subtract a fact's old contribution, add its new one) never race
PROJECTION_LOCK = 7_311_012

# --------------------------------------------------------------------------- event log


def append_log(s, envelopes: list[dict]) -> set[str]:
    """Appends the envelopes not yet logged; the ids seen for the first time (idempotency)."""
    if not envelopes:
        return set()
    rows = [{"event_id": str(e["event_id"]), "event_type": e["event_type"], "version": int(e.get("version") or 1),
             "occurred_at": e.get("occurred_at"), "data": e["data"]}
            for e in {str(e["event_id"]): e for e in envelopes}.values()]
    # executemany (SQLAlchemy sends it as multi-row INSERTs): compiled once and cached, where
    # ``.values(rows)`` has no cache key and was compiled again for every batch
    return set(s.execute(_APPEND_LOG, rows).scalars())


_APPEND_LOG = pg_insert(event_log).on_conflict_do_nothing().returning(event_log.c.event_id)


def iter_log(s, batch: int = 2000):
    """The log in order of arrival, in pages of envelopes."""
    last = 0
    while True:
        rows = s.execute(sa.select(event_log).where(event_log.c.seq > last).order_by(event_log.c.seq)
                         .limit(batch)).mappings().all()
        if not rows:
            return
        last = rows[-1]["seq"]
        yield [{"event_id": r["event_id"], "event_type": r["event_type"], "version": r["version"],
                "occurred_at": r["occurred_at"].isoformat() if r["occurred_at"] else None, "data": r["data"]}
               for r in rows]


def lock_projection(s) -> None:
    s.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": PROJECTION_LOCK})


def truncate_read_models(s) -> None:
    s.execute(sa.text("TRUNCATE " + ", ".join(READ_MODELS)))


# --------------------------------------------------------------------------- facts


def _ts(value) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def facts_from_intake(s, reports: list[dict]) -> None:
    """intake.report_created, several in one statement: what intake alone knows is
    authoritative; the owner only while routing has said nothing (version 0)."""
    rows = {}
    for d in reports:
        loc = d.get("location") or {}
        rows[d["folio"]] = {
            "folio": d["folio"], "petition_type": d["petition_type"], "kind": d.get("kind"), "channel": d["channel"],
            "colonia": loc.get("colonia"), "zone": loc.get("zone"), "lat": loc.get("lat"), "lon": loc.get("lon"),
            "created_by": d.get("created_by"), "agency": d.get("agency"), "department": d.get("department"),
            "status": "captured", "version": 0, "created_at": _ts(d["created_at"]), "due_at": _ts(d.get("due_at")),
            "from_intake": True}
    if not rows:
        return
    s.execute(_FACTS_FROM_INTAKE, list(rows.values()))  # executemany: cached (see append_log)


def _facts_from_intake():
    stmt = pg_insert(f)
    x, young = stmt.excluded, f.c.version == 0
    return (stmt.on_conflict_do_update(index_elements=["folio"], set_={
        "petition_type": x.petition_type, "kind": x.kind, "channel": x.channel, "colonia": x.colonia,
        "zone": x.zone, "lat": x.lat, "lon": x.lon, "created_by": x.created_by, "created_at": x.created_at,
        "due_at": sa.func.coalesce(f.c.due_at, x.due_at), "from_intake": True,
        "status": sa.func.coalesce(f.c.status, "captured"),
        "agency": sa.case((young, x.agency), else_=f.c.agency),
        "department": sa.case((young, x.department), else_=f.c.department)}))


_FACTS_FROM_INTAKE = _facts_from_intake()


def ensure_fact(s, folio: int, petition_type: str | None, at, due_at) -> None:
    """A fact row for an event that arrived before intake's (filled in when it comes)."""
    s.execute(pg_insert(f).values(folio=folio, petition_type=petition_type, status=None, version=0,
                                  created_at=None, due_at=_ts(due_at)).on_conflict_do_nothing())


def facts_assigned(s, events: list[dict]) -> None:
    """routing.report_assigned is version 1 of the assignment: it never undoes a later
    change (nor an earlier version 1: the first event of a folio counts). Many events in
    two pipelined statements."""
    rows = {}
    for d in events:
        rows.setdefault(d["folio"], d)
    if not rows:
        return
    s.execute(_ENSURE_FACT, [{"folio": d["folio"], "petition_type": d["petition_type"], "status": None, "version": 0,
                              "created_at": None, "due_at": _ts(d.get("due_at"))} for d in rows.values()])
    s.execute(_ASSIGNED, [{"b_folio": d["folio"], "b_agency": d["agency"], "b_department": d["department"],
                           "b_at": _ts(d["assigned_at"]), "b_channel": d["channel"], "b_due_at": _ts(d.get("due_at"))}
                          for d in rows.values()])  # executemany, pipelined by psycopg


_ENSURE_FACT = pg_insert(f).on_conflict_do_nothing()
_ASSIGNED = sa.update(f).where(f.c.folio == sa.bindparam("b_folio"), f.c.version < 1).values(
    agency=sa.bindparam("b_agency"), department=sa.bindparam("b_department"), version=1, status="captured",
    status_at=sa.bindparam("b_at"), channel=sa.func.coalesce(f.c.channel, sa.bindparam("b_channel", type_=sa.Text)),
    due_at=sa.func.coalesce(f.c.due_at, sa.bindparam("b_due_at", type_=sa.DateTime(timezone=True))))


def fact_status_changed(s, d: dict) -> None:
    """The newest assignment version wins; counters and the first start count every event once."""
    folio, at, to = d["folio"], _ts(d["at"]), d["to"]
    ensure_fact(s, folio, d["petition_type"], at, d.get("due_at"))
    s.execute(sa.update(f).where(f.c.folio == folio, f.c.version < d["version"]).values(
        status=to, agency=d["agency"], department=d["department"], version=d["version"], status_at=at,
        finished_at=at if to == "done" else None, closed_at=at if to in ("done", "not_viable") else None,
        viability="not_viable" if to == "not_viable" else "viable", updated_at=sa.func.now()))
    counters = {}
    if d["action"] == "start":
        counters["started_at"] = sa.func.least(sa.func.coalesce(f.c.started_at, at), at)
    if d["action"] == "reopen":
        counters["reopen_count"] = f.c.reopen_count + 1
    if d["action"] == "reassign":
        counters["reassign_count"] = f.c.reassign_count + 1
    if counters:
        s.execute(sa.update(f).where(f.c.folio == folio).values(**counters))


def fact_shared(s, d: dict) -> None:
    ensure_fact(s, d["folio"], None, d["at"], None)
    s.execute(sa.update(f).where(f.c.folio == d["folio"]).values(shared_count=f.c.shared_count + 1))


def fact_surveyed(s, d: dict) -> None:
    """The latest survey of a folio (by completion time) is the one that counts."""
    at = _ts(d["completed_at"])
    ensure_fact(s, d["folio"], None, at, None)
    s.execute(sa.update(f).where(f.c.folio == d["folio"],
                                 sa.or_(f.c.survey_at.is_(None), f.c.survey_at <= at)).values(
        survey_score=d.get("score"), survey_resolved=d.get("resolved"), survey_at=at))


def fact_duplicate_marked(s, d: dict) -> None:
    """routing.report_duplicate_marked: the fact counts apart from then on (measure ``dup``,
    outside the status counts and compliance). A link is never undone nor changed."""
    ensure_fact(s, d["folio"], d.get("petition_type"), d["at"], None)
    s.execute(sa.update(f).where(f.c.folio == d["folio"]).values(duplicate_of=d["original_folio"]))


def existing_facts(s, folios) -> list[int]:
    if not folios:
        return []
    return list(s.execute(sa.select(f.c.folio).where(f.c.folio.in_(list(folios)))).scalars())


def facts_for_timing(s, folios) -> list[dict]:
    return [dict(r) for r in s.execute(sa.select(f.c.folio, f.c.status, f.c.created_at, f.c.finished_at, f.c.due_at,
                                                 f.c.hours_to_close, f.c.bhours_to_close, f.c.on_time)
                                       .where(f.c.folio.in_(list(folios)))).mappings()]


def set_timings(s, rows: list[dict]) -> None:
    if rows:
        s.execute(sa.update(f).where(f.c.folio == sa.bindparam("b_folio")).values(
            hours_to_close=sa.bindparam("hours"), bhours_to_close=sa.bindparam("bhours"),
            on_time=sa.bindparam("on_time")), [{"b_folio": r["folio"], **{k: r[k] for k in ("hours", "bhours",
                                                                                             "on_time")}}
                                               for r in rows])


def add_intervention(s, d: dict) -> bool:
    stmt = pg_insert(interventions).values(
        intervention_id=d["intervention_id"], folio=d["folio"], kind=d["kind"], author=d["author"],
        agency=d.get("agency"), department=d.get("department"), at=_ts(d["at"])).on_conflict_do_nothing()
    return s.execute(stmt.returning(interventions.c.intervention_id)).first() is not None


def add_call(s, d: dict) -> None:
    s.execute(pg_insert(follow_up_calls).values(call_id=d["call_id"], folio=d.get("folio"), kind=d["kind"],
                                                logged_at=_ts(d["logged_at"])).on_conflict_do_nothing())


def add_interaction(s, event_id: str, d: dict) -> None:
    s.execute(pg_insert(channel_interactions).values(
        event_id=event_id, channel=d["channel"], option=d["option"], outcome=d["outcome"],
        conversation_id=d.get("conversation_id"), occurred_at=_ts(d["occurred_at"])).on_conflict_do_nothing())


def add_directory_use(s, event_id: str, kind: str, d: dict) -> None:
    s.execute(pg_insert(directory_uses).values(
        event_id=event_id, kind=kind, office_id=d["office_id"], channel=d["channel"],
        at=_ts(d.get("consulted_at") or d.get("printed_at"))).on_conflict_do_nothing())


def set_name(s, d: dict) -> None:
    stmt = pg_insert(names).values(code=d["code"], agency=d.get("agency"), name=d["name"], active=d.get("active"))
    s.execute(stmt.on_conflict_do_update(index_elements=["code"], set_={
        "agency": stmt.excluded.agency, "name": stmt.excluded.name, "active": stmt.excluded.active}))


# --------------------------------------------------------------------------- pre-aggregation
#: dimensions kept per day (scope '*' only) as well as per month; the others per month
DAILY_DIMS = ("all", "agency", "department", "kind", "channel", "zone")
#: dimensions whose monthly counts are also kept per agency (for 'all' and 'agency' the
#: agency's own figures are the 'agency' row of scope '*')
SCOPED_DIMS = ("department", "petition_type", "kind", "channel", "colonia", "zone", "created_by")
#: dimensions of closed reports' figures (family x) and of the histograms (family h, scope '*')
CLOSE_DIMS = ("agency", "department", "petition_type", "colonia", "zone")
HIST_DIMS = ("agency", "department", "petition_type")
GEO_DIMS = ("colonia", "zone")
BUCKET_SQL = ("CASE WHEN {h} < 12 THEN floor(greatest({h}, 0))::int "
              "WHEN {h} < 24 THEN 12 + (floor(({h} - 12) / 2))::int * 2 "
              "WHEN {h} < 72 THEN 24 + (floor(({h} - 24) / 6))::int * 6 "
              "WHEN {h} < 720 THEN 72 + (floor(({h} - 72) / 24))::int * 24 "
              "ELSE 720 + (floor(({h} - 720) / 168))::int * 168 END")

_PERIOD = ("CASE g.grain WHEN 'd' THEN (m.at AT TIME ZONE :tz)::date "
           "WHEN 'm' THEN date_trunc('month', m.at AT TIME ZONE :tz)::date "
           "ELSE date_trunc('year', m.at AT TIME ZONE :tz)::date END")
_DIMS = """CROSS JOIN LATERAL (VALUES {values}) d(dim, key)
CROSS JOIN LATERAL (VALUES ('*'), (CASE WHEN d.dim IN {scoped} THEN m.agency END)) s(scope)"""


def _tuple(values) -> str:
    return "(" + (", ".join(f"'{v}'" for v in values) or "NULL") + ")"


def _dim_values(dims) -> str:
    return ", ".join("('all', '')" if d == "all" else f"('{d}', m.{d})" for d in dims)


def _part(family: str, measures: str, dims, grains: str, extra_where: str = "true",
          sums: str = "0, 0.0, 0.0", scoped=SCOPED_DIMS) -> str:
    """One family of contributions: facts × measures × dimensions × scopes × grains."""
    on_time, h, bh = (x.strip() for x in sums.split(","))
    return f"""
SELECT '{family}' AS family, d.dim, s.scope, g.grain, {_PERIOD} AS period, d.key, m.measure,
       count(*) AS n, sum({on_time})::bigint AS on_time, sum({h})::float8 AS sum_h, sum({bh})::float8 AS sum_bh
FROM (SELECT f.*, x.measure, x.at FROM facts f CROSS JOIN LATERAL (VALUES {measures}) x(measure, at)
      WHERE x.at IS NOT NULL AND {extra_where}) m
{_DIMS.format(values=_dim_values(dims), scoped=_tuple(scoped))}
CROSS JOIN (VALUES {grains}) g(grain)
WHERE d.key IS NOT NULL AND s.scope IS NOT NULL
GROUP BY 1, 2, 3, 4, 5, 6, 7"""


def contribution_sql(where: str, sign: int = 1, grains: tuple = ("m", "y")) -> str:
    """What the facts matching ``where`` count in ``agg_counts`` (times ``sign``): days for
    the daily dimensions, and ``grains`` (months, years) for every family."""
    g = ", ".join(f"('{x}')" for x in grains)
    # a duplicate counts only as ``dup`` (by creation date): not in the status counts, events or compliance
    own = "f.duplicate_of IS NULL"
    counts = (f"('st:' || f.status, CASE WHEN {own} THEN f.created_at END),"
              f" ('ev:started', CASE WHEN {own} THEN f.started_at END),"
              f" ('ev:finished', CASE WHEN {own} THEN f.finished_at END),"
              f" ('ev:not_viable', CASE WHEN {own} AND f.status = 'not_viable' THEN f.closed_at END),"
              " ('dup', CASE WHEN f.duplicate_of IS NOT NULL THEN f.created_at END)")
    parts = [
        _part("c", counts, ("all", "agency") + SCOPED_DIMS, g),
        _part("c", counts, DAILY_DIMS, "('d')", scoped=()),
        _part("x", "('close', f.finished_at)", CLOSE_DIMS, g, f"f.status = 'done' AND {own}",
              "m.on_time::int, m.hours_to_close, m.bhours_to_close"),
        _part("h", f"('ch:' || ({BUCKET_SQL.format(h='f.hours_to_close')}), f.finished_at), "
                   f"('bh:' || ({BUCKET_SQL.format(h='f.bhours_to_close')}), f.finished_at)",
              HIST_DIMS, g, f"f.status = 'done' AND f.hours_to_close IS NOT NULL AND {own}", scoped=()),
        _part("g", "('geo', f.created_at)", GEO_DIMS, g, "f.lat IS NOT NULL", "0, m.lat, m.lon"),
    ]
    body = " UNION ALL ".join(parts)
    return f"""WITH facts AS (SELECT * FROM report_facts f
                    WHERE f.status IS NOT NULL AND f.created_at IS NOT NULL AND {where})
SELECT family, dim, scope, grain, period, key, measure, {sign} * n, {sign} * on_time, {sign} * sum_h,
       {sign} * sum_bh FROM ({body}) c"""


MONTHS_ONLY = "('m')"
_IV_CONTRIB = """
SELECT 'c' AS family, 'author' AS dim, s.scope, g.grain,
       date_trunc(CASE g.grain WHEN 'm' THEN 'month' ELSE 'year' END, i.at AT TIME ZONE :tz)::date AS period,
       i.author AS key, 'iv:' || i.kind AS measure, count(*) AS n, 0 AS on_time, 0.0 AS sum_h, 0.0 AS sum_bh
FROM interventions i
CROSS JOIN LATERAL (VALUES ('*'), (i.agency)) s(scope)
CROSS JOIN (VALUES {grains}) g(grain)
WHERE s.scope IS NOT NULL AND {where}
GROUP BY 1, 2, 3, 4, 5, 6, 7
"""

_UPSERT = """
INSERT INTO agg_counts (family, dim, scope, grain, period, key, measure, n, on_time, sum_h, sum_bh)
SELECT * FROM ({select}) c ORDER BY 1, 2, 3, 4, 5, 6, 7
ON CONFLICT (family, dim, scope, grain, period, key, measure) DO UPDATE SET
  n = agg_counts.n + excluded.n, on_time = agg_counts.on_time + excluded.on_time,
  sum_h = agg_counts.sum_h + excluded.sum_h, sum_bh = agg_counts.sum_bh + excluded.sum_bh
"""


def add_contributions(s, folios, sign: int, tz: str) -> None:
    """Adds (``sign`` 1) or removes (-1) what the facts of ``folios`` count in ``agg_counts``."""
    folios = sorted(folios)
    if folios:
        s.execute(sa.text(_UPSERT.format(select=contribution_sql("f.folio = ANY(:folios)", sign))),
                  {"folios": folios, "tz": tz})


def add_intervention_contributions(s, ids, tz: str) -> None:
    if ids:
        s.execute(sa.text(_UPSERT.format(select=_IV_CONTRIB.format(where="i.intervention_id = ANY(:ids)", grains="('m'), ('y')"))),
                  {"ids": sorted(ids), "tz": tz})


def rebuild_aggregates(s, tz: str) -> None:
    """``agg_counts`` from scratch, from the facts and interventions (rebuild, bench): days
    and months from the facts, years from the months; plain INSERTs into an empty table."""
    s.execute(sa.text("TRUNCATE agg_counts"))
    s.execute(sa.text("SET LOCAL work_mem = '256MB'"))  # the grouping stays in memory
    s.execute(sa.text(f"INSERT INTO agg_counts {contribution_sql('true', grains=('m',))}"), {"tz": tz})
    s.execute(sa.text(f"INSERT INTO agg_counts {_IV_CONTRIB.format(where='true', grains=MONTHS_ONLY)}"), {"tz": tz})
    s.execute(sa.text("""INSERT INTO agg_counts
        SELECT family, dim, scope, 'y', date_trunc('year', period)::date, key, measure, sum(n), sum(on_time),
               sum(sum_h), sum(sum_bh)
        FROM agg_counts WHERE grain = 'm' GROUP BY 1, 2, 3, 5, 6, 7"""))
    s.execute(sa.text("CLUSTER agg_counts USING agg_counts_pkey"))  # a period's rows side by side on disk


# --------------------------------------------------------------------------- settings


def get_setting(s, key: str):
    return s.execute(sa.select(settings.c.value).where(settings.c.key == key)).scalar()


def put_setting(s, key: str, value) -> None:
    stmt = pg_insert(settings).values(key=key, value=value, updated_at=sa.func.now())
    s.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": stmt.excluded.value,
                                                                        "updated_at": sa.func.now()}))


# --------------------------------------------------------------------------- queries


def _agg_conds(family: str, dim: str, scope: str, spans, prefixes=(), keys=None) -> list:
    a = agg
    parts = []
    for grain, first, last in spans:
        m = [a.c.grain == grain]
        if first is not None:
            m.append(a.c.period >= first)
        if last is not None:
            m.append(a.c.period <= last)
        parts.append(sa.and_(*m))
    conds = [a.c.family == family, a.c.dim == dim, a.c.scope == scope, sa.or_(*parts) if parts else sa.false()]
    if prefixes:
        conds.append(sa.or_(*[a.c.measure.like(p + "%") for p in prefixes]))
    if keys is not None:
        conds.append(a.c.key.in_(list(keys)))
    return conds


def agg_rows(s, dim: str, scope: str, spans, prefixes=(), keys=None, by_period: str | None = None,
             family: str = "c"):
    """Sums of ``agg_counts`` per key and measure (and per period when ``by_period`` is
    day, week or month) over ``spans``: (grain, first period, last period), None unbounded."""
    a = agg
    cols = [a.c.key, a.c.measure]
    if by_period:
        cols.append(sa.func.date_trunc(by_period, a.c.period).cast(sa.Date).label("period"))
    q = sa.select(*cols, sa.func.sum(a.c.n).label("n"), sa.func.sum(a.c.on_time).label("on_time"),
                  sa.func.sum(a.c.sum_h).label("sum_h"), sa.func.sum(a.c.sum_bh).label("sum_bh")) \
        .where(*_agg_conds(family, dim, scope, spans, prefixes, keys)).group_by(*cols)
    return as_json_rows(s, q)


def hist_medians(s, dim: str, spans, keys=None) -> list[dict]:
    """Per key and histogram (ch: calendar hours, bh: business hours) the median time to
    close, interpolated inside the bucket that holds it (domain.median_from_histogram's
    rule, in SQL: one row per key instead of one per bucket)."""
    a = agg
    hist = sa.func.split_part(a.c.measure, ":", 1).label("hist")
    lower = sa.cast(sa.func.split_part(a.c.measure, ":", 2), sa.Integer).label("lower")
    h = sa.select(a.c.key, hist, lower, sa.func.sum(a.c.n).label("n")) \
        .where(*_agg_conds("h", dim, "*", spans, ("ch:", "bh:"), keys)).group_by(a.c.key, hist, lower).subquery("h")
    part = (h.c.key, h.c.hist)
    c = sa.select(h.c.key, h.c.hist, h.c.lower, h.c.n,
                  (sa.func.sum(h.c.n).over(partition_by=part, order_by=h.c.lower) - h.c.n).label("seen"),
                  sa.func.sum(h.c.n).over(partition_by=part).label("total")).where(h.c.n > 0).subquery("c")
    width = sa.case((c.c.lower < 12, 1), (c.c.lower < 24, 2), (c.c.lower < 72, 6), (c.c.lower < 720, 24), else_=168)
    q = sa.select(c.c.key, c.c.hist, (c.c.lower + width * (c.c.total / 2.0 - c.c.seen) / c.c.n).label("median")) \
        .where(c.c.seen + c.c.n >= c.c.total / 2.0).distinct(c.c.key, c.c.hist) \
        .order_by(c.c.key, c.c.hist, c.c.lower)
    return as_json_rows(s, q)


def as_json_rows(s, q) -> list[dict]:
    """The rows of ``q`` as one JSON array: with psycopg's pure-Python implementation
    (needed under eventlet) each value fetched costs ~6 µs, a JSON document is parsed in C."""
    sub = q.subquery("t")
    doc = s.execute(sa.select(sa.func.coalesce(sa.func.json_agg(sa.literal_column("t")), sa.text("'[]'::json")))
                    .select_from(sub)).scalar_one()
    rows = json.loads(doc) if isinstance(doc, str) else doc
    for r in rows:
        if "period" in r and isinstance(r["period"], str):
            r["period"] = date.fromisoformat(r["period"])
    return rows


def fact_rows(s, scope: str, filters: dict, start, end, group: str, tz: str, by_period: str | None = None):
    """The same per key and measure (st:<status>, ev:<event>, dup) straight from the facts, for
    crossings the pre-aggregated counts do not keep (several filters, edge days of a
    monthly-only dimension). Index: (agency, created_at)."""
    key = sa.literal("") if group == "all" else f.c[group]
    conds = [f.c.status.isnot(None), f.c.created_at.isnot(None)]
    if scope != "*":
        conds.append(f.c.agency == scope)
    for dim, value in filters.items():
        conds.append(f.c[dim] == value)
    out = []
    own = f.c.duplicate_of.is_(None)  # duplicates count only as ``dup`` (contribution_sql)
    for measure, at, extra in (("'st:' || status", f.c.created_at, [own]),
                               ("'ev:started'", f.c.started_at, [own]),
                               ("'ev:finished'", f.c.finished_at, [own]),
                               ("'ev:not_viable'", f.c.closed_at, [own, f.c.status == "not_viable"]),
                               ("'dup'", f.c.created_at, [f.c.duplicate_of.isnot(None)])):
        day = sa.cast(sa.func.timezone(tz, at), sa.Date)
        c = conds + [at.isnot(None)] + extra
        if start is not None:  # instants, so an index on the timestamp serves the range
            c.append(at >= datetime.combine(start, time(0), ZoneInfo(tz)))
        if end is not None:
            c.append(at < datetime.combine(end + timedelta(days=1), time(0), ZoneInfo(tz)))
        cols = [key.label("key"), sa.literal_column(measure).label("measure")]
        if by_period:
            cols.append(sa.func.date_trunc(by_period, day).cast(sa.Date).label("period"))
        q = sa.select(*cols, sa.func.count().label("n")).where(*c) \
            .group_by(*[sa.literal_column(c.name) for c in cols])
        out += [r | {"on_time": 0, "sum_h": 0.0, "sum_bh": 0.0} for r in as_json_rows(s, q)]
    return out


def open_overdue(s, scope: str, group: str, now) -> dict:
    """Open reports already past their due date, per key (partial index on open due dates);
    not duplicates (their original is the one being worked)."""
    key = sa.literal("") if group == "all" else f.c[group]
    conds = [f.c.status.in_(("captured", "in_progress")), f.c.due_at < now, f.c.duplicate_of.is_(None)]
    if scope != "*":
        conds.append(f.c.agency == scope)
    q = sa.select(key.label("key"), sa.func.count().label("n")).where(*conds).group_by(sa.literal_column("key"))
    return {r.key: r.n for r in s.execute(q)}


def satisfaction(s, scope: str, start, end, tz: str) -> dict:
    day = sa.cast(sa.func.timezone(tz, f.c.survey_at), sa.Date)
    conds = [f.c.survey_score.isnot(None), day >= start, day <= end]
    if scope != "*":
        conds.append(f.c.agency == scope)
    r = s.execute(sa.select(sa.func.count().label("n"), sa.func.avg(f.c.survey_score).label("mean"),
                            sa.func.count().filter(f.c.survey_resolved.is_(True)).label("resolved"))
                  .where(*conds)).one()
    return {"surveys": r.n, "mean_score": round(float(r.mean), 2) if r.mean is not None else None,
            "resolved": r.resolved}


def interaction_counts(s, start, end, tz: str, channel: str | None = None) -> list[dict]:
    t = channel_interactions
    day = sa.cast(sa.func.timezone(tz, t.c.occurred_at), sa.Date)
    conds = []
    if start is not None:
        conds.append(day >= start)
    if end is not None:
        conds.append(day <= end)
    if channel:
        conds.append(t.c.channel == channel)
    q = sa.select(t.c.channel, t.c.option, t.c.outcome, sa.func.count().label("total"),
                  sa.func.count(sa.distinct(t.c.conversation_id)).label("conversations")) \
        .where(*conds).group_by(t.c.channel, t.c.option, t.c.outcome) \
        .order_by(sa.desc("total"), t.c.channel, t.c.option, t.c.outcome)
    return [dict(r) for r in s.execute(q).mappings()]


def directory_counts(s, start, end, tz: str) -> list[dict]:
    t = directory_uses
    day = sa.cast(sa.func.timezone(tz, t.c.at), sa.Date)
    conds = [c for c in ((day >= start) if start else None, (day <= end) if end else None) if c is not None]
    q = sa.select(t.c.kind, t.c.channel, sa.func.count().label("total")).where(*conds) \
        .group_by(t.c.kind, t.c.channel).order_by(t.c.kind, sa.desc("total"), t.c.channel)
    return [dict(r) for r in s.execute(q).mappings()]


def count_calls(s, start, end, tz: str, kind: str | None) -> int:
    t = follow_up_calls
    day = sa.cast(sa.func.timezone(tz, t.c.logged_at), sa.Date)
    conds = [day >= start, day <= end] + ([t.c.kind == kind] if kind else [])
    return s.execute(sa.select(sa.func.count()).select_from(t).where(*conds)).scalar_one()


#: the only columns open data may carry: no citizen, no staff user, no description, no
#: street; the location rounded to 3 decimals (about 100 m)
OPEN_DATA_COLUMNS = ("folio", "created_date", "petition_type", "kind", "channel", "agency", "department",
                     "colonia", "zone", "lat", "lon", "status", "closed_date", "on_time")


def open_data_page(s, after: int, limit: int, start, end, tz: str) -> list[dict]:
    created = sa.cast(sa.func.timezone(tz, f.c.created_at), sa.Date)
    conds = [f.c.folio > after, f.c.status.isnot(None), f.c.created_at.isnot(None)]
    if start is not None:
        conds.append(created >= start)
    if end is not None:
        conds.append(created <= end)
    q = sa.select(f.c.folio, created.label("created_date"), f.c.petition_type, f.c.kind, f.c.channel, f.c.agency,
                  f.c.department, f.c.colonia, f.c.zone, sa.func.round(sa.cast(f.c.lat, sa.Numeric), 3).label("lat"),
                  sa.func.round(sa.cast(f.c.lon, sa.Numeric), 3).label("lon"), f.c.status,
                  sa.cast(sa.func.timezone(tz, f.c.closed_at), sa.Date).label("closed_date"), f.c.on_time) \
        .where(*conds).order_by(f.c.folio).limit(limit)
    rows = []
    for r in s.execute(q).mappings():
        row = {k: r[k] for k in OPEN_DATA_COLUMNS}
        for k in ("created_date", "closed_date"):
            row[k] = row[k].isoformat() if row[k] else None
        for k in ("lat", "lon"):
            row[k] = float(row[k]) if row[k] is not None else None
        rows.append(row)
    return rows


def agencies_with_reports(s, month) -> list[str]:
    q = sa.select(agg.c.key).where(agg.c.family == "c", agg.c.dim == "agency", agg.c.scope == "*", agg.c.grain == "m",
                                   agg.c.period == month, agg.c.measure.like("st:%"), agg.c.n > 0).distinct()
    return sorted(s.execute(q).scalars())


# --------------------------------------------------------------------------- closures, indicators


def closure_versions(s, agency: str, month) -> list[dict]:
    t = monthly_closures
    q = sa.select(t).where(t.c.agency == agency, t.c.month == month).order_by(t.c.version)
    return [dict(r) for r in s.execute(q).mappings()]


def list_closures(s, agency: str | None, year: int | None) -> list[dict]:
    t = monthly_closures
    conds = []
    if agency:
        conds.append(t.c.agency == agency)
    if year:
        conds.append(sa.extract("year", t.c.month) == year)
    q = sa.select(t.c.id, t.c.agency, t.c.month, t.c.version, t.c.reason, t.c.generated_by, t.c.generated_at) \
        .where(*conds).order_by(t.c.month.desc(), t.c.agency, t.c.version.desc())
    return [dict(r) for r in s.execute(q).mappings()]


def insert_closure(s, values: dict) -> dict:
    return dict(s.execute(sa.insert(monthly_closures).values(**values).returning(monthly_closures))
                .mappings().one())


def closures_missing(s, month) -> list[str]:
    have = set(s.execute(sa.select(monthly_closures.c.agency).where(monthly_closures.c.month == month)).scalars())
    return [a for a in agencies_with_reports(s, month) if a not in have]


def get_indicators(s, code: str | None = None) -> list[dict]:
    q = sa.select(indicators).order_by(indicators.c.code)
    if code:
        q = q.where(indicators.c.code == code)
    return [dict(r) for r in s.execute(q).mappings()]


def upsert_indicator(s, values: dict) -> None:
    stmt = pg_insert(indicators).values(**values, updated_at=sa.func.now())
    s.execute(stmt.on_conflict_do_update(index_elements=["code"], set_={
        k: stmt.excluded[k] for k in values if k != "code"} | {"updated_at": sa.func.now()}))
