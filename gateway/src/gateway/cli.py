"""Gateway administration commands (run where DATABASE_URL reaches the gateway database).

    python -m gateway.cli create-admin --username ana [--full-name "Ana López"] [--password-env VAR]
    python -m gateway.cli set-password --username ana [--password-env VAR]
    python -m gateway.cli load-demo-users          # only with SAC_ENV=development (also the demo API keys)
    python -m gateway.cli create-api-key --name chatbot --kind channel --channel CHATBOT \
        --scope reports:create --scope open311 [--rate-limit 600]
    python -m gateway.cli create-api-key --name alumbrado --kind department --agency OP \
        --department OP-ALUMBRADO --scope reports:read --scope reports:write
    python -m gateway.cli purge-expired            # drop revocations of already-expired tokens

Without ``--password-env`` the password is read from stdin (asked twice on a terminal),
so it never appears in the process list or the shell history.
"""
from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys

import sacinfra  # noqa: F401  (PSYCOPG_IMPL=python, like every SAC process)

from .auth import Role, apikeys, store
from .auth.users import change_user, create_user, normalise_username
from .errors import ApiError
from .settings import InsecureSettings, Settings

DEMO_USERS = [
    # username, role, full name, agency, department; password "demo-<role>-2026"
    ("operator", Role.operator, "Operadora Demo (072)", None, None),
    ("agency_staff", Role.agency_staff, "Personal Demo de Alumbrado", "OP", "OP-ALUMBRADO"),
    ("supervisor", Role.supervisor, "Supervisora Demo de Atención Ciudadana", None, None),
    ("auditor", Role.auditor, "Fiscalizador Demo", None, None),
    ("admin", Role.admin, "Administradora Demo", None, None),
    ("block_leader", Role.block_leader, "Jefe de Manzana Demo", None, None),
]


DEMO_KEYS = [
    # name, kind, binding, scopes, secret (README's demo table; development only)
    ("chatbot-demo", apikeys.CHANNEL, {"channel": "CHATBOT"},
     [apikeys.REPORTS_CREATE, apikeys.REPORTS_READ, apikeys.OPEN311], "demo-chatbot-key-2026"),
    ("op-alumbrado-demo", apikeys.DEPARTMENT, {"agency": "OP", "department": "OP-ALUMBRADO"},
     [apikeys.REPORTS_READ, apikeys.REPORTS_WRITE], "demo-op-alumbrado-key-2026"),
]
DEMO_KEY_RATE_LIMIT = 600


def demo_password(role: str) -> str:
    return f"demo-{role}-2026"


class CliError(Exception):
    pass


def read_password(env_var: str | None) -> str:
    if env_var:
        value = os.environ.get(env_var)
        if not value:
            raise CliError(f"la variable {env_var} no está definida o está vacía")
        return value
    if sys.stdin.isatty():
        first = getpass.getpass("Contraseña: ")
        if first != getpass.getpass("Repita la contraseña: "):
            raise CliError("las contraseñas no coinciden")
        return first
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise CliError("no se recibió contraseña en la entrada estándar")
    return line


async def _with_engine(settings: Settings, work):
    engine = store.make_async_engine(settings.database_url, pool_size=1)
    try:
        async with engine.begin() as conn:
            return await work(conn)
    finally:
        await engine.dispose()


async def create_admin(settings: Settings, username: str, password: str, full_name: str | None) -> None:
    async def work(conn):
        user = await create_user(conn, username=username, password=password, full_name=full_name or username,
                                 role=Role.admin, actor_name="cli")
        print(f"administrador {user.username} creado (id {user.id})")
    await _with_engine(settings, work)


async def set_password(settings: Settings, username: str, password: str) -> None:
    async def work(conn):
        user, _ = await store.user_for_login(conn, normalise_username(username))
        if user is None:
            raise CliError(f"no existe el usuario {username}")
        await change_user(conn, user.id, {"password": password}, actor=None, actor_name="cli")
        print(f"contraseña de {user.username} cambiada")
    await _with_engine(settings, work)


