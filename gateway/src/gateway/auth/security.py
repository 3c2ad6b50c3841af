"""Password hashing (argon2id) and tokens (JWT, HS256 only). No I/O, no FastAPI.

Hashing costs ~50 ms of CPU: async callers run it with ``asyncio.to_thread``.
"""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

ALGORITHM = "HS256"
ISSUER = "sac-gateway"
ACCESS, REFRESH = "access", "refresh"

# argon2-cffi's defaults are RFC 9106's "low memory" profile for argon2id
_hasher = PasswordHasher()
# verified against when the username does not exist, so that timing does not reveal it
_DUMMY_HASH = _hasher.hash("sac-no-such-user")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


class TokenError(Exception):
    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code, self.detail = code, detail


@dataclass(frozen=True)
class Claims:
    user_id: int
    jti: str
    kind: str
    expires_at: float


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    access: Claims
    refresh: Claims


class Tokens:
    def __init__(self, secret: str, access_seconds: int = 900, refresh_seconds: int = 8 * 3600):
        self._secret = secret
        self.access_seconds = access_seconds
        self.refresh_seconds = refresh_seconds

    def _issue(self, user_id: int, kind: str, seconds: int, now: float) -> tuple[str, Claims]:
        claims = Claims(user_id, uuid.uuid4().hex, kind, int(now) + seconds)
        payload = {"iss": ISSUER, "sub": str(user_id), "typ": kind, "jti": claims.jti,
                   "iat": int(now), "exp": claims.expires_at}
        return jwt.encode(payload, self._secret, algorithm=ALGORITHM), claims

    def issue_pair(self, user_id: int, now: float | None = None) -> TokenPair:
        now = time.time() if now is None else now
        access, a = self._issue(user_id, ACCESS, self.access_seconds, now)
        refresh, r = self._issue(user_id, REFRESH, self.refresh_seconds, now)
        return TokenPair(access, refresh, self.access_seconds, a, r)

    def decode(self, token: str, kind: str) -> Claims:
        try:
            payload = jwt.decode(token, self._secret, algorithms=[ALGORITHM], issuer=ISSUER,
                                 options={"require": ["exp", "iat", "iss", "sub", "jti", "typ"]})
        except jwt.ExpiredSignatureError:
            raise TokenError("token_expirado", "El token expiró; inicie sesión de nuevo.") from None
        except jwt.InvalidTokenError:
            raise TokenError("token_invalido", "El token no es válido.") from None
        if payload.get("typ") != kind:
            raise TokenError("token_invalido", "El token no es del tipo esperado.")
        try:
            user_id = int(payload["sub"])
        except (TypeError, ValueError):
            raise TokenError("token_invalido", "El token no es válido.") from None
        return Claims(user_id, str(payload["jti"]), kind, float(payload["exp"]))
