"""The local runner: the platform as separate processes on one machine.

    python deploy/local/runner.py up      # prepare, start everything, wait healthy, stay in foreground
    python deploy/local/runner.py prepare # databases, migrations, topology, demo data; nothing started
    python deploy/local/runner.py down    # stop what a previous `up` started

Everything is named from a prefix so that tests can run their own platform beside a
developer's: databases ``<prefix>_<service>`` (prefix ``sac`` gives ``sac_intake``…),
vhost ``<prefix>``, gateway port and metrics ports from options.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parents[2]
RUN_DIR = ROOT / ".run"
SQL_SERVICES = ("catalog", "citizens", "intake", "routing", "surveys", "stats", "whatsapp", "email", "deadletters")
SERVICES = SQL_SERVICES + ("directory",)
DATABASES = SQL_SERVICES + ("gateway",)  # the gateway keeps staff users, tokens and the audit log
METRICS_BASE = {"catalog": 1, "citizens": 2, "intake": 3, "routing": 4, "surveys": 5, "directory": 6, "stats": 7,
                "whatsapp": 8, "email": 9, "deadletters": 10}
#: what `nameko run` starts for each service: ``module:Class``. Naming the class matters:
#: given a module alone, nameko starts every class with entrypoints found in it, and each
#: service module imports its base (sacinfra's SqlService or MongoService, whose ``health``
#: RPC is an entrypoint), which would run as a second service in the process. The email
#: service's package is ``email_channel`` (``email`` would shadow the standard library).
#: The root Dockerfile and deploy/k8s name the same targets (tests/deploy checks them).
SERVICE_TARGETS = {
    "catalog": "catalog.service:CatalogService",
    "deadletters": "deadletters.service:DeadlettersService",
    "citizens": "citizens.service:CitizensService",
    "directory": "directory.service:DirectoryService",
    "email": "email_channel.service:EmailService",
    "intake": "intake.service:IntakeService",
    "routing": "routing.service:RoutingService",
    "stats": "stats.service:StatsService",
    "surveys": "surveys.service:SurveysService",
    "whatsapp": "whatsapp.service:WhatsappService",
}
#: the channels' local stand-ins, started beside them (offset from --metrics-base; any free port when 0):
#: the WhatsApp webhook, a fake Graph API, the email channel's inbound SMTP server and a mail sink
CHANNEL_PORTS = {"whatsapp_webhook": 80, "graph_api": 81, "smtp_inbound": 25, "smtp_sink": 26}
STAND_INS = ("graph-api", "smtp-inbound", "smtp-sink")
#: where the console's maps open when the demo layer is loaded: the Zócalo, colonia CENTRO of Cuauhtémoc
DEMO_MAP_CENTER = "19.4326,-99.1332"
PG_ADMIN = os.environ.get("SAC_PG_ADMIN_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=postgres")


class Platform:
    def __init__(self, prefix="sac", gateway_port=8000, metrics_base=9100, mongo_port=27017,
                 amqp_host="127.0.0.1:5672", log_dir: Path | None = None, extra_env: dict | None = None,
                 console_port: int | None = None, pg_port: int = 5432, management_url: str | None = None,
                 demo_geography: bool = False):
        self.prefix = prefix
        # `make up` loads the demo colonia layer (Cuauhtémoc's, README "The map"); test
        # platforms do not: their reports use León's coordinates, and the map tests load it
        self.demo_geography = demo_geography
        # the staff console (a client of the gateway); None: any free port (test platforms)
        self.console_port = console_port or free_port()
        self.pg_port = pg_port  # a PostgreSQL of its own (fault tests): its port; trust auth as postgres
        self.pg_admin = PG_ADMIN if pg_port == 5432 else f"host=127.0.0.1 port={pg_port} user=postgres dbname=postgres"
        self.management_url = management_url  # a RabbitMQ of its own: its management API
        self.gateway_port = gateway_port
        self.metrics_base = metrics_base
        self.mongo_port = mongo_port
        self.amqp_uri = f"amqp://guest:guest@{amqp_host}/{prefix}"
        self.log_dir = log_dir or RUN_DIR / prefix / "logs"
        self.procs: dict[str, subprocess.Popen] = {}
        self.extra_env = extra_env or {}
        self.mongo_proc: subprocess.Popen | None = None
        # development only: a fresh signing secret per run (production reads a Secret)
        self.jwt_secret = secrets.token_urlsafe(48)
        self.ports = {k: (metrics_base + v if metrics_base else free_port()) for k, v in CHANNEL_PORTS.items()}

    # -- naming -------------------------------------------------------------------
    def db_name(self, service: str) -> str:
        return f"{self.prefix}_{service}"

    def db_url(self, service: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.pg_port}/{self.db_name(service)}"

    def env(self, service: str) -> dict:
        env = dict(os.environ)
        env.update({
            "AMQP_URI": self.amqp_uri, "PSYCOPG_IMPL": "python", "PYTHONUNBUFFERED": "1",
            "OTEL_SERVICE_NAME": service,
        })
        if service in DATABASES:
            env["DATABASE_URL"] = self.db_url(service)
        if service == "gateway":
            env.update({"SAC_ENV": "development", "JWT_SECRET": self.jwt_secret})
        if service == "console" and self.demo_geography:  # maps open over the demo layer
            env.setdefault("CONSOLE_MAP_CENTER", DEMO_MAP_CENTER)
        if service == "directory":
            env["MONGO_URI"] = f"mongodb://127.0.0.1:{self.mongo_port}/?directConnection=true"
            env["MONGO_DB"] = self.db_name("directory")
        env.update(self.channel_env(service))
        if service in METRICS_BASE:  # metrics_base 0: any free port (test platforms)
            env["METRICS_PORT"] = str(self.metrics_base + METRICS_BASE[service] if self.metrics_base else 0)
        env.update(self.extra_env)
        return env

    def channel_env(self, service: str) -> dict:
        """Development settings of the channel services: local stand-ins, dev-only secrets."""
        mail = RUN_DIR / self.prefix / "mail"
        if service == "whatsapp":
            return {"WEB_SERVER_ADDRESS": f"127.0.0.1:{self.ports['whatsapp_webhook']}",
                    "GRAPH_API_URL": f"http://127.0.0.1:{self.ports['graph_api']}", "PUBLIC_URL": self.gateway_url,
                    "WHATSAPP_PHONE_NUMBER_ID": "1000000001", "WHATSAPP_ACCESS_TOKEN": "dev-token",
                    "WHATSAPP_APP_SECRET": "dev-app-secret", "WHATSAPP_VERIFY_TOKEN": "dev-verify-token"}
        if service == "email":
            return {"EMAIL_MAILDIR": str(mail / "inbound"), "SMTP_HOST": "127.0.0.1",
                    "SMTP_PORT": str(self.ports["smtp_sink"]), "PUBLIC_URL": self.gateway_url}
        return {}

    def stand_in_command(self, name: str) -> list[str] | None:
        """The channels' local stand-ins: the fake Graph API (messages land in its log)
        and two aiosmtpd servers, the inbound address (into the email service's Maildir)
        and a sink for what the email service sends."""
        mail = RUN_DIR / self.prefix / "mail"
        return {
            "graph-api": [sys.executable, "-m", "whatsapp.devgraph", "--port", str(self.ports["graph_api"])],
            "smtp-inbound": [sys.executable, "-m", "email_channel.inbound", "--host", "127.0.0.1", "--port",
                             str(self.ports["smtp_inbound"]), "--maildir", str(mail / "inbound")],
            "smtp-sink": [sys.executable, "-m", "email_channel.inbound", "--host", "127.0.0.1", "--port",
                          str(self.ports["smtp_sink"]), "--maildir", str(mail / "sent")],
        }.get(name)

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    @property
    def console_url(self) -> str:
        return f"http://127.0.0.1:{self.console_port}"

    # -- preparation --------------------------------------------------------------
    def create_databases(self, template: str | None = None) -> None:
        """Each store's database; with ``template`` (another platform's prefix), as a copy
        of that platform's database (PostgreSQL copies it by files: no migrations to run)."""
        with psycopg.connect(self.pg_admin, autocommit=True) as conn:
            existing = {r[0] for r in conn.execute("SELECT datname FROM pg_database")}
            for s in DATABASES:
                if self.db_name(s) not in existing:
                    copy = f' TEMPLATE "{template}_{s}"' if template else ""
                    conn.execute(f'CREATE DATABASE "{self.db_name(s)}"{copy}')

    def drop_databases(self) -> None:
        with psycopg.connect(self.pg_admin, autocommit=True) as conn:
            for s in DATABASES:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.db_name(s)}" WITH (FORCE)')

    def migrate(self) -> None:
        """Each database's migrations; the databases are independent, so a few at a time
        (a platform per test module made this sequential loop a third of its start)."""
        def one(s: str) -> None:
            folder = ROOT / "gateway" if s == "gateway" else ROOT / "services" / s
            subprocess.run([sys.executable, "-m", "alembic", "-c", str(folder / "alembic.ini"),
                            "upgrade", "head"], env=self.env(s), check=True, cwd=folder)

        in_parallel(one, DATABASES)

    def topology(self) -> None:
        from sacinfra.topology import Management, setup_vhost
        setup_vhost(self.prefix, mgmt=Management(self.management_url) if self.management_url else None)

    def seed(self) -> None:
        subprocess.run([sys.executable, "-m", "catalog.seed"], env=self.env("catalog"), check=True)

    def demo_users(self) -> None:
        """One staff user per role with a known password: development only (README)."""
        subprocess.run([sys.executable, "-m", "gateway.cli", "load-demo-users"], env=self.env("gateway"),
                       check=True, cwd=ROOT / "gateway")

    def ensure_mongo(self) -> None:
        if port_open(self.mongo_port):
            return
        store = RUN_DIR / self.prefix / "mongo"
        store.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        exe = Path(sys.executable).parent / "secantusd-py"
        self.mongo_proc = subprocess.Popen(
            [str(exe), "--host", "127.0.0.1", "--port", str(self.mongo_port), "--storage-path", str(store)],
            stdout=open(self.log_dir / "mongo.log", "ab"), stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(lambda: port_open(self.mongo_port), 60, "secantusdb")

    def prepare(self, template: str | None = None) -> None:
        """Databases, migrations, topology and demo data. ``template``: the prefix of a
        platform prepared with ``prepare_template``, whose databases (migrated, catalog and
        demo users loaded) are copied instead of migrating and loading again (the tests
        start a platform per module: this was a third of each start)."""
        self.create_databases(template)
        self.ensure_mongo()
        self.topology()
        if template:
            loads = (self.directory_demo,) + ((self.geo_seed,) if self.demo_geography else ())
        else:
            self.migrate()
            loads = (self.seed_catalog, self.demo_users, self.directory_demo)
        # demo data of different stores: independent of each other
        in_parallel(lambda load: load(), loads)

    def prepare_template(self) -> None:
        """The PostgreSQL part of ``prepare`` alone, for other platforms to copy: databases,
        migrations, the catalog's demo data and the demo users. Nothing may stay connected
        to these databases, or PostgreSQL refuses to copy them."""
        self.create_databases()
        self.migrate()
        in_parallel(lambda load: load(), (self.seed, self.demo_users))

    def seed_catalog(self) -> None:
        self.seed()
        if self.demo_geography:
            self.geo_seed()

    def geo_seed(self) -> None:
        """The demo colonia layer: SEDUVI's official colonias of Cuauhtémoc, shipped in
        catalog/geodata (no León layer is available to ship; README "The map"). Loaded once:
        a layer already in force (the demo's or an admin's) is left alone."""
        subprocess.run([sys.executable, "-m", "catalog.geo_seed", "--if-missing"], env=self.env("catalog"),
                       check=True)

    def directory_demo(self) -> None:
        """MODINFO's demo guide of León (idempotent: existing offices are left alone)."""
        subprocess.run([sys.executable, "-m", "directory.demo"], env=self.env("directory"), check=True)

    # -- processes ----------------------------------------------------------------
    def command(self, s: str) -> tuple[list[str], Path]:
        """How a process is started: its argv and its working directory."""
        if self.stand_in_command(s):
            return self.stand_in_command(s), ROOT
        if s == "gateway":
            return [sys.executable, "-m", "uvicorn", "gateway.app:app", "--host", "127.0.0.1",
                    "--port", str(self.gateway_port), "--no-access-log",
                    "--workers", os.environ.get("GATEWAY_WORKERS", "1")], ROOT / "gateway"
        if s == "console":
            return [sys.executable, "-m", "uvicorn", "console.app:app", "--host", "127.0.0.1",
                    "--port", str(self.console_port), "--no-access-log"], ROOT / "console"
        return [sys.executable, "-m", "nameko", "run", "--config", "config.yaml", SERVICE_TARGETS[s]], \
            ROOT / "services" / s

    def start_service(self, s: str) -> subprocess.Popen:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_dir / f"{s}.log", "ab")
        cmd, cwd = self.command(s)
        env = self.env(s)
        if s == "console":
            env.update({"SAC_ENV": "development", "CONSOLE_GATEWAY_URL": self.gateway_url})
        p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                             start_new_session=True)
        self.procs[s] = p
        return p

    def start(self) -> None:
        for s in STAND_INS + SERVICES + ("gateway", "console"):
            self.start_service(s)
        self.write_pids()

    def kill(self, s: str, sig=signal.SIGKILL) -> None:
        p = self.procs[s]
        os.killpg(p.pid, sig)
        p.wait(30)

    def wait_healthy(self, timeout: float = 120) -> dict:
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            for s, p in self.procs.items():
                if p.poll() is not None:
                    raise RuntimeError(f"{s} exited with {p.returncode}; see {self.log_dir / (s + '.log')}")
            try:
                r = requests.get(self.gateway_url + "/health", timeout=10)
                last = r.text
                if r.status_code == 200:
                    return r.json()
            except requests.RequestException as exc:
                last = str(exc)
            time.sleep(0.5)
        raise TimeoutError(f"platform not healthy after {timeout}s: {last}")

    def stop(self) -> None:
        for s, p in list(self.procs.items()):
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for s, p in list(self.procs.items()):
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(10)
        self.procs.clear()
        if self.mongo_proc is not None:
            os.killpg(self.mongo_proc.pid, signal.SIGTERM)
            self.mongo_proc.wait(20)
            self.mongo_proc = None
        pid_file(self.prefix).unlink(missing_ok=True)

    def write_pids(self) -> None:
        pids = {"runner": os.getpid()} | {s: p.pid for s, p in self.procs.items()}
        if self.mongo_proc is not None:
            pids["mongo"] = self.mongo_proc.pid
        pid_file(self.prefix).parent.mkdir(parents=True, exist_ok=True)
        pid_file(self.prefix).write_text(json.dumps(pids))


