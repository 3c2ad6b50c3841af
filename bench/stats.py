"""bench/stats: the Estadístico over 1,000,000 reports' facts, and the lag from an event
published to the figure visible.

    python bench/stats.py [--rows 1000000] [--reps 40] [--rate 50] [--seconds 20] [--keep]

Creates the database `sac_bench_stats` (dropped first; with --keep reused when it already
holds --rows facts), migrates it with stats' migrations, fills `report_facts` (two years,
2025-01 to 2026-11: 12 agencies, 36 departments, 266 petition types, 31 channels, 400
colonias, 8 zones, 400 users; 85 % done, 5 % not viable, 10 % open) and `interventions`
(one in two reports) with INSERT … SELECT generate_series, builds `agg_counts` with the
same SQL as `python -m stats.rebuild`, VACUUM ANALYZE, then times the plain functions
behind the RPCs (`stats.handlers`, no broker, no HTTP; an RPC adds ~1.5 ms here) for each
endpoint family, on random years, months, agencies and actors.

Lag: runs the real StatsService (`nameko run` in a process of its own, on a vhost of its own,
this database), publishes
`intake.report_created` events at --rate per second for --seconds, and polls the total
(the day's total of `totals`) every 5 ms: lag = figure visible − event published, per event.

Needs PostgreSQL and RabbitMQ. Last line: `stats p95 max <x> ms, lag p99 <y> ms`
(goals: ≤ 50 ms each, lag ≤ 1 s). The p95 max is over the families served from the
pre-aggregated counts; the ad hoc crossing (two filters, answered from the facts) is
printed too, outside the max.
"""
from __future__ import annotations

import warnings

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
import eventlet  # noqa: E402

eventlet.monkey_patch()

import argparse  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from datetime import datetime, timezone  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "libs" / "sacinfra" / "src"), str(ROOT / "services" / "stats" / "src")]

import sacinfra  # noqa: E402,F401  (PSYCOPG_IMPL=python)
import sqlalchemy as sa  # noqa: E402

from sacinfra import testing  # noqa: E402
from sacinfra.db import UnitOfWork, make_engine  # noqa: E402
from sacinfra.envelope import make_envelope  # noqa: E402
from stats import handlers, store  # noqa: E402
from stats.domain import LOCAL_TZ  # noqa: E402

DB = "sac_bench_stats"
SUP = {"kind": "staff", "username": "bench", "role": "supervisor"}

FILL = """
INSERT INTO report_facts (folio, petition_type, kind, channel, colonia, zone, lat, lon, created_by, agency,
  department, status, version, status_at, created_at, due_at, started_at, finished_at, closed_at, viability,
  reassign_count, shared_count, reopen_count, hours_to_close, bhours_to_close, on_time, from_intake)
SELECT g, 'PT-' || pt, CASE WHEN pt % 4 = 0 THEN 'Trámite' ELSE 'Servicio' END,
  CASE WHEN r1 < 0.4954 THEN 'MIERCOLES CIUDADANO' ELSE 'CH-' || (g % 30) END,
  'COL-' || (g * 7919 % 400), 'ZONA-' || (g * 7919 % 400 % 8),
  21.0 + (g * 7919 % 400) / 1000.0 + r2 / 100, -101.6 - (g * 7919 % 400) / 1000.0 - r3 / 100,
  'user' || (g * 31 % 400), 'AG-' || (pt % 12), 'AG-' || (pt % 12) || '-D' || (pt % 3),
  st, CASE st WHEN 'captured' THEN 1 WHEN 'in_progress' THEN 2 ELSE 3 END, created + fin * interval '1 hour',
  created, created + interval '72 hours',
  CASE WHEN st <> 'captured' THEN created + fin / 4 * interval '1 hour' END,
  CASE WHEN st = 'done' THEN created + fin * interval '1 hour' END,
  CASE WHEN st IN ('done', 'not_viable') THEN created + fin * interval '1 hour' END,
  CASE WHEN st = 'not_viable' THEN 'not_viable' ELSE 'viable' END, (r2 < 0.03)::int, (r3 < 0.01)::int,
  (r2 > 0.99)::int,
  CASE WHEN st = 'done' THEN fin END, CASE WHEN st = 'done' THEN fin * 8 / 24 END,
  CASE WHEN st = 'done' THEN fin <= 72 END, true
FROM (SELECT g, (g * 2654435761 % 266) AS pt, random() AS r1, random() AS r2, random() AS r3,
        timestamptz '2025-01-01 06:00-06' + (g::float8 / :rows) * interval '699 days' AS created,
        1 + random() * random() * 400 AS fin,
        CASE WHEN g > :rows * 0.96 THEN (CASE WHEN random() < 0.5 THEN 'captured' ELSE 'in_progress' END)
             WHEN random() < 0.94 THEN 'done' ELSE 'not_viable' END AS st
      FROM generate_series(1::bigint, :rows) g) x
"""
FILL_IV = """
INSERT INTO interventions (intervention_id, folio, kind, author, agency, department, at)
SELECT f.folio, f.folio, CASE WHEN f.status = 'done' THEN 'closing' ELSE 'note' END,
       'user' || (f.folio * 17 % 400), f.agency, f.department, coalesce(f.finished_at, f.created_at)
FROM report_facts f WHERE f.folio % 2 = 0
"""


