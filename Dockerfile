# syntax=docker/dockerfile:1
# One image definition for every SAC deployable. Build from the repository root:
#   docker build --build-arg SERVICE=intake -t sac/intake:TAG .
#     (SERVICE: catalog, citizens, directory, intake, routing, stats, surveys; target `service`)
#   docker build --build-arg SERVICE=gateway --target gateway -t sac/gateway:TAG .
# The target is the command: `service` runs `nameko run` (the last stage, the default),
# `gateway` runs uvicorn on 8000. A new ASGI app gets a stage like `gateway`.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- builder: a virtualenv with sacinfra and the SERVICE package, pinned by the lock
# file, and /app: what the process reads at run time (config.yaml for nameko services;
# alembic.ini and migrations/ for the migrate Job of SQL services and the gateway)
FROM ${PYTHON_IMAGE} AS builder
ARG SERVICE
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY requirements.lock ./requirements.lock
COPY libs/sacinfra ./libs/sacinfra
COPY gateway ./gateway
COPY services ./services
RUN set -eu; \
    test -n "${SERVICE:-}" || { echo "SERVICE is required: --build-arg SERVICE=<name>" >&2; exit 1; }; \
    if [ "$SERVICE" = gateway ]; then src=gateway; else src="services/$SERVICE"; fi; \
    test -f "$src/pyproject.toml" || { echo "no deployable at $src" >&2; exit 1; }; \
    pip install --constraint requirements.lock ./libs/sacinfra "./$src"; \
    mkdir /app; \
    for f in config.yaml alembic.ini migrations; do \
      if [ -e "$src/$f" ]; then cp -R "$src/$f" "/app/$f"; fi; \
    done

# --- runtime: slim Python, libpq5 (psycopg's Python implementation), no build tools;
# code and /app owned by root, read-only for the app user 10001
FROM ${PYTHON_IMAGE} AS runtime
ARG SERVICE
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 sac \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /app --shell /usr/sbin/nologin sac
COPY --from=builder /opt/venv /opt/venv
COPY --from=builder /app /app
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PSYCOPG_IMPL=python \
    SAC_SERVICE=${SERVICE}
WORKDIR /app
USER 10001:10001

# --- gateway: the FastAPI app on 8000 (its /healthz on the same port)
FROM runtime AS gateway
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request, sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]
CMD ["uvicorn", "gateway.app:app", "--host", "0.0.0.0", "--port", "8000", "--no-access-log"]

# --- service: a nameko service; /healthz, /readyz and /metrics on METRICS_PORT. The
# check refuses SERVICE=gateway here (only here: the classic builder also builds the
# stages before the target, so the gateway stage has no such check)
FROM runtime AS service
RUN test "$SAC_SERVICE" != gateway || { echo "the gateway is built with --target gateway" >&2; exit 1; }
ENV METRICS_PORT=9100
EXPOSE 9100
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request, sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:9100/healthz', timeout=4).status == 200 else 1)"]
# shell form so that the service name comes from the image; `exec` makes nameko PID 1
CMD exec nameko run --config config.yaml "${SAC_SERVICE}.service"
