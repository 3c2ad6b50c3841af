"""Console settings from the environment (``CONSOLE_*``)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


@dataclass(frozen=True)
class Settings:
    #: the gateway's base URL, as the console's server reaches it (never the browser)
    gateway_url: str = field(default_factory=lambda: _env("CONSOLE_GATEWAY_URL", "http://127.0.0.1:8000").rstrip("/"))
    #: development: session cookie without ``Secure`` (plain http on 127.0.0.1)
    environment: str = field(default_factory=lambda: _env("SAC_ENV", "production"))
    #: an idle session ends after this many seconds
    idle_timeout: int = field(default_factory=lambda: int(_env("CONSOLE_IDLE_TIMEOUT", "1800")))
    #: a map tile template (``https://tiles.example/{z}/{x}/{y}.png``); empty: maps without tiles
    tile_url: str = field(default_factory=lambda: _env("CONSOLE_TILE_URL", ""))
    tile_attribution: str = field(default_factory=lambda: _env("CONSOLE_TILE_ATTRIBUTION", ""))
    #: where the map opens (the municipality's centre)
    map_center: tuple[float, float] = field(default_factory=lambda: tuple(
        float(x) for x in _env("CONSOLE_MAP_CENTER", "21.1221,-101.6824").split(",")))
    municipality: str = field(default_factory=lambda: _env("CONSOLE_MUNICIPALITY", "Municipio de León"))
    #: seconds the catalog's channels and agencies (the forms' choices) are kept; 0: no cache
    reference_ttl: float = field(default_factory=lambda: float(_env("CONSOLE_REFERENCE_TTL", "60")))
    gateway_timeout: float = field(default_factory=lambda: float(_env("CONSOLE_GATEWAY_TIMEOUT", "30")))

    @property
    def development(self) -> bool:
        return self.environment == "development"

    @property
    def tile_origin(self) -> str | None:
        """scheme://host of the tile server, for the Content-Security-Policy."""
        if not self.tile_url:
            return None
        scheme, _, rest = self.tile_url.partition("://")
        host = rest.split("/", 1)[0].replace("{s}", "*")
        return f"{scheme}://{host}"
