"""bench/intake: throughput and latency of filing reports through the gateway, against
the floor of a bare FastAPI endpoint doing one INSERT, measured in the same run.

    make up                      # in another terminal: the platform on :8000
    python bench/intake.py --seconds 20

Phases (each --seconds long): (1) peak: --concurrency closed-loop clients posting
reports; (2) half of the measured peak rate, open loop, for the POST p99 at that rate;
(3) the floor app started here on its own port, same clients as (1). The time from POST
to routed is measured by a subscriber bound to routing's `report_assigned` events.
CPU per report: over the half-peak phase and until the platform has worked it off, the
CPU time (utime + stime from /proc/<pid>/stat) of each process of the platform (the
runner's pid file `.run/<prefix>/pids.json`, with children), of RabbitMQ (every
`beam.smp`: on a shared broker, other users' load counts too) and of the PostgreSQL
backends serving the platform's databases (`<prefix>_*`), divided by the reports filed.
Last line: `intake <N> reports/s, floor <M> reports/s, ratio <R>`.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import aiohttp
import httpx
import pika
import psycopg

ROOT = Path(__file__).resolve().parents[1]
REPORT = {"petition_type": "OP-LAMPARA APAGADA", "channel": "072", "description": "bench",
          "location": {"lat": 19.4326, "lon": -99.1332, "colonia": "CENTRO", "street": "MADERO 100"}}  # inside make up's demo layer


def pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] * 1000


class RoutedWatcher(threading.Thread):
    """Records when each folio's report_assigned event arrives."""

    def __init__(self, amqp_uri: str):
        super().__init__(daemon=True)
        self.params = pika.URLParameters(amqp_uri)
        self.arrived: dict[int, float] = {}
        self.stop = threading.Event()
        conn = pika.BlockingConnection(self.params)
        ch = conn.channel()
        ch.exchange_declare("routing.events", exchange_type="topic", durable=True)
        self.queue = ch.queue_declare("", exclusive=True, arguments={"x-queue-type": "classic"}).method.queue
        ch.queue_bind(self.queue, "routing.events", "report_assigned")
        self.conn, self.ch = conn, ch

    def run(self):
        def on_msg(ch, method, props, body):
            self.arrived[json.loads(body)["data"]["folio"]] = time.perf_counter()

        self.ch.basic_consume(self.queue, on_msg, auto_ack=True)
        while not self.stop.is_set():
            self.conn.process_data_events(time_limit=0.2)
        self.conn.close()


BODY = json.dumps(REPORT).encode()
HEADERS = {"Content-Type": "application/json"}  # + the operator's Authorization, set in main()


def operator_token(base: str) -> str:
    """Filing a report needs credentials: the demo operator's access token (15 min, longer
    than a run). The floor app ignores it."""
    r = httpx.post(base + "/v1/auth/login", json={"username": "operator", "password": "demo-operator-2026"},
                   timeout=10)
    r.raise_for_status()
    return r.json()["access_token"]


def session(connections: int) -> aiohttp.ClientSession:
    # aiohttp: a load generator several times cheaper per request than httpx, so that the
    # floor measures the server and not the client
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=connections),
                                 timeout=aiohttp.ClientTimeout(total=30))


async def post(client, url):
    async with client.post(url, data=BODY, headers=HEADERS) as r:
        body = await r.read()
        return r.status, body


async def closed_loop(url: str, seconds: float, concurrency: int):
    lat, sent = [], {}
    errors = 0
    deadline = time.perf_counter() + seconds
    async with session(concurrency) as client:
        async def worker():
            nonlocal errors
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                try:
                    status, body = await post(client, url)
                except (aiohttp.ClientError, asyncio.TimeoutError):
                    errors += 1
                    continue
                t1 = time.perf_counter()
                if status == 201:
                    lat.append(t1 - t0)
                    sent[json.loads(body)["folio"]] = t0
                else:
                    errors += 1
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {"rate": len(lat) / elapsed, "lat": lat, "sent": sent, "errors": errors}