def in_parallel(fn, items, workers: int = 4) -> None:
    """``fn(item)`` for every item, a few at a time; the first error is raised."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for future in [pool.submit(fn, item) for item in items]:
            future.result()


def pid_file(prefix: str) -> Path:
    return RUN_DIR / prefix / "pids.json"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def wait_for(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.3)
    raise TimeoutError(f"{what} did not come up in {timeout}s")


def down(prefix: str) -> None:
    f = pid_file(prefix)
    if not f.exists():
        print("nothing to stop")
        return
    pids = json.loads(f.read_text())
    runner = pids.pop("runner", None)
    if runner and runner != os.getpid():
        try:  # the foreground runner stops its own children and removes the pid file
            os.kill(runner, signal.SIGTERM)
            wait_for(lambda: not f.exists(), 60, "runner stop")
            print("stopped")
            return
        except (ProcessLookupError, TimeoutError):
            pass
    for name, pid in pids.items():
        try:
            os.killpg(pid, signal.SIGTERM)
            print(f"stopped {name} ({pid})")
        except ProcessLookupError:
            pass
    f.unlink(missing_ok=True)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("action", choices=["up", "prepare", "down"])
    ap.add_argument("--prefix", default=os.environ.get("SAC_PREFIX", "sac"))
    ap.add_argument("--gateway-port", type=int, default=int(os.environ.get("GATEWAY_PORT", 8000)))
    ap.add_argument("--metrics-base", type=int, default=9100)
    ap.add_argument("--console-port", type=int, default=int(os.environ.get("CONSOLE_PORT", 8080)))
    a = ap.parse_args(argv)
    if a.action == "down":
        return down(a.prefix)
    plat = Platform(a.prefix, a.gateway_port, a.metrics_base, console_port=a.console_port,
                    demo_geography=os.environ.get("SAC_DEMO_GEOGRAPHY", "true").lower() not in ("0", "false", "no"))
    plat.prepare()
    if a.action == "prepare":
        return
    stopping = {"flag": False}

    def on_signal(signum, frame):
        stopping["flag"] = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    plat.start()
    try:
        health = plat.wait_healthy()
        print("SAC is up:", ", ".join(f"{k}={v}" for k, v in health["services"].items()))
        print(f"  API          {plat.gateway_url}/v1   (docs {plat.gateway_url}/docs)")
        print(f"  health       {plat.gateway_url}/health")
        print(f"  console      {plat.console_url}   (staff screens; demo users in README)")
        print(f"  metrics      {plat.gateway_url}/metrics and http://127.0.0.1:{a.metrics_base + 1}-{a.metrics_base + 10}/metrics")
        print(f"  RabbitMQ     http://127.0.0.1:15672 (guest/guest), vhost {a.prefix}")
        print(f"  logs         {plat.log_dir}")
        print("Ctrl-C or `make down` stops everything started here.")
        while not stopping["flag"]:
            for s, p in plat.procs.items():
                if p.poll() is not None:
                    print(f"{s} exited ({p.returncode}); restarting", flush=True)
                    plat.start_service(s)
                    plat.write_pids()
            time.sleep(1)
    finally:
        plat.stop()
        print("stopped")


if __name__ == "__main__":
    main()