def prepare(rows: int, keep: bool) -> str:
    url = testing.database_url(DB)
    facts = aggregates = 0
    if keep:
        try:
            eng = make_engine(url)
            with eng.connect() as c:
                facts = c.execute(sa.text("SELECT count(*) FROM report_facts")).scalar()
                aggregates = c.execute(sa.text("SELECT count(*) FROM agg_counts")).scalar()
            eng.dispose()
        except Exception:
            facts = 0
    if facts < rows:  # the lag run adds its own reports on top
        testing.drop_database(DB)
        testing.create_database(DB)
        testing.migrate(ROOT / "services" / "stats", url)
        eng = make_engine(url)
        t = time.perf_counter()
        with eng.begin() as c:
            c.execute(sa.text("SELECT setseed(0.42)"))
            c.execute(sa.text(FILL), {"rows": rows})
            c.execute(sa.text(FILL_IV))
        print(f"facts: {rows:,} in {time.perf_counter() - t:.1f} s")
        eng.dispose()
        aggregates = 0
    else:
        print(f"reusing {DB} ({facts:,} facts)")
    eng = make_engine(url)
    if not aggregates:
        t = time.perf_counter()
        uow = UnitOfWork(eng, "stats")
        with uow:
            store.rebuild_aggregates(uow.session, LOCAL_TZ)
        with eng.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(sa.text("VACUUM ANALYZE"))
            aggregates = c.execute(sa.text("SELECT count(*) FROM agg_counts")).scalar()
        print(f"agg_counts: {aggregates:,} rows in {time.perf_counter() - t:.1f} s (python -m stats.rebuild's SQL)")
    eng.dispose()
    return url


def p95(xs):
    return sorted(xs)[max(0, int(len(xs) * 0.95) - 1)] if xs else float("nan")


def time_families(url: str, reps: int) -> dict:
    eng = make_engine(url)
    uow = UnitOfWork(eng, "stats")
    rnd = random.Random(7)

    def year():
        y = rnd.choice((2025, 2026))
        return {"date_from": f"{y}-01-01", "date_to": f"{y}-12-31"}

    def month():
        y, m = rnd.choice((2025, 2026)), rnd.randint(1, 11)
        return {"date_from": f"{y}-{m:02d}-01", "date_to": f"{y}-{m:02d}-28"}

    def staff():
        return {"kind": "staff", "username": "b", "role": "agency_staff", "agency": f"AG-{rnd.randrange(12)}"}

    families = {
        "estadistico por dependencia, un año": lambda: handlers.totals(uow, SUP, year() | {"group_by": "agency"}),
        "estadistico por colonia, un año": lambda: handlers.totals(uow, SUP, year() | {"group_by": "colonia"}),
        "estadistico por canal, días sueltos": lambda: handlers.totals(uow, SUP, month() | {"group_by": "channel"}),
        "estadistico por evento (fecha real)": lambda: handlers.totals(uow, SUP, year() | {
            "group_by": "department", "basis": "event"}),
        "estatus por dependencia": lambda: handlers.status_by_agency(uow, SUP, year()),
        "participacion por canal": lambda: handlers.shares(uow, SUP, {}),
        "dependencia propia por tipo": lambda: handlers.totals(uow, staff(), year() | {"group_by": "petition_type"}),
        "cumplimiento por departamento": lambda: handlers.compliance(uow, SUP, year() | {"group_by": "department"}),
        "cumplimiento por tipo de peticion": lambda: handlers.compliance(uow, SUP, year() | {
            "group_by": "petition_type"}),
        "geografia por colonia": lambda: handlers.geography(uow, SUP, year()),
        "serie de tiempo diaria, un año": lambda: handlers.time_series(uow, SUP, year() | {"interval": "day"}),
        "serie de tiempo semanal, dependencia": lambda: handlers.time_series(uow, staff(), year() | {
            "interval": "week"}),
        "productividad por usuario": lambda: handlers.productivity(uow, SUP, year()),
        "transparencia": lambda: handlers.transparency(uow, {"kind": "public", "username": "p", "role": "public"}),
        "resumen (todo el periodo)": lambda: handlers.summary(uow),
    }
    crossing = {"cruce ad hoc desde hechos (canal y colonia)": lambda: handlers.totals(uow, SUP, month() | {
        "channel": "MIERCOLES CIUDADANO", "colonia": f"COL-{rnd.randrange(400)}", "group_by": "agency"})}
    out = {}
    for name, fn in {**families, **crossing}.items():
        fn()  # warm
        xs = []
        for _ in range(reps):
            t = time.perf_counter()
            fn()
            xs.append((time.perf_counter() - t) * 1000)
        out[name] = (p95(xs), name in crossing)
        print(f"  {name:45s} p95 {out[name][0]:7.1f} ms   median {statistics.median(xs):6.1f} ms")
    share = handlers.shares(uow, SUP, {})["rows"][0]
    print(f"  (canal principal: {share['key']} {share['percent']} % del total)")
    eng.dispose()
    return out