async def load_demo_users(settings: Settings) -> None:
    if not settings.development:
        raise CliError("los usuarios de demostración tienen contraseñas conocidas: solo con SAC_ENV=development")

    async def work(conn):
        created = 0
        for username, role, full_name, agency, department in DEMO_USERS:
            existing, _ = await store.user_for_login(conn, username)
            if existing is None:
                await create_user(conn, username=username, password=demo_password(role), full_name=full_name,
                                  role=role, agency=agency, department=department, actor_name="demo")
                created += 1
        print(f"usuarios de demostración: {created} creados, {len(DEMO_USERS) - created} ya existían")
        keys = 0
        existing_keys = {k.name for k in (await apikeys.list_keys(conn, limit=10_000))[0]}
        for name, kind, binding, scopes, secret in DEMO_KEYS:
            if name not in existing_keys:
                await apikeys.create_key(conn, name=name, kind=kind, scopes=scopes, rate_limit=DEMO_KEY_RATE_LIMIT,
                                         secret=secret, actor_name="demo", **binding)
                keys += 1
        print(f"claves de API de demostración: {keys} creadas, {len(DEMO_KEYS) - keys} ya existían")
    await _with_engine(settings, work)


async def create_api_key(settings: Settings, *, name: str, kind: str, scopes: list[str], rate_limit: int,
                         channel: str | None, agency: str | None, department: str | None) -> None:
    """The channel/department is not checked against the catalog here (no broker from the
    CLI); POST /v1/admin/api-keys checks it."""
    async def work(conn):
        key, secret = await apikeys.create_key(conn, name=name, kind=kind, scopes=scopes, rate_limit=rate_limit,
                                               channel=channel, agency=agency, department=department,
                                               actor_name="cli")
        print(f"clave {key.name} creada (id {key.id}, {key.kind}, permisos {', '.join(key.scopes)}, "
              f"{key.rate_limit}/min). Guárdela ahora, no se vuelve a mostrar:", file=sys.stderr)
        print(secret)
    await _with_engine(settings, work)


async def purge_expired(settings: Settings) -> None:
    async def work(conn):
        print(f"{await store.purge_expired(conn)} revocaciones vencidas eliminadas")
    await _with_engine(settings, work)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m gateway.cli", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("create-admin", help="crear el primer administrador (o uno más)")
    p.add_argument("--username", required=True)
    p.add_argument("--full-name")
    p.add_argument("--password-env", metavar="VAR", help="leer la contraseña de esta variable de entorno")
    p = sub.add_parser("set-password", help="cambiar la contraseña de un usuario")
    p.add_argument("--username", required=True)
    p.add_argument("--password-env", metavar="VAR")
    sub.add_parser("load-demo-users", help="un usuario por rol con contraseña conocida y las claves de API "
                                           "de demostración (solo desarrollo)")
    p = sub.add_parser("create-api-key", help="crear una clave de API de socio (la clave se imprime una vez)")
    p.add_argument("--name", required=True)
    p.add_argument("--kind", required=True, choices=apikeys.KINDS)
    p.add_argument("--channel", help="código de canal (claves channel)")
    p.add_argument("--agency", help="dependencia (claves department)")
    p.add_argument("--department", help="departamento (claves department)")
    p.add_argument("--scope", action="append", required=True, dest="scopes",
                   choices=sorted({s for v in apikeys.KIND_SCOPES.values() for s in v}))
    p.add_argument("--rate-limit", type=int, default=apikeys.DEFAULT_RATE_LIMIT, help="solicitudes por minuto")
    sub.add_parser("purge-expired", help="limpiar revocaciones e intentos vencidos")
    a = ap.parse_args(argv)
    try:
        settings = Settings()
        if a.command == "create-admin":
            asyncio.run(create_admin(settings, a.username, read_password(a.password_env), a.full_name))
        elif a.command == "set-password":
            asyncio.run(set_password(settings, a.username, read_password(a.password_env)))
        elif a.command == "load-demo-users":
            asyncio.run(load_demo_users(settings))
        elif a.command == "create-api-key":
            asyncio.run(create_api_key(settings, name=a.name, kind=a.kind, scopes=a.scopes, rate_limit=a.rate_limit,
                                       channel=a.channel, agency=a.agency, department=a.department))
        else:
            asyncio.run(purge_expired(settings))
    except (CliError, ApiError, InsecureSettings) as exc:
        print(f"error: {getattr(exc, 'detail', exc)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
