"""The image definition, linted as text (no container engine here): one root Dockerfile
for every deployable, the staff console included (a build argument names it, the target
picks the command),
multi-stage, slim Python base, libpq5 for psycopg's Python implementation, non-root, a
HEALTHCHECK, no build tools in the final stage; and its builder script, run with a
stand-in for pip, puts in /app what each deployable reads at run time."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import k8s_checks as kc  # noqa: E402

BUILD_TOOLS = re.compile(r"\b(gcc|g\+\+|build-essential|make|cc|clang|libpq-dev|python3-dev)\b")
DOCKERFILE = kc.ROOT / "Dockerfile"


#: the ASGI apps and their ports; every other deployable is a nameko service (9100)
ASGI = {"gateway": "8000", "console": "8080"}
DEPLOYABLES = kc.service_folders() + ["console"]


def target(name: str) -> str:
    return name if name in ASGI else "service"


def source(name: str) -> Path:
    return kc.ROOT / "console" if name == "console" else kc.source_dir(name)


def test_one_dockerfile_for_every_deployable():
    assert DOCKERFILE.is_file()
    copies = sorted(str(p.relative_to(kc.ROOT)) for folder in ("services", "gateway", "console", "libs", "deploy")
                    for p in (kc.ROOT / folder).rglob("Dockerfile*"))
    assert copies == [], "per-deployable Dockerfiles are back: build them from the root Dockerfile"
    names = [name for name, _, _ in kc.dockerfile_stages(DOCKERFILE.read_text())]
    assert names == ["builder", "runtime", "gateway", "console", "service"]  # `service` last: the default


@pytest.mark.parametrize("name", DEPLOYABLES)
def test_image(name):
    text = DOCKERFILE.read_text()
    stages, final = kc.image_stage(text, target(name))
    for arg, default in re.findall(r"^ARG (\w+)=(\S+)", text, re.M):  # FROM ${PYTHON_IMAGE}
        final = final.replace("${%s}" % arg, default)
    assert stages >= 2, "multi-stage build expected"
    assert re.match(r"FROM python:3\.11-slim", final), "final stage on python:3.11-slim"
    assert re.search(r"apt-get install[^\n]*\blibpq5\b", final), "final stage installs libpq5"
    assert not BUILD_TOOLS.search(final.replace("--no-install-recommends", "")), "build tools in the final stage"
    users = re.findall(r"^USER\s+(\S+)", final, re.M)
    assert users and users[-1] not in ("root", "0", "0:0"), "final stage must switch to a non-root USER"
    assert users[-1].split(":")[0] == "10001"
    assert re.search(r"^HEALTHCHECK\s", final, re.M), "HEALTHCHECK missing"
    port = ASGI.get(name, "9100")
    assert f"http://127.0.0.1:{port}/healthz" in final
    assert re.findall(r"^EXPOSE (\d+)$", final, re.M) == [port]
    assert "--chown" not in final, "code stays owned by root, read-only for the app user"
    assert re.search(r"^COPY --from=builder /opt/venv /opt/venv$", final, re.M), "venv copied from the builder"
    assert re.search(r"^COPY --from=builder /app /app$", final, re.M), "run-time files copied from the builder"
    assert re.search(r"^WORKDIR /app$", final, re.M)
    assert re.search(r"^ENV [^\n]*(\\\n[^\n]*)*PSYCOPG_IMPL=python", final, re.M)
    assert re.search(r"^ENV [^\n]*(\\\n[^\n]*)*SAC_SERVICE=\$\{SERVICE\}", final, re.M)
    cmds = re.findall(r"^CMD (.+)$", final, re.M)
    assert len(cmds) == 1
    if name in ASGI:
        assert cmds[0].startswith(f'["uvicorn", "{name}.app:app", "--host", "0.0.0.0", "--port", "{port}"')
    else:  # the module:Class staged at build time (see the builder test), nameko as PID 1
        assert cmds[0] == 'exec nameko run --config config.yaml "$(cat /app/nameko-service)"'
        assert re.search(r"^ENV METRICS_PORT=9100$", final, re.M)
        assert re.search(r"^RUN test -f /app/nameko-service \|\|", final, re.M), "an ASGI app built as a service"


def builder_script() -> str:
    """The builder's install-and-stage RUN, with /app replaced by $APP."""
    text = DOCKERFILE.read_text()
    run = re.search(r"^RUN (set -eu;.*?)(?=^\S)", text, re.S | re.M).group(1)
    return run.replace("\\\n", "\n").replace("/app", "$APP")


