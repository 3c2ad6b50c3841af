# syntax=docker/dockerfile:1
# One image definition for every SAC deployable. Build from the repository root:
#   docker build --build-arg SERVICE=intake -t sac/intake:TAG .
#     (SERVICE: catalog, citizens, deadletters, directory, email, intake, routing, stats, surveys, whatsapp;
#      target `service`)
#   docker build --build-arg SERVICE=gateway --target gateway -t sac/gateway:TAG .
#   docker build --build-arg SERVICE=console --target console -t sac/console:TAG .
# The target is the command: `service` runs `nameko run` (the last stage, the default),
# `gateway` runs uvicorn on 8000, `console` (the staff console) uvicorn on 8080. A new
# ASGI app gets a stage like these two.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- builder: a virtualenv with sacinfra, the channel kit and the SERVICE package (the console:
# its package alone, a client of the gateway's HTTP API), pinned by the lock file, and /app:
# what the process reads at run time (config.yaml and nameko-service for nameko services;
# alembic.ini and migrations/ for the migrate Job of SQL services and the gateway; for the
# gateway, contracts/actor/roles.json: its staff roles are the contract's, read from
# /app/contracts, the working directory's contracts/).
# nameko-service is the `module:Class` that `nameko run` starts: given a module alone, nameko
# starts every class with entrypoints in it, the imported base class too (deploy/local/runner.py
# SERVICE_TARGETS and deploy/k8s name the same targets)
FROM ${PYTHON_IMAGE} AS builder
ARG SERVICE
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY requirements.lock ./requirements.lock
COPY libs/sacinfra ./libs/sacinfra
COPY libs/sacchannel ./libs/sacchannel
COPY gateway ./gateway
COPY console ./console
COPY services ./services
COPY contracts/actor/roles.json ./contracts/actor/roles.json
RUN set -eu; \
    test -n "${SERVICE:-}" || { echo "SERVICE is required: --build-arg SERVICE=<name>" >&2; exit 1; }; \
    libs="./libs/sacinfra ./libs/sacchannel"; \
    case "$SERVICE" in gateway) src=gateway ;; console) src=console; libs= ;; *) src="services/$SERVICE" ;; esac; \
    test -f "$src/pyproject.toml" || { echo "no deployable at $src" >&2; exit 1; }; \
    case "$SERVICE" in \
      gateway|console) target= ;; \
      catalog) target=catalog.service:CatalogService ;; \
      citizens) target=citizens.service:CitizensService ;; \
      deadletters) target=deadletters.service:DeadlettersService ;; \
      directory) target=directory.service:DirectoryService ;; \
      email) target=email_channel.service:EmailService ;; \
      intake) target=intake.service:IntakeService ;; \
      routing) target=routing.service:RoutingService ;; \
      stats) target=stats.service:StatsService ;; \
      surveys) target=surveys.service:SurveysService ;; \
      whatsapp) target=whatsapp.service:WhatsappService ;; \
      *) echo "no nameko target for $SERVICE: add its module:Class here" >&2; exit 1 ;; \
    esac; \
    pip install --constraint requirements.lock $libs "./$src"; \
    mkdir /app; \
    for f in config.yaml alembic.ini migrations; do \
      if [ -e "$src/$f" ]; then cp -R "$src/$f" "/app/$f"; fi; \
    done; \
    if [ -n "$target" ]; then echo "$target" > /app/nameko-service; fi; \
    if [ "$SERVICE" = gateway ]; then mkdir -p /app/contracts/actor; cp contracts/actor/roles.json /app/contracts/actor/; fi

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

# --- console: the staff console (FastAPI + Jinja2, templates and vendored assets are package
# data) on 8080, its /healthz on the same port; no broker, no database
FROM runtime AS console
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request, sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4).status == 200 else 1)"]
CMD ["uvicorn", "console.app:app", "--host", "0.0.0.0", "--port", "8080", "--no-access-log"]

# --- service: a nameko service; /healthz, /readyz and /metrics on METRICS_PORT. The
# check refuses an ASGI app here (only here: the classic builder also builds the stages
# before the target, so the gateway and console stages have no such check)
FROM runtime AS service
RUN test -f /app/nameko-service || { echo "$SAC_SERVICE is built with --target $SAC_SERVICE" >&2; exit 1; }
ENV METRICS_PORT=9100
EXPOSE 9100
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request, sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:9100/healthz', timeout=4).status == 200 else 1)"]
# shell form so that the module:Class comes from the image; `exec` makes nameko PID 1
CMD exec nameko run --config config.yaml "$(cat /app/nameko-service)"
