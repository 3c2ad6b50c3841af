#!/usr/bin/env bash
# Installs and starts what the platform needs on a fresh Debian 12 machine, then builds
# the Python environment from the lock file. Idempotent: skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"

need_pkgs=()
command -v rabbitmq-server >/dev/null 2>&1 || need_pkgs+=(rabbitmq-server)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need_pkgs+=(postgresql)
ldconfig -p 2>/dev/null | grep -q 'libpq.so.5' || need_pkgs+=(libpq5)
# the console's browser tests drive Debian's Chromium (Playwright's own download fails here)
command -v chromium >/dev/null 2>&1 || need_pkgs+=(chromium)
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || need_pkgs+=(fonts-dejavu)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  log "installing ${need_pkgs[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

# PostgreSQL: running, reachable over TCP as postgres without a password (local only).
PGVER=$(ls /etc/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h 2>/dev/null | grep -q online; then
  log "starting PostgreSQL $PGVER"
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$PGVER" main start
fi
if ! psql -h 127.0.0.1 -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; then
  log "allowing local trust authentication for 127.0.0.1 (development machine)"
  HBA=/etc/postgresql/$PGVER/main/pg_hba.conf
  $SUDO sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "$HBA"
  $SUDO sed -i -E 's/^(local\s+all\s+postgres\s+)\S+/\1trust/' "$HBA"
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$PGVER" main reload
fi

# RabbitMQ with the management plugin (topology and per-test vhosts use its API).
if ! rabbitmqctl -q status >/dev/null 2>&1; then
  log "starting RabbitMQ"
  $SUDO rabbitmq-server -detached
  $SUDO rabbitmqctl await_startup >/dev/null
fi
if ! rabbitmq-plugins list -e 2>/dev/null | grep -q 'rabbitmq_management '; then
  log "enabling the RabbitMQ management plugin"
  $SUDO rabbitmq-plugins enable rabbitmq_management >/dev/null
fi
for _ in $(seq 1 60); do
  curl -sf -u guest:guest http://127.0.0.1:15672/api/overview >/dev/null && break
  sleep 1
done

# Python environment from the lock file; local packages editable, without resolving again.
PY=${PYTHON:-python3}
STAMP=.venv/.lock-$(sha256sum requirements.lock | cut -c1-16)
if [ ! -f "$STAMP" ]; then
  log "building .venv from requirements.lock"
  [ -x .venv/bin/python ] || "$PY" -m venv .venv
  .venv/bin/pip install -q --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/pip install -q -r requirements.lock 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/python -c "import nameko, fastapi"
  rm -f .venv/.lock-*; touch "$STAMP"
fi
# The local packages, editable: again whenever one is added or its pyproject.toml changes
# (a new service on main must not need a fresh .venv).
LOCAL=$(ls libs/*/pyproject.toml gateway/pyproject.toml console/pyproject.toml services/*/pyproject.toml)
LOCAL_STAMP=.venv/.local-$( (echo "$LOCAL"; cat $LOCAL) | sha256sum | cut -c1-16)
if [ ! -f "$LOCAL_STAMP" ]; then
  log "installing the local packages (editable)"
  .venv/bin/pip install -q --no-deps $(for f in $LOCAL; do printf -- '-e %s ' "$(dirname "$f")"; done) 2>&1 \
    | grep -v "^WARNING: Location" || true
  .venv/bin/python -c "import nameko, fastapi, sacinfra"
  rm -f .venv/.local-*; touch "$LOCAL_STAMP"
fi
log "ready"
