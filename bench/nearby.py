"""bench/nearby: routing's nearby open reports of the same type over 1,000,000 reports.

    python bench/nearby.py [--rows 1000000] [--reps 500] [--keep]

Creates the database `sac_bench_nearby` (dropped first; with --keep it is reused when it
already holds --rows reports, and left behind at the end), migrates it with routing's
migrations and fills `assignments` with INSERT … SELECT generate_series: two years of
reports over a city of about 16 × 16 km (lat 19.30–19.45, lon -99.25 to -99.10), 120
petition types skewed so that a few are most of the demand, half of the reports in
denser centres, statuses by age (about 10 % still open). Indexes are dropped during the
load and rebuilt from their own definitions, then VACUUM ANALYZE.

Then times the plain function behind the RPC (`routing.geo.nearby_reports`, no broker,
no HTTP), each call its own transaction, at random points, for petition types drawn
with the demand's skew (so most queries hit the busiest types), radius 250 m.

Needs PostgreSQL only. Last line: `nearby p95 <x> ms` (goal ≤ 20 ms).
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "libs" / "sacinfra" / "src"), str(ROOT / "services" / "routing" / "src")]

import psycopg  # noqa: E402

from routing import geo  # noqa: E402
from benchdb import finish, pct, prepare  # noqa: E402
from sacinfra.db import UnitOfWork, make_engine  # noqa: E402

DB = "sac_bench_nearby"
PETITIONS = 120
LAT0, LON0, SPAN = 19.30, -99.25, 0.15
#: denser centres (lat, lon): half of the reports fall within ~1.5 km of one of them
CENTRES = ((19.4326, -99.1332), (19.36, -99.20), (19.40, -99.16), (19.33, -99.13))

FILL = """
WITH p AS (
  SELECT g, random() AS r1, random() AS r2, random() AS r3, random() AS r4,
         floor(%(petitions)s * power(random(), 2.2))::int AS pt,
         now() - interval '730 days' + (g::float8 / %(rows)s) * interval '730 days' AS created
  FROM generate_series(1, %(rows)s) AS g
), s AS (
  SELECT p.*,
         CASE WHEN r3 < 0.5 THEN (ARRAY[C_LAT])[1 + (g %% %(n_centres)s)] + (r4 - 0.5) * 0.03
              ELSE %(lat0)s + r4 * %(span)s END AS lat,
         CASE WHEN r3 < 0.5 THEN (ARRAY[C_LON])[1 + (g %% %(n_centres)s)] + (r2 - 0.5) * 0.03
              ELSE %(lon0)s + r2 * %(span)s END AS lon,
         CASE WHEN created < now() - interval '30 days'
              THEN CASE WHEN r1 < 0.92 THEN 'done' WHEN r1 < 0.96 THEN 'not_viable'
                        WHEN r1 < 0.98 THEN 'in_progress' ELSE 'captured' END
              ELSE CASE WHEN r1 < 0.4 THEN 'captured' WHEN r1 < 0.8 THEN 'in_progress' ELSE 'done' END
         END AS st
  FROM p
)
INSERT INTO assignments (folio, petition_type, channel, agency, department, status, colonia, lat, lon,
                         created_at, due_at, assigned_at, updated_at, version, reassign_count)
SELECT g, 'PT-' || lpad(pt::text, 3, '0'), '072', 'AG' || (pt %% 14), 'AG' || (pt %% 14) || '-D' || (pt %% 42),
       st, 'COLONIA ' || floor(r4 * 600)::int, lat, lon, created, created + interval '5 days', created, created, 1, 0
FROM s
""".replace("C_LAT", ", ".join(str(c[0]) for c in CENTRES)).replace("C_LON", ", ".join(str(c[1]) for c in CENTRES))


def fill(url_pg: str, rows: int) -> None:
    with psycopg.connect(url_pg, autocommit=True) as conn:
        defs = conn.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'assignments'"
                            " AND indexname NOT LIKE '%pkey'").fetchall()
        for name, _ in defs:
            conn.execute(f'DROP INDEX "{name}"')
        conn.execute("SET maintenance_work_mem = '512MB'")
        conn.execute(FILL, {"rows": rows, "petitions": PETITIONS, "lat0": LAT0, "lon0": LON0, "span": SPAN,
                            "n_centres": len(CENTRES)})
        for _, definition in defs:
            conn.execute(definition)
        conn.execute("VACUUM ANALYZE assignments")


def case(rng: random.Random) -> tuple[str, float, float]:
    pt = f"PT-{int(PETITIONS * rng.random() ** 2.2):03d}"
    if rng.random() < 0.5:
        lat, lon = rng.choice(CENTRES)
        return pt, lat + (rng.random() - 0.5) * 0.03, lon + (rng.random() - 0.5) * 0.03
    return pt, LAT0 + rng.random() * SPAN, LON0 + rng.random() * SPAN


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--reps", type=int, default=500)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--keep", action="store_true", help="reuse the database if it is filled; leave it at the end")
    args = ap.parse_args()

    try:
        url, url_pg = prepare(DB, ROOT / "services" / "routing", args.rows, args.keep,
                              lambda url_pg: fill(url_pg, args.rows))
        with psycopg.connect(url_pg) as conn:
            open_rows = conn.execute("SELECT count(*) FROM assignments WHERE status IN ('captured', 'in_progress')"
                                     ).fetchone()[0]
        rng = random.Random(args.seed)
        engine = make_engine(url, pool_size=1)
        actor = {"kind": "public", "username": "public", "role": "public"}
        uow = UnitOfWork(engine, "routing")
        for _ in range(30):  # warm-up: connection, caches, plans
            geo.nearby_reports(uow, *case(rng), actor)
        times, found = [], []
        for _ in range(args.reps):
            pt, lat, lon = case(rng)
            t0 = time.perf_counter()
            out = geo.nearby_reports(uow, pt, lat, lon, actor)
            times.append(time.perf_counter() - t0)
            found.append(len(out["items"]))
        uow.close()
        engine.dispose()
        print(f"{args.rows} reports, {open_rows} open; {len(times)} queries, found {min(found)}–{max(found)}"
              f" (mean {sum(found) / len(found):.1f}), p50 {pct(times, 50):.1f} ms, max {pct(times, 100):.1f} ms")
        print(f"nearby p95 {pct(times, 95):.1f} ms")
    finally:
        finish(DB, args.keep)


if __name__ == "__main__":
    main()