async def open_loop(url: str, seconds: float, rate: float, max_inflight: int = 256):
    lat, sent = [], {}
    errors = 0
    interval = 1.0 / rate
    sem = asyncio.Semaphore(max_inflight)
    async with session(max_inflight) as client:
        async def one(t_sched):
            nonlocal errors
            async with sem:
                try:
                    status, body = await post(client, url)
                except (aiohttp.ClientError, asyncio.TimeoutError):
                    errors += 1
                    return
                if status == 201:
                    lat.append(time.perf_counter() - t_sched)  # includes queueing behind the schedule
                    sent[json.loads(body)["folio"]] = t_sched
                else:
                    errors += 1
        tasks = []
        start = time.perf_counter()
        n = 0
        while (now := time.perf_counter()) < start + seconds:
            t_sched = start + n * interval
            if t_sched > now:
                await asyncio.sleep(t_sched - now)
            tasks.append(asyncio.create_task(one(t_sched)))
            n += 1
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - start
    return {"rate": len(lat) / elapsed, "lat": lat, "sent": sent, "errors": errors, "offered": n / seconds}


def routed_latencies(watcher: RoutedWatcher, sent: dict, wait: float = 30) -> tuple[list, int]:
    deadline = time.perf_counter() + wait
    while time.perf_counter() < deadline and not all(f in watcher.arrived for f in sent):
        time.sleep(0.2)
    lat = [watcher.arrived[f] - t for f, t in sent.items() if f in watcher.arrived]
    return lat, len(sent) - len(lat)


def settle(base: str, timeout: float = 60) -> None:
    """Wait until the platform has worked off the previous phase (stats stops moving),
    so that one phase's backlog does not load the next."""
    last, stable_since, deadline = None, time.perf_counter(), time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        try:
            r = httpx.get(base + "/v1/stats/summary", timeout=10)
            total = r.json()["total"] if r.status_code == 200 else None
        except httpx.HTTPError:
            total = None
        if total is None:  # a 503 (a dependency away for a moment): not settled yet
            stable_since = time.perf_counter()
        elif total != last:
            last, stable_since = total, time.perf_counter()
        elif time.perf_counter() - stable_since > 1.5:
            return
        time.sleep(0.25)


def start_floor(port: int, prefix: str) -> subprocess.Popen:
    """The floor app on ``port`` with a database of its own, ``<prefix>_bench_floor``
    (benches of platforms with other prefixes do not drop each other's)."""
    dbname = f"{prefix}_bench_floor"
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{dbname}"')
    p = subprocess.Popen([sys.executable, "-m", "uvicorn", "floor_app:app", "--port", str(port), "--no-access-log",
                          "--log-level", "warning"], cwd=ROOT / "bench",
                         env=dict(os.environ, FLOOR_DSN=f"host=127.0.0.1 user=postgres dbname={dbname}"))
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/docs", timeout=1).status_code == 200:
                return p
        except httpx.HTTPError:
            time.sleep(0.2)
    p.kill()
    raise SystemExit("floor app did not start")


CLK_TCK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, utime + stime in ticks) of ``pid``, or None if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[1]), int(fields[11]) + int(fields[12])  # ppid; utime, stime (fields 14, 15)


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