def run_builder(tmp_path: Path, service: str) -> tuple[subprocess.CompletedProcess, Path, Path]:
    bin_dir, app, log = tmp_path / "bin", tmp_path / "app", tmp_path / "pip.log"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "pip").write_text(f'#!/bin/sh\necho "$@" >> {log}\n')
    (bin_dir / "pip").chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "SERVICE": service, "APP": str(app)}
    out = subprocess.run(["sh", "-c", builder_script()], cwd=kc.ROOT, env=env, capture_output=True,
                         text=True, timeout=30)
    return out, app, log


@pytest.mark.parametrize("name", DEPLOYABLES)
def test_builder_installs_the_service_and_stages_what_it_reads(tmp_path, name):
    out, app, log = run_builder(tmp_path, name)
    assert out.returncode == 0, out.stderr
    src = source(name).relative_to(kc.ROOT)
    libs = [] if name == "console" else ["./libs/sacinfra", "./libs/sacchannel"]  # the console: HTTP only
    assert log.read_text().split() == ["install", "--constraint", "requirements.lock", *libs, f"./{src}"]
    staged = sorted(p.name for p in app.iterdir())
    if name not in ASGI:  # nameko run --config config.yaml <module:Class>, as the local runner runs it
        assert "config.yaml" in staged
        assert (app / "nameko-service").read_text().strip() == kc.service_target(name)
    else:
        assert "nameko-service" not in staged
    if kc.has_sql_database(name):  # the migrate Job runs `alembic -c alembic.ini upgrade head` in /app
        assert {"alembic.ini", "migrations"} <= set(staged)
        assert sorted(p.name for p in (app / "migrations").rglob("*.py")) == \
            sorted(p.name for p in (kc.source_dir(name) / "migrations").rglob("*.py"))
    if name == "gateway":  # its staff roles are the contract's, read from /app/contracts (the working directory)
        assert (app / "contracts" / "actor" / "roles.json").read_bytes() == \
            (kc.ROOT / "contracts" / "actor" / "roles.json").read_bytes()
        staged.remove("contracts")
    assert set(staged) <= {"config.yaml", "nameko-service", "alembic.ini", "migrations"}


@pytest.mark.parametrize("service,message", [("", "SERVICE is required"), ("nope", "no deployable at services/nope")])
def test_builder_refuses_a_missing_or_unknown_service(tmp_path, service, message):
    out, app, log = run_builder(tmp_path, service)
    assert out.returncode != 0 and message in out.stderr
    assert not log.exists() and not app.exists()


def test_dockerignore_keeps_the_context_small():
    text = (kc.ROOT / ".dockerignore").read_text().split()
    for entry in (".git", ".venv", "**/__pycache__", "**/tests"):
        assert entry in text
    assert not {"contracts", "contracts/", "*.json"} & set(text), "the gateway's image reads contracts/actor/roles.json"
    assert re.search(r"^COPY contracts/actor/roles\.json ", DOCKERFILE.read_text(), re.M)


def test_lint_catches_a_bad_dockerfile():
    stages, final = kc.final_stage("FROM python:3.11\nRUN apt-get install -y gcc\nUSER root\n")
    assert stages == 1 and BUILD_TOOLS.search(final)
    text = "FROM python:3.11 AS base\nUSER root\nFROM base AS app\nCMD x\nFROM base AS other\nCMD y\n"
    stages, app = kc.image_stage(text, "app")
    assert stages == 3 and app == "FROM python:3.11 AS base\nUSER root\nFROM base AS app\nCMD x"
    assert kc.image_stage(text)[1].endswith("FROM base AS other\nCMD y")
