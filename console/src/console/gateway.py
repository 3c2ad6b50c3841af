"""The console's only way to data: the gateway's public HTTP API, with the session's
bearer token (refreshed once when it expired)."""
from __future__ import annotations

import time
from typing import Any

import httpx

from .sessions import Session


class GatewayError(Exception):
    """An answer of the gateway other than 2xx: its status, machine code and Spanish detail."""

    def __init__(self, status: int, code: str, detail: str, extra: dict | None = None):
        super().__init__(detail)
        self.status, self.code, self.detail, self.extra = status, code, detail, extra or {}


class SessionExpired(Exception):
    """The gateway no longer accepts the session's tokens: sign in again."""


def error_of(r: httpx.Response) -> GatewayError:
    try:
        body = r.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    detail = body.get("detail")
    if not isinstance(detail, str):  # FastAPI validation errors are a list
        detail = "Revise los datos capturados: hay campos incompletos o con un formato no válido."
    return GatewayError(r.status_code, body.get("code") or f"http_{r.status_code}", detail, body)


class Gateway:
    def __init__(self, base_url: str, timeout: float = 30, transport: httpx.AsyncBaseTransport | None = None,
                 reference_ttl: float = 60, clock=time.monotonic):
        self.client = httpx.AsyncClient(base_url=base_url, timeout=timeout, transport=transport)
        self.reference_ttl, self.clock = reference_ttl, clock
        self._reference: dict[tuple, tuple[float, Any]] = {}

    async def close(self) -> None:
        await self.client.aclose()

    # -- without a session ------------------------------------------------------
    async def login(self, username: str, password: str) -> tuple[dict, dict]:
        r = await self.client.post("/v1/auth/login", json={"username": username, "password": password})
        if r.status_code != 200:
            raise error_of(r)
        tokens = r.json()
        me = await self.client.get("/v1/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
        if me.status_code != 200:
            raise error_of(me)
        return tokens, me.json()

    # -- with the session's tokens ----------------------------------------------
    async def request(self, session: Session, method: str, path: str, **kwargs) -> httpx.Response:
        used = session.access_token
        r = await self._send(session, method, path, **kwargs)
        if r.status_code == 401:
            await self._refresh(session, used)
            r = await self._send(session, method, path, **kwargs)
            if r.status_code == 401:
                raise SessionExpired()
        return r

    async def _send(self, session: Session, method: str, path: str, headers: dict | None = None, **kwargs):
        headers = {"Authorization": f"Bearer {session.access_token}"} | (headers or {})
        return await self.client.request(method, path, headers=headers, **kwargs)

    async def _refresh(self, session: Session, used: str) -> None:
        """New tokens for the session, once: refresh tokens rotate (a second use is refused
        as a replay), so concurrent calls that met the same expired token wait for the first."""
        async with session.refreshing:
            if session.access_token != used:
                return  # another call of this session refreshed it meanwhile
            r = await self.client.post("/v1/auth/refresh", json={"refresh_token": session.refresh_token})
            if r.status_code != 200:
                raise SessionExpired()
            tokens = r.json()
            session.access_token, session.refresh_token = tokens["access_token"], tokens["refresh_token"]

    async def json(self, session: Session, method: str, path: str, **kwargs) -> Any:
        r = await self.request(session, method, path, **kwargs)
        if r.status_code >= 400:
            raise error_of(r)
        return r.json() if r.content else None

    async def get(self, session: Session, path: str, params=None) -> Any:
        return await self.json(session, "GET", path, params=params)

    async def reference(self, session: Session, path: str, params: dict | None = None) -> Any:
        """Reference data the screens' forms list (catalog channels, agencies): read once per
        ``reference_ttl`` seconds for each role and agency (what the gateway would show them
        is the same), instead of two more gateway round trips on every list screen. A change
        in the catalog shows within that time; 0 turns the cache off."""
        if self.reference_ttl <= 0:
            return await self.get(session, path, params)
        key = (path, tuple(sorted((params or {}).items())), session.role, session.user.get("agency"))
        hit = self._reference.get(key)
        now = self.clock()
        if hit is not None and hit[0] > now:
            return hit[1]
        value = await self.get(session, path, params)
        if len(self._reference) >= 256:
            self._reference.clear()
        self._reference[key] = (now + self.reference_ttl, value)
        return value

    async def post(self, session: Session, path: str, body: dict | None = None, **kwargs) -> Any:
        return await self.json(session, "POST", path, json=body, **kwargs)

    async def stream(self, session: Session, method: str, path: str, **kwargs) -> httpx.Response:
        """An open streamed response (exports, evidence): the caller closes it."""
        req = self.client.build_request(method, path, headers={"Authorization": f"Bearer {session.access_token}"},
                                        **kwargs)
        r = await self.client.send(req, stream=True)
        if r.status_code == 401:
            await r.aclose()
            await self._refresh(session, req.headers["Authorization"].removeprefix("Bearer "))
            req.headers["Authorization"] = f"Bearer {session.access_token}"
            r = await self.client.send(req, stream=True)
        if r.status_code >= 400:
            await r.aread()
            await r.aclose()
            raise error_of(r)
        return r

    async def logout(self, session: Session) -> None:
        try:
            await self._send(session, "POST", "/v1/auth/logout", json={"refresh_token": session.refresh_token})
        except httpx.HTTPError:
            pass  # the session is dropped here anyway; the tokens expire
