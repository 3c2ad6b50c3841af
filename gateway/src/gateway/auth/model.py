"""Staff users and their roles (plain Python: no framework imports). ``Role`` is read from
contracts/actor/roles.json (its ``kind: staff`` roles), found at ``SAC_CONTRACTS`` (a
folder), else in the repository the gateway runs from, else ``./contracts`` (the image's
/app). What a role may do with a service's data is that service's decision; the gateway
names roles only for its own data (users, keys, audit log) and bindings."""
from __future__ import annotations

import datetime as dt
import functools
import json
import os
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

ROLES_FILE = Path("actor") / "roles.json"


def roles_file() -> Path:
    if os.environ.get("SAC_CONTRACTS"):
        return Path(os.environ["SAC_CONTRACTS"]) / ROLES_FILE
    for folder in Path(__file__).resolve().parents:
        if (folder / "contracts" / ROLES_FILE).is_file():
            return folder / "contracts" / ROLES_FILE
    return Path.cwd() / "contracts" / ROLES_FILE


@functools.cache
def staff_roles() -> tuple[str, ...]:
    path = roles_file()
    try:
        roles = json.loads(path.read_text(encoding="utf-8"))["roles"]
    except (OSError, ValueError, KeyError) as exc:
        raise RuntimeError(f"cannot read the roles contract at {path}: {exc}") from exc
    return tuple(r["role"] for r in roles if r.get("kind") == "staff")


Role = StrEnum("Role", {name: name for name in staff_roles()})


@dataclass(frozen=True)
class User:
    id: int
    username: str
    full_name: str
    role: str
    agency: str | None = None
    department: str | None = None
    active: bool = True
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None

    def has_role(self, *roles: str) -> bool:
        return self.role in roles


def agency_scope(user: User) -> str | None:
    """The agency code ``user`` is limited to, or None when the user sees every agency.
    Only agency staff are bound to an agency; what a role may do is the owning service's decision."""
    return user.agency if user.role == Role.agency_staff else None


def department_scope(user: User) -> str | None:
    """The department code inside ``agency_scope(user)`` the user is limited to, or None."""
    return user.department if user.role == Role.agency_staff else None
