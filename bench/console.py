"""bench/console: the staff console's server-side time per screen, over a routing
database of 1,000,000 reports.

    python bench/console.py [--rows 1000000] [--reps 40] [--reference-ttl 60]

Starts a platform as `make up` does (own prefix, databases, vhost and free ports, the
console included), loads --rows synthetic reports into its routing database with
bench/queries.py's loader (two years of León-like reports; one agency of them renamed
OP/OP-ALUMBRADO so the demo agency staff has a large area), moves intake's folio
sequence past them, files a few real reports through the API, then signs in to the
console as the demo users and requests every screen --reps times. The figure per screen
is the console's own ``Server-Timing`` (the request in the console, its gateway calls
included; not the network to the browser). Stops and drops everything at the end.

``--reference-ttl 0`` starts the console with ``CONSOLE_REFERENCE_TTL=0``: the catalog's
channels and agencies read on every list screen, as before the console kept them a minute
(the figure before/after that change).

Last line: `console p95 <max over screens> ms (<screen> slowest)`; goal ≤ 150 ms.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "deploy" / "local"), str(ROOT / "bench"), str(ROOT / "libs" / "sacinfra" / "src"),
                str(ROOT / "services" / "routing" / "src")]

import psycopg  # noqa: E402
import requests  # noqa: E402

import queries as bench_queries  # noqa: E402  (bench/queries.py: the 1,000,000-report loader)
from runner import Platform, free_port  # noqa: E402
from sacinfra import testing  # noqa: E402

REPORT = {"petition_type": "OP-LAMPARA APAGADA", "channel": "072", "description": "Lámpara apagada",
          "location": {"lat": 21.1221, "lon": -101.6824, "colonia": "CENTRO", "street": "MADERO 100"},
          "citizen_number": None}


def screens(folio: int) -> dict[str, list[tuple[str, str, str | None]]]:
    """Per demo user, the screens it works in: (name, console path, the gateway call that
    dominates it, timed on its own for comparison)."""
    return {
        "operator": [("Captura", "/captura", "/v1/catalog/petition-types?active=true&limit=1000"),
                     ("Buscar ciudadano", "/captura/ciudadanos?q=hernandez", "/v1/citizens?q=hernandez&reason=bench"),
                     ("Historial del ciudadano", "/historial?nombre=hernandez", "/v1/citizens/reports?name=hernandez")],
        "agency_staff": [("Asuntos del día", "/asuntos", "/v1/reports/today"),
                         ("Asuntos del día (capturados)", "/asuntos?status=captured", "/v1/reports/today?status=captured"),
                         ("Reporte", f"/reportes/{folio}", f"/v1/reports/{folio}"),
                         ("Catálogo", "/catalogo", "/v1/catalog/petition-types?limit=1000")],
        "supervisor": [("Consultas", "/consultas?date_from=2026-01-01&date_to=2026-03-31&agency=OP&status=done",
                        "/v1/reports?date_from=2026-01-01&date_to=2026-03-31&agency=OP&status=done"),
                       ("Consultas por colonia", "/consultas?colonia=colonia%2012", "/v1/reports?colonia=colonia%2012"),
                       ("Consultas agrupadas", "/consultas?grouped=detail&date_from=2026-06-01&date_to=2026-06-30",
                        "/v1/reports?grouped=detail&date_from=2026-06-01&date_to=2026-06-30"),
                       ("Mapa de la consulta", "/reportes.geojson?agency=OP&status=captured",
                        "/v1/reports?agency=OP&status=captured&per_page=200&hide_citizen_data=true")],
        "auditor": [("Bitácora", "/bitacora", "/v1/audit?limit=50")],
        "admin": [("Administración", "/administracion", "/v1/users?limit=200"),
                  ("Jefes de manzana", "/jefes", "/v1/block-leaders?limit=200&reason=bench")],
    }


def p95(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]


def load(plat: Platform, rows: int) -> None:
    url = f"host=127.0.0.1 port=5432 user=postgres dbname={plat.db_name('routing')}"
    bench_queries.fill(url, rows, 1500)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE assignments SET agency = 'OP', department = 'OP-ALUMBRADO' WHERE agency = 'AG00'")
        conn.execute("VACUUM ANALYZE assignments")
    with psycopg.connect(f"host=127.0.0.1 port=5432 user=postgres dbname={plat.db_name('intake')}",
                         autocommit=True) as conn:
        conn.execute("SELECT setval('folio_seq', %s)", (rows + 1000,))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--reps", type=int, default=40)
    ap.add_argument("--reference-ttl", type=float, default=None,
                    help="CONSOLE_REFERENCE_TTL for the console (0: no cache of the forms' choices)")
    a = ap.parse_args()
    if a.reference_ttl is not None:
        os.environ["CONSOLE_REFERENCE_TTL"] = str(a.reference_ttl)  # the runner passes its environment on
    prefix = testing.unique("benchconsole")
    plat = Platform(prefix=prefix, gateway_port=free_port(), metrics_base=0, mongo_port=free_port(),
                    log_dir=ROOT / ".run" / prefix / "logs")
    try:
        plat.prepare()
        t = time.monotonic()
        load(plat, a.rows)
        print(f"loaded {a.rows} reports in {time.monotonic() - t:.0f} s", flush=True)
        plat.start()
        plat.wait_healthy(timeout=180)
        gw = plat.gateway_url
        op = {"Authorization": "Bearer " + requests.post(f"{gw}/v1/auth/login", json={
            "username": "operator", "password": "demo-operator-2026"}, timeout=10).json()["access_token"]}
        requests.post(f"{gw}/v1/citizens", headers=op, timeout=10, json={
            "given_names": "María", "first_surname": "Hernández", "phones": ["4771234567"], "consent": True,
            "privacy_notice_version": "2026-01", "channel": "072"})
        folio = None
        for i in range(5):
            r = requests.post(f"{gw}/v1/reports", json=REPORT, headers=op | {"Idempotency-Key": f"bench-{i}"},
                              timeout=10)
            folio = r.json()["folio"]
        time.sleep(3)  # routing assigns them from intake's events
        results: dict[str, list[float]] = {}
        direct: dict[str, list[float]] = {}
        for user, items in screens(folio).items():
            s = requests.Session()
            s.post(plat.console_url + "/login", data={"username": user, "password": f"demo-{user}-2026"}, timeout=10)
            token = requests.post(f"{gw}/v1/auth/login", json={"username": user, "password": f"demo-{user}-2026"},
                                  timeout=10).json()["access_token"]
            for name, path, api in items:
                for i in range(a.reps + 2):
                    r = s.get(plat.console_url + path, timeout=30)
                    assert r.status_code == 200, (name, r.status_code, r.text[:300])
                    t0 = time.perf_counter()
                    g = requests.get(gw + api, headers={"Authorization": f"Bearer {token}"}, timeout=30)
                    elapsed = (time.perf_counter() - t0) * 1000
                    assert g.status_code == 200, (api, g.status_code, g.text[:300])
                    if i >= 2:  # the first two warm the caches
                        results.setdefault(name, []).append(
                            float(re.search(r"dur=([\d.]+)", r.headers["server-timing"]).group(1)))
                        direct.setdefault(name, []).append(elapsed)
        width = max(map(len, results))
        print(f"{'screen':<{width}}  console p50 / p95        its main gateway call alone p95")
        for name, values in results.items():
            print(f"{name:<{width}}  {sorted(values)[len(values) // 2]:7.1f} / {p95(values):7.1f} ms"
                  f"      {p95(direct[name]):7.1f} ms")
        worst = max(results, key=lambda n: p95(results[n]))
        ttl = os.environ.get("CONSOLE_REFERENCE_TTL", "60")
        print(f"console p95 {p95(results[worst]):.1f} ms ({worst} slowest), {a.rows} reports, "
              f"CONSOLE_REFERENCE_TTL={ttl}")
    finally:
        plat.stop()
        plat.drop_databases()
        testing.remove_vhost(prefix)


if __name__ == "__main__":
    main()