def measure_lag(url: str, rate: float, seconds: float) -> list[float]:
    """The real service in a process of its own (``nameko run``, as deployed), this process
    publishing and polling."""
    import subprocess
    import tempfile

    vhost = testing.unique("bench_stats")
    amqp = testing.create_vhost(vhost, delivery_limit=5)
    cfg = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False)
    cfg.write(f"AMQP_URI: '{amqp}'\nDATABASE_URL: '{url}'\nMETRICS_PORT: 0\nmax_workers: 100\n")
    cfg.close()
    env = dict(os.environ, PSYCOPG_IMPL="python",
               PYTHONPATH=os.pathsep.join([str(ROOT / "libs" / "sacinfra" / "src"), str(ROOT / "services" / "stats" / "src")]))
    proc = subprocess.Popen([sys.executable, "-m", "nameko", "run", "--config", cfg.name, "stats.service:StatsService"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    eng = make_engine(url)
    uow = UnitOfWork(eng, "stats")
    try:
        queue = "evt-intake-report_created--stats.handle_report_created"
        testing.wait_until(lambda: testing.queue_exists(amqp, queue), timeout=60, interval=0.2, what=queue)
        with eng.connect() as c:
            start_folio = c.execute(sa.text("SELECT coalesce(max(folio), 0) FROM report_facts")).scalar() + 1
        from zoneinfo import ZoneInfo
        today = datetime.now(ZoneInfo(LOCAL_TZ)).date().isoformat()

        def visible() -> int:  # the day's total: what a dashboard polls
            return handlers.totals(uow, SUP, {"date_from": today, "date_to": today})["total"]
        base = visible()
        published: list[float] = []
        seen: dict[int, float] = {}
        stop = threading.Event()

        def poll():
            last = base
            while not stop.is_set():
                total = visible()
                now = time.perf_counter()
                for k in range(last - base, total - base):
                    seen[k] = now
                last = max(last, total)
                eventlet.sleep(0.01)

        poller = eventlet.spawn(poll)
        from kombu import Connection, Exchange, Producer
        n = int(rate * seconds)
        with Connection(amqp, transport_options={"confirm_publish": True}) as conn:
            producer = Producer(conn.channel(), exchange=Exchange("intake.events", type="topic", durable=True))
            t0 = time.perf_counter()
            for i in range(n):
                wait = t0 + i / rate - time.perf_counter()
                if wait > 0:
                    eventlet.sleep(wait)
                folio = start_folio + i
                at = datetime.now(timezone.utc).isoformat()
                env_ = make_envelope("report_created", {
                    "folio": folio, "petition_type": "PT-1", "channel": "072", "citizen_number": None,
                    "agency": "AG-1", "department": "AG-1-D1", "created_by": "bench",
                    "location": {"lat": 21.1, "lon": -101.6, "colonia": "COL-1", "street": "X"},
                    "created_at": at, "due_at": at}, "intake", event_id=str(uuid.uuid4()))
                published.append(time.perf_counter())
                producer.publish(env_, routing_key="report_created", serializer="json", delivery_mode=2,
                                 declare=[producer.exchange] if i == 0 else [])
        deadline = time.perf_counter() + 30
        while len(seen) < n and time.perf_counter() < deadline:
            eventlet.sleep(0.05)
        stop.set()
        poller.wait()
        lags = [(seen[i] - published[i]) * 1000 for i in range(n) if i in seen]
        missing = n - len(lags)
        if missing:
            print(f"  {missing} events not visible within 30 s")
            lags += [30_000.0] * missing
        return lags
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        os.unlink(cfg.name)
        eng.dispose()
        testing.remove_vhost(vhost)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--reps", type=int, default=40)
    p.add_argument("--rate", type=float, default=50.0)
    p.add_argument("--seconds", type=float, default=20.0)
    p.add_argument("--keep", action="store_true")
    args = p.parse_args(argv)
    url = prepare(args.rows, args.keep)
    print(f"endpoint families over {args.rows:,} facts ({args.reps} runs each; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores):")
    fam = time_families(url, args.reps)
    print(f"lag at {args.rate:g} reports/s for {args.seconds:g} s:")
    lags = sorted(measure_lag(url, args.rate, args.seconds))
    p99 = lags[max(0, int(len(lags) * 0.99) - 1)]
    print(f"  lag median {statistics.median(lags):.0f} ms, p99 {p99:.0f} ms, max {lags[-1]:.0f} ms ({len(lags)} events)")
    if not args.keep:
        testing.drop_database(DB)
    worst = max(v for v, crossing in fam.values() if not crossing)
    print(f"stats p95 max {worst:.1f} ms, lag p99 {p99:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
