"""Image definitions, linted as text (no container engine here): multi-stage, slim
Python base, libpq5 for psycopg's Python implementation, non-root, a HEALTHCHECK, no
build tools in the final stage."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import k8s_checks as kc  # noqa: E402

BUILD_TOOLS = re.compile(r"\b(gcc|g\+\+|build-essential|make|cc|clang|libpq-dev|python3-dev)\b")


def dockerfile(name: str) -> Path:
    return kc.ROOT / ("gateway" if name == "gateway" else f"services/{name}") / "Dockerfile"


@pytest.mark.parametrize("name", kc.service_folders())
def test_dockerfile(name):
    path = dockerfile(name)
    assert path.is_file(), f"{path.relative_to(kc.ROOT)} is missing"
    text = path.read_text()
    stages, final = kc.final_stage(text)
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
    port = "8000" if name == "gateway" else "9100"
    assert f"http://127.0.0.1:{port}/healthz" in final
    assert "--chown" not in final, "code stays owned by root, read-only for the app user"
    assert re.search(r"^COPY --from=\S+ /opt/venv /opt/venv", final, re.M), "venv copied from the builder"
    assert re.search(r"^ENV [^\n]*(\\\n[^\n]*)*PSYCOPG_IMPL=python", final, re.M)
    cmd = re.search(r"^CMD (.+)$", final, re.M).group(1)
    if name == "gateway":
        assert '"gateway.app:app"' in cmd
    else:
        assert cmd == f'["nameko", "run", "--config", "config.yaml", "{name}.service"]'
    if kc.has_sql_database(name):  # the migrate Job runs `alembic -c alembic.ini upgrade head` in /app
        src = "gateway" if name == "gateway" else f"services/{name}"
        assert re.search(rf"^COPY {src}/alembic\.ini \./alembic\.ini$", final, re.M), "alembic.ini not in /app"
        assert re.search(rf"^COPY {src}/migrations \./migrations$", final, re.M), "migrations/ not in /app"
        assert re.search(r"^WORKDIR /app$", final, re.M)


def test_dockerignore_keeps_the_context_small():
    text = (kc.ROOT / ".dockerignore").read_text().split()
    for entry in (".git", ".venv", "**/__pycache__"):
        assert entry in text


def test_lint_catches_a_bad_dockerfile():
    stages, final = kc.final_stage("FROM python:3.11\nRUN apt-get install -y gcc\nUSER root\n")
    assert stages == 1 and BUILD_TOOLS.search(final)
