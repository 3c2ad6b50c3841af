"""Staff users and their roles (plain Python: no framework imports)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    operator = "operator"            # call centre / front desk: captures reports
    agency_staff = "agency_staff"    # a department's staff: only their agency (and department)
    supervisor = "supervisor"        # Atención Ciudadana office: every report, statistics
    auditor = "auditor"              # read-only everything, including the audit log
    admin = "admin"                  # staff users and roles
    block_leader = "block_leader"    # jefe de manzana: files and follows their own reports


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
    Only agency staff are limited by agency; what a role may do at all is ``require_roles``."""
    return user.agency if user.role == Role.agency_staff else None


def department_scope(user: User) -> str | None:
    """The department code inside ``agency_scope(user)`` the user is limited to, or None."""
    return user.department if user.role == Role.agency_staff else None
