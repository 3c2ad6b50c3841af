"""Gateway settings from the environment."""
import os
from dataclasses import dataclass, field

SERVICES = ("catalog", "citizens", "intake", "routing", "surveys", "directory", "stats")


@dataclass(frozen=True)
class Settings:
    amqp_uri: str = field(default_factory=lambda: os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/sac"))
    rpc_timeout: float = field(default_factory=lambda: float(os.environ.get("RPC_TIMEOUT", "10")))
