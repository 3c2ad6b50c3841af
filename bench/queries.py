"""bench/queries: "Asuntos del día" and "Consultas" over a routing database of 1,000,000 reports.

    python bench/queries.py [--rows 1000000] [--today 1500] [--reps 300] [--keep]

Creates the database `sac_bench_queries` (dropped first; with --keep it is reused when it
already holds --rows reports, and left behind at the end), migrates it with routing's
migrations, fills `assignments` and `shares` with INSERT … SELECT generate_series
(14 agencies of uneven size, 42 departments, 120 petition types, 18 channels, 600
colonias, two years of reports with folios rising with time, --today of them filed
today in León's day, 1 % shared with another agency, statuses by age), VACUUM ANALYZE,
then times the plain functions behind the RPCs (`routing.queries`, no broker, no HTTP):

- today: `today_reports` of an agency_staff actor (a random agency), 50 per page with the
  total, with no filter, a status filter or a channel filter;
- consultas: `query_reports` of a supervisor with four filters: a date range of 1–3
  months, an agency, one or two statuses and a colonia (page 1, 50 per page, total).

Needs PostgreSQL only. Last line: `queries today p95 <x> ms, consultas p95 <y> ms`
(goals: today ≤ 50 ms, consultas ≤ 100 ms).
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "libs" / "sacinfra" / "src"), str(ROOT / "services" / "routing" / "src")]

import psycopg  # noqa: E402

from routing import queries  # noqa: E402
from benchdb import finish, pct, prepare  # noqa: E402
from sacinfra.db import UnitOfWork, make_engine  # noqa: E402

DB = "sac_bench_queries"
AGENCIES, DEPARTMENTS, PETITIONS, CHANNELS, COLONIAS = 14, 42, 120, 18, 600
STATUSES = ("captured", "in_progress", "done", "not_viable")

# One statement: folio g rises with created_at; today's reports are the last --today folios.
# Petition types are skewed (a few are most of the demand), each owned by one department
# (pt % 42) of one agency (department % 14); colonias skewed too (big and small ones).
FILL = """
WITH p AS (
  SELECT g, random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5,
         floor(%(petitions)s * power(random(), 1.6))::int AS pt,
         floor(%(colonias)s * power(random(), 1.4))::int AS col,
         CASE WHEN g > %(rows)s - %(today)s
              THEN %(today_start)s::timestamptz
                   + ((g - (%(rows)s - %(today)s))::float8 / %(today)s) * interval '24 hours'
              ELSE %(today_start)s::timestamptz - interval '730 days'
                   + (g::float8 / (%(rows)s - %(today)s)) * interval '730 days'
                   + random() * interval '10 minutes' END AS created
  FROM generate_series(1, %(rows)s) AS g
), s AS (
  SELECT p.*, (pt %% 42) AS dep, (pt %% 42) %% 14 AS ag,
         CASE WHEN created < %(today_start)s::timestamptz - interval '30 days'
              THEN CASE WHEN r1 < 0.85 THEN 'done' WHEN r1 < 0.91 THEN 'not_viable'
                        WHEN r1 < 0.96 THEN 'in_progress' ELSE 'captured' END
              WHEN created < %(today_start)s::timestamptz
              THEN CASE WHEN r1 < 0.35 THEN 'captured' WHEN r1 < 0.75 THEN 'in_progress'
                        WHEN r1 < 0.95 THEN 'done' ELSE 'not_viable' END
              ELSE CASE WHEN r1 < 0.8 THEN 'captured' ELSE 'in_progress' END END AS st,
         created + (1 + floor(r2 * 15)) * interval '1 day' AS due
  FROM p
)
INSERT INTO assignments (folio, petition_type, kind, channel, agency, department, status, colonia, colonia_norm,
                         street, street_norm, lat, lon, citizen_number, created_by, created_at, due_at,
                         closed_at, assigned_at, updated_at, version, reassign_count)
SELECT g, 'PT-' || lpad(pt::text, 3, '0'), CASE WHEN pt %% 5 = 0 THEN 'Trámite' ELSE 'Servicio' END,
       'CANAL-' || floor(%(channels)s * power(r3, 1.8))::int,
       'AG' || lpad(ag::text, 2, '0'), 'AG' || lpad(ag::text, 2, '0') || '-D' || dep,
       st, 'COLONIA ' || col, 'colonia ' || col,
       'CALLE ' || floor(r4 * 3000)::int || ' ' || floor(r5 * 900)::int,
       'calle ' || floor(r4 * 3000)::int || ' ' || floor(r5 * 900)::int,
       21.05 + r4 * 0.15, -101.75 + r5 * 0.15,
       CASE WHEN r2 < 0.6 THEN 1 + floor(r5 * 194258)::bigint END,
       CASE WHEN r3 < 0.08 THEN 'jefe' || floor(r4 * 100)::int
            WHEN r3 < 0.6 THEN 'operador' || floor(r4 * 50)::int END,
       created, due,
       CASE WHEN st IN ('done', 'not_viable') THEN created + r1 * (due - created) * 1.3 END,
       created, created, 1, CASE WHEN r4 < 0.05 THEN 1 ELSE 0 END
