"""Surveys' configuration, read once from the nameko config (every key from the environment)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from . import sampling


def _rates(default, per_agency) -> dict[str, str]:
    """``SURVEY_RATE=0.10`` and ``SURVEY_RATES_BY_AGENCY="OP=0.20,SIAP=0.05"``."""
    rates = {sampling.DEFAULT_KEY: sampling.check_rate(default)}
    for item in str(per_agency or "").split(","):
        if item.strip():
            agency, _, rate = item.partition("=")
            rates[agency.strip()] = sampling.check_rate(rate)
    return rates


@dataclass(frozen=True)
class Settings:
    rates: dict = field(default_factory=lambda: {sampling.DEFAULT_KEY: sampling.DEFAULT_RATE})
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo(os.environ.get("SAC_TIMEZONE", "America/Mexico_City")))
    max_attempts: int = 3
    attempt_days: int = 5
    retry_hours: float = 4.0
    lease_minutes: int = 20
    app_channels: frozenset = frozenset({"ANDROID", "IOS", "WEB"})
    questionnaire: str = "percepcion-ciudadana"
    reopen_days: int = 30

    @classmethod
    def from_config(cls, config) -> "Settings":
        def get(key, default):
            value = config.get(key)
            return default if value is None or value == "" else value

        return cls(
            rates=_rates(get("SURVEY_RATE", sampling.DEFAULT_RATE), get("SURVEY_RATES_BY_AGENCY", "")),
            tz=ZoneInfo(get("SAC_TIMEZONE", os.environ.get("SAC_TIMEZONE", "America/Mexico_City"))),
            max_attempts=int(get("SURVEY_MAX_ATTEMPTS", 3)),
            attempt_days=int(get("SURVEY_ATTEMPT_DAYS", 5)),
            retry_hours=float(get("SURVEY_RETRY_HOURS", 4)),
            lease_minutes=int(get("SURVEY_LEASE_MINUTES", 20)),
            app_channels=frozenset(c.strip() for c in str(get("SURVEY_APP_CHANNELS", "ANDROID,IOS,WEB")).split(",")
                                   if c.strip()),
            questionnaire=get("SURVEY_QUESTIONNAIRE", "percepcion-ciudadana"),
            reopen_days=int(get("REOPEN_DAYS", 30)),
        )
