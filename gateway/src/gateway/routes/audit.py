"""/v1/audit: the audit log, for auditors and administrators."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from ..params import Offset
from ..auth import Role, User, require_roles, store
from ..auth.deps import AuthDep
from ..auth.schemas import AuditPage

router = APIRouter(prefix="/v1/audit", tags=["auditoría"])


@router.get("", response_model=AuditPage, summary="Bitácora de auditoría (auditores y administradores)")
async def list_audit(auth: AuthDep, user: Annotated[User, Depends(require_roles(Role.auditor, Role.admin))],
                     actor: str | None = None, action: str | None = None, target: str | None = None,
                     since: dt.datetime | None = None, until: dt.datetime | None = None,
                     limit: Annotated[int, Query(ge=1, le=200)] = 50, offset: Offset = 0):
    async with auth.conn() as conn:
        items, total = await store.list_audit(conn, actor=actor, action=action, target=target, since=since,
                                              until=until, limit=limit, offset=offset)
    return {"items": items, "total": total, "limit": limit, "offset": offset}