FROM s
"""
SHARES = """
INSERT INTO shares (folio, agency, department, shared_by, at)
SELECT folio, 'AG' || lpad(((substr(agency, 3)::int + 1 + folio % 13) % 14)::text, 2, '0'),
       'AG' || lpad(((substr(agency, 3)::int + 1 + folio % 13) % 14)::text, 2, '0') || '-DS',
       'bench', created_at + interval '1 hour'
FROM assignments TABLESAMPLE BERNOULLI (1) REPEATABLE (7)
"""


def fill(url_pg: str, rows: int, today: int) -> None:
    """Load with the migration's indexes dropped, then build them again from their own
    definitions (pg_indexes): the same indexes, built once instead of row by row."""
    today_start = queries.local_day_start(queries.today()).isoformat()
    with psycopg.connect(url_pg, autocommit=True) as conn:
        defs = conn.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('assignments', 'shares')"
                            " AND indexname NOT LIKE '%pkey'").fetchall()
        for name, _ in defs:
            conn.execute(f'DROP INDEX "{name}"')
        conn.execute("SET maintenance_work_mem = '512MB'")
        conn.execute(FILL, {"rows": rows, "today": today, "today_start": today_start, "petitions": PETITIONS,
                            "colonias": COLONIAS, "channels": CHANNELS})
        conn.execute(SHARES)
        for _, definition in defs:
            conn.execute(definition)
        conn.execute("VACUUM ANALYZE assignments")
        conn.execute("VACUUM ANALYZE shares")


def agency(rng: random.Random) -> str:
    return f"AG{rng.randrange(AGENCIES):02d}"


def today_case(rng: random.Random) -> tuple[dict, dict]:
    ag = agency(rng)
    actor = {"kind": "staff", "username": "bench", "role": "agency_staff", "agency": ag, "department": f"{ag}-D{int(ag[2:])}"}
    kind = rng.randrange(3)
    filters = {} if kind == 0 else {"status": ["captured"]} if kind == 1 else \
        {"channel": [f"CANAL-{rng.randrange(4)}", f"CANAL-{rng.randrange(4, CHANNELS)}"]}
    return actor, filters


def consultas_case(rng: random.Random) -> dict:
    start = date.today() - timedelta(days=rng.randrange(30, 700))
    end = start + timedelta(days=rng.randrange(30, 92))
    statuses = rng.sample(STATUSES, rng.choice((1, 2)))
    return {"date_from": start.isoformat(), "date_to": end.isoformat(), "agency": agency(rng),
            "status": statuses, "colonia": f"colonia {int(COLONIAS * rng.random() ** 1.4)}"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--today", type=int, default=1_500)
    ap.add_argument("--reps", type=int, default=300)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--keep", action="store_true", help="reuse the database if it is filled; leave it at the end")
    args = ap.parse_args()

    try:
        url, _ = prepare(DB, ROOT / "services" / "routing", args.rows, args.keep,
                         lambda url_pg: fill(url_pg, args.rows, args.today), f" ({args.today} today)")

        rng = random.Random(args.seed)
        engine = make_engine(url, pool_size=1)
        today_t, consultas_t, today_rows, consultas_rows = [], [], [], []
        with UnitOfWork(engine, "routing") as uow:
            for _ in range(20):  # warm-up: connection, caches, plans
                actor, filters = today_case(rng)
                queries.today_reports(uow, actor, filters)
                queries.query_reports(uow, {"kind": "staff", "username": "bench", "role": "supervisor"}, consultas_case(rng))
            for _ in range(args.reps):
                actor, filters = today_case(rng)
                t0 = time.perf_counter()
                out = queries.today_reports(uow, actor, filters, 1, 50)
                today_t.append(time.perf_counter() - t0)
                today_rows.append(out["total"])
                filters = consultas_case(rng)
                t0 = time.perf_counter()
                out = queries.query_reports(uow, {"kind": "staff", "username": "bench", "role": "supervisor"}, filters, 1, 50)
                consultas_t.append(time.perf_counter() - t0)
                consultas_rows.append(out["total"])
        engine.dispose()
        for name, t, totals in (("today", today_t, today_rows), ("consultas", consultas_t, consultas_rows)):
            print(f"{name}: {len(t)} queries, totals {min(totals)}–{max(totals)} (mean {sum(totals) / len(totals):.0f}),"
                  f" p50 {pct(t, 50):.1f} ms, p95 {pct(t, 95):.1f} ms, max {pct(t, 100):.1f} ms")
        print(f"queries today p95 {pct(today_t, 95):.1f} ms, consultas p95 {pct(consultas_t, 95):.1f} ms")
    finally:
        finish(DB, args.keep)


if __name__ == "__main__":
    main()
