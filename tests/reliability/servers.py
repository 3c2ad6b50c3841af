"""A RabbitMQ node and a PostgreSQL cluster of the test's own, on spare ports in a
temporary directory, so that a fault test may kill them (the machine's shared servers
are never touched)."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import requests

PG_BIN = Path(os.environ.get("SAC_PG_BIN", "/usr/lib/postgresql/15/bin"))
RABBIT_SERVER = Path(os.environ.get("SAC_RABBITMQ_SERVER", "/usr/lib/rabbitmq/bin/rabbitmq-server"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{what} not up after {timeout}s")


class OwnRabbit:
    """``start()`` / ``kill()`` (SIGKILL of the whole node) / ``start()`` again: same
    ports, same data directory (durable queues and their messages survive)."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="sac-rabbit-"))
        self.port, self.dist_port, self.mgmt_port = free_port(), free_port(), free_port()
        self.node = f"sacfault{self.port}@localhost"
        (self.dir / "enabled_plugins").write_text("[rabbitmq_management].\n")
        (self.dir / "rabbitmq.conf").write_text(
            f"listeners.tcp.default = 127.0.0.1:{self.port}\n"
            f"management.tcp.port = {self.mgmt_port}\nmanagement.tcp.ip = 127.0.0.1\n")
        (self.dir / "rabbitmq-env.conf").write_text("")
        self.proc: subprocess.Popen | None = None

    @property
    def management_url(self) -> str:
        return f"http://127.0.0.1:{self.mgmt_port}"

    def amqp_uri(self, vhost: str) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/{vhost}"

    def start(self, timeout: float = 90) -> None:
        env = dict(os.environ, HOME=str(self.dir), RABBITMQ_NODENAME=self.node,
                   RABBITMQ_NODE_PORT=str(self.port), RABBITMQ_DIST_PORT=str(self.dist_port),
                   RABBITMQ_MNESIA_BASE=str(self.dir / "mnesia"), RABBITMQ_LOG_BASE=str(self.dir / "log"),
                   RABBITMQ_ENABLED_PLUGINS_FILE=str(self.dir / "enabled_plugins"),
                   RABBITMQ_CONFIG_FILE=str(self.dir / "rabbitmq.conf"),
                   RABBITMQ_CONF_ENV_FILE=str(self.dir / "rabbitmq-env.conf"),
                   RABBITMQ_ADVANCED_CONFIG_FILE=str(self.dir / "advanced.config"),
                   RABBITMQ_PID_FILE=str(self.dir / "pid"), ERL_EPMD_ADDRESS="127.0.0.1")
        self.proc = subprocess.Popen([str(RABBIT_SERVER)], env=env, cwd=self.dir, start_new_session=True,
                                     stdout=open(self.dir / "stdout.log", "ab"), stderr=subprocess.STDOUT)
        wait_for(lambda: requests.get(self.management_url + "/api/overview", auth=("guest", "guest"),
                                      timeout=3).status_code == 200, timeout, f"RabbitMQ node {self.node}")

    def kill(self) -> None:
        """kill -9 of every process of the node (beam and its children; epmd is shared)."""
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(30)
            self.proc = None

    def queue_messages(self, vhost: str, queue: str) -> int:
        r = requests.get(f"{self.management_url}/api/queues/{vhost}/{queue}", auth=("guest", "guest"), timeout=10)
        r.raise_for_status()
        return int(r.json().get("messages", 0))

    def close(self) -> None:
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


class OwnPostgres:
    """A cluster made by initdb, run as the ``postgres`` user (root cannot run it), trust
    auth; ``stop_immediate()`` is ``pg_ctl stop -m immediate`` (a crash: recovery on start)."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="sac-pg-"))
        self.port = free_port()
        self.data = self.dir / "data"
        self._as_postgres = [] if os.geteuid() != 0 else ["runuser", "-u", "postgres", "--"]
        if self._as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(PG_BIN / "initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync")

    def _run(self, *cmd) -> None:
        subprocess.run(self._as_postgres + [str(c) for c in cmd], check=True, cwd=self.dir,
                       stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

    def start(self) -> None:
        # fsync off: the test kills the server process, never the machine, so every write()
        # of a commit survives; synchronous_commit stays on (off would lose commits a
        # crash interrupts: a 201 whose report is gone)
        opts = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                f"-c full_page_writes=off -c max_connections=300")
        self._run(PG_BIN / "pg_ctl", "-D", self.data, "-o", opts, "-l", self.dir / "log", "-w", "start")

    def stop_immediate(self) -> None:
        self._run(PG_BIN / "pg_ctl", "-D", self.data, "-m", "immediate", "stop")

    def close(self) -> None:
        try:
            self._run(PG_BIN / "pg_ctl", "-D", self.data, "-m", "immediate", "stop")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)
