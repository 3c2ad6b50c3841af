"""Server-side sessions: the browser holds only a random id (httpOnly cookie); the
gateway tokens, the CSRF token and the last receipts stay here. Idle sessions expire.

One process keeps them in memory: run one console replica (or sticky sessions); a
restart signs everyone out, which is the safe failure."""
from __future__ import annotations

import asyncio
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

COOKIE = "sac_console"


@dataclass
class Session:
    id: str
    csrf: str
    access_token: str
    refresh_token: str
    user: dict
    touched: float = field(default_factory=time.monotonic)
    #: receipts of the reports filed in this session (folio → what the receipt shows)
    receipts: dict[int, dict] = field(default_factory=dict)
    #: the survey call this session's user took and has not finished (Encuestas)
    survey_case: dict | None = None
    #: text tickets printed in this session (Número de Atención → what the ticket shows)
    tickets: dict[str, dict] = field(default_factory=dict)
    #: one message for the next page (after a redirect)
    flash: list[tuple[str, str]] = field(default_factory=list)
    #: held while the tokens are refreshed (see Gateway._refresh)
    refreshing: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)

    @property
    def role(self) -> str:
        return self.user["role"]

    def say(self, kind: str, text: str) -> None:
        self.flash.append((kind, text))

    def take_flash(self) -> list[tuple[str, str]]:
        out, self.flash = self.flash, []
        return out


class SessionStore:
    def __init__(self, idle_timeout: float, clock=time.monotonic):
        self.idle_timeout = idle_timeout
        self.clock = clock
        self._items: dict[str, Session] = {}
        self._lock = threading.Lock()

    def create(self, access_token: str, refresh_token: str, user: dict) -> Session:
        s = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32), access_token, refresh_token, user,
                    touched=self.clock())
        with self._lock:
            self._purge()
            self._items[s.id] = s
        return s

    def get(self, sid: str | None) -> Session | None:
        """The session, touched, or None when unknown or idle too long (then it is gone)."""
        if not sid:
            return None
        now = self.clock()
        with self._lock:
            s = self._items.get(sid)
            if s is None:
                return None
            if now - s.touched > self.idle_timeout:
                del self._items[sid]
                return None
            s.touched = now
            return s

    def drop(self, sid: str) -> Session | None:
        with self._lock:
            return self._items.pop(sid, None)

    def _purge(self) -> None:
        now = self.clock()
        for sid in [k for k, s in self._items.items() if now - s.touched > self.idle_timeout]:
            del self._items[sid]

    def __len__(self) -> int:
        return len(self._items)


def same_token(a: Any, b: str) -> bool:
    return isinstance(a, str) and secrets.compare_digest(a.encode(), b.encode())
