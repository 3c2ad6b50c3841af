"""Gateway settings from the environment."""
import os
from dataclasses import dataclass, field

#: the municipality's time zone (days of a query, file names, Open311 dates): SAC_TIMEZONE
from sacinfra.settings import municipal_tz  # noqa: E402

LOCAL_TZ = municipal_tz()  # the one setting: SAC_TIMEZONE (sacinfra.settings)

SERVICES = ("catalog", "citizens", "intake", "routing", "surveys", "directory", "stats", "deadletters")

MIN_SECRET_LENGTH = 32
#: values (or fragments) that mark a secret copied from an example, never generated
PLACEHOLDERS = ("changethis", "changeme", "change-me", "change_me", "placeholder", "example", "secret",
                "xxxxxxxx", "insecure", "replace")


class InsecureSettings(RuntimeError):
    """The gateway refuses to start: a secret is missing, short or a placeholder."""


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


@dataclass(frozen=True)
class Settings:
    amqp_uri: str = field(default_factory=lambda: os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/sac"))
    rpc_timeout: float = field(default_factory=lambda: float(os.environ.get("RPC_TIMEOUT", "10")))
    # -- staff users and tokens (gateway's own PostgreSQL database) ------------------
    database_url: str = field(default_factory=lambda: _env(
        "DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/gateway"))
    db_pool_size: int = field(default_factory=lambda: int(_env("DB_POOL_SIZE", "10")))
    environment: str = field(default_factory=lambda: _env("SAC_ENV", "production"))
    jwt_secret: str | None = field(default_factory=lambda: _env("JWT_SECRET") or None, repr=False)
    access_token_seconds: int = field(default_factory=lambda: int(_env("ACCESS_TOKEN_SECONDS", "900")))
    refresh_token_seconds: int = field(default_factory=lambda: int(_env("REFRESH_TOKEN_SECONDS", "28800")))
    login_max_failures: int = field(default_factory=lambda: int(_env("LOGIN_MAX_FAILURES", "5")))
    login_window_seconds: int = field(default_factory=lambda: int(_env("LOGIN_WINDOW_SECONDS", "300")))

    def __post_init__(self):
        if self.jwt_secret is not None and not self.development:
            problem = secret_problem(self.jwt_secret)
            if problem:
                raise InsecureSettings(f"JWT_SECRET {problem}; set a random value of at least "
                                       f"{MIN_SECRET_LENGTH} characters (e.g. `openssl rand -base64 48`)")

    @property
    def development(self) -> bool:
        return self.environment == "development"

    def require_secret(self) -> "Settings":
        """What the production entry points call (``gateway.app:app``, the CLI): a missing
        secret is refused too, unless ``SAC_ENV=development``."""
        if self.jwt_secret is None and not self.development:
            raise InsecureSettings("JWT_SECRET is not set; the gateway does not start without it "
                                   f"(a random value of at least {MIN_SECRET_LENGTH} characters)")
        return self


def secret_problem(secret: str) -> str | None:
    if len(secret) < MIN_SECRET_LENGTH:
        return f"is shorter than {MIN_SECRET_LENGTH} characters"
    low = secret.lower()
    if any(p in low for p in PLACEHOLDERS) or len(set(secret)) < 8:
        return "looks like a placeholder"
    return None
