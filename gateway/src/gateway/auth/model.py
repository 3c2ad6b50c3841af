"""Staff users and their roles (plain Python: no framework imports).

The roles are the contract's (contracts/actor/roles.json): a staff user holds one of its
``kind: staff`` roles, and ``Role`` is built from that file, not kept by hand here. What a
role may do with a service's data is that service's decision; the gateway names a role
only for the data it owns itself (staff users, API keys, the audit log, dead letters:
``admin``, ``auditor``) and for who is bound to what (an agency for ``agency_staff``, the
block-leader channel for ``block_leader``). Adding a role changes nothing in the gateway.

The gateway finds the contract at ``SAC_CONTRACTS`` (a folder) when set, else in the
repository it runs from, else at ``./contracts`` (the image: ``/app/contracts``, staged by
the root Dockerfile's builder).
"""
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
    """contracts/actor/roles.json, wherever this gateway runs (see the module's doc)."""
    if os.environ.get("SAC_CONTRACTS"):
        return Path(os.environ["SAC_CONTRACTS"]) / ROLES_FILE
    for folder in Path(__file__).resolve().parents:
        if (folder / "contracts" / ROLES_FILE).is_file():
            return folder / "contracts" / ROLES_FILE
    return Path.cwd() / "contracts" / ROLES_FILE


@functools.cache
def staff_roles() -> tuple[str, ...]:
    """The roles of the contract a staff user may hold, in the contract's order."""
    path = roles_file()
    try:
        roles = json.loads(path.read_text(encoding="utf-8"))["roles"]
    except (OSError, ValueError, KeyError) as exc:
        raise RuntimeError(f"cannot read the roles contract at {path}: {exc}") from exc
    return tuple(r["role"] for r in roles if r.get("kind") == "staff")


#: a staff user's role: the ``kind: staff`` roles of contracts/actor/roles.json
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