class CpuMeter:
    """CPU ticks per process group of the platform, sampled with ``sample()``; ``per_report``
    gives milliseconds per report between two samples (a process born in between counts
    whole, one that died in between is lost)."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        pids_file = ROOT / ".run" / prefix / "pids.json"
        self.roots = ({k: v for k, v in json.loads(pids_file.read_text()).items() if k != "runner"}
                      if pids_file.exists() else {})

    def sample(self) -> dict[str, dict[int, int]]:
        stats = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                st = _stat(int(entry.name))
                if st is not None:
                    stats[int(entry.name)] = st
        children: dict[int, list[int]] = {}
        for pid, (ppid, _) in stats.items():
            children.setdefault(ppid, []).append(pid)
        out: dict[str, dict[int, int]] = {}
        for name, root in self.roots.items():
            todo, seen = [root], {}
            while todo:
                pid = todo.pop()
                if pid in stats:
                    seen[pid] = stats[pid][1]
                    todo.extend(children.get(pid, ()))
            out[name] = seen
        out["rabbitmq"], out["postgresql"] = {}, {}
        for pid, (_, ticks) in stats.items():
            cmd = _cmdline(pid)
            if "beam.smp" in cmd and "rabbit" in cmd:
                out["rabbitmq"][pid] = ticks
            elif cmd.startswith("postgres: ") and f" {self.prefix}_" in cmd:
                out["postgresql"][pid] = ticks
        return out

    @staticmethod
    def per_report(before: dict, after: dict, reports: int) -> dict[str, float]:
        ms = {}
        for name, pids in after.items():
            ticks = sum(t - before.get(name, {}).get(pid, 0) for pid, t in pids.items())
            ms[name] = ticks * 1000 / CLK_TCK / max(reports, 1)
        return ms


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--base", default=os.environ.get("SAC_URL", "http://127.0.0.1:8000"))
    ap.add_argument("--amqp", default=os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/sac"))
    ap.add_argument("--floor-port", type=int, default=8099)
    ap.add_argument("--prefix", default=os.environ.get("SAC_PREFIX", "sac"),
                    help="the runner's prefix of the platform measured (its pid file and databases)")
    a = ap.parse_args()
    try:
        httpx.get(a.base + "/health", timeout=10).raise_for_status()
    except httpx.HTTPError as exc:
        raise SystemExit(f"the platform is not up at {a.base} ({exc}); run `make up` first")
    HEADERS["Authorization"] = f"Bearer {operator_token(a.base)}"

    watcher = RoutedWatcher(a.amqp)
    watcher.start()
    url = a.base + "/v1/reports"
    asyncio.run(closed_loop(url, 2, 4))  # warm-up

    peak = asyncio.run(closed_loop(url, a.seconds, a.concurrency))
    routed, unrouted = routed_latencies(watcher, peak["sent"])
    print(f"peak ({a.concurrency} clients): {peak['rate']:.0f} reports/s, POST p50 {pct(peak['lat'], 50):.1f} ms, "
          f"p99 {pct(peak['lat'], 99):.1f} ms, errors {peak['errors']}; POST→routed p50 {pct(routed, 50):.1f} ms, "
          f"p99 {pct(routed, 99):.1f} ms, not routed after 30 s: {unrouted}", flush=True)

    settle(a.base)
    meter = CpuMeter(a.prefix)
    cpu_before = meter.sample()
    half = asyncio.run(open_loop(url, a.seconds, peak["rate"] / 2))
    routed_h, unrouted_h = routed_latencies(watcher, half["sent"])
    print(f"half peak ({half['offered']:.0f}/s offered): {half['rate']:.0f} reports/s, POST p50 "
          f"{pct(half['lat'], 50):.1f} ms, p99 {pct(half['lat'], 99):.1f} ms, errors {half['errors']}; "
          f"POST→routed p50 {pct(routed_h, 50):.1f} ms, p99 {pct(routed_h, 99):.1f} ms, not routed: {unrouted_h}",
          flush=True)
    watcher.stop.set()
    settle(a.base)
    cpu = CpuMeter.per_report(cpu_before, meter.sample(), len(half["lat"]))
    if not meter.roots:
        print(f"CPU per report: no pid file for prefix {a.prefix!r}; only RabbitMQ and PostgreSQL measured")
    print("CPU ms per report (half peak, until worked off): "
          + ", ".join(f"{name} {v:.1f}" for name, v in sorted(cpu.items(), key=lambda kv: -kv[1]))
          + f"; total {sum(cpu.values()):.1f}", flush=True)

    floor_proc = start_floor(a.floor_port, a.prefix)
    try:
        floor_url = f"http://127.0.0.1:{a.floor_port}/v1/reports"
        asyncio.run(closed_loop(floor_url, 2, 4))
        floor = asyncio.run(closed_loop(floor_url, a.seconds, a.concurrency))
    finally:
        floor_proc.terminate()
        floor_proc.wait(10)
    print(f"floor (bare FastAPI + one INSERT, {a.concurrency} clients): {floor['rate']:.0f} reports/s, "
          f"p50 {pct(floor['lat'], 50):.1f} ms, p99 {pct(floor['lat'], 99):.1f} ms", flush=True)
    print(f"intake {peak['rate']:.0f} reports/s, floor {floor['rate']:.0f} reports/s, "
          f"ratio {peak['rate'] / floor['rate']:.2f}")


if __name__ == "__main__":
    main()
