"""One setting for the municipality's time zone: every place that shows or counts days
in local time follows ``SAC_TIMEZONE`` (sacinfra.settings.municipal_tz), in the gateway
and in the services alike. Each zone runs in a fresh interpreter, as a deployment would
start: the setting is read once per process."""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from zoneinfo import ZoneInfo

import pytest

#: an instant whose local date differs between the zones below
INSTANT = "2026-03-10T20:00:00+00:00"

PROBE = f"""
import datetime as dt, json
instant = dt.datetime.fromisoformat({INSTANT!r})
from intake import handlers as intake
from routing import queries as routing
from catalog.calendar import BusinessCalendar
from catalog import handlers as catalog
from citizens import handlers as citizens
from sacinfra import tables as export_cells
from gateway.routes import open311
print(json.dumps({{
    "intake_due_display": intake._local(instant),
    "routing_today": routing.today(instant).isoformat(),
    "routing_day_start": routing.local_day_start(dt.date(2026, 3, 10)).isoformat(),
    "routing_iso": routing._iso(instant),
    "catalog_calendar": BusinessCalendar().tz,
    "citizens_today": citizens._today().isoformat(),
    "export_cell": export_cells.local_datetime({INSTANT!r}).isoformat(),
    "catalog_file": catalog.export_filename("csv", None),
    "gateway_open311": open311.LOCAL_TZ.key,
}}))
"""


def answers(zone: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "SAC_TIMEZONE"}
    if zone:
        env["SAC_TIMEZONE"] = zone
    out = subprocess.run([sys.executable, "-W", "ignore", "-c", PROBE], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


# UTC+14 and UTC-11: at any moment their dates differ, so "today" differs too
@pytest.mark.parametrize("zone", [None, "Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_every_place_follows_sac_timezone(zone):
    tz = ZoneInfo(zone or "America/Mexico_City")
    instant = dt.datetime.fromisoformat(INSTANT)
    local = instant.astimezone(tz)
    before = dt.datetime.now(tz).date()
    got = answers(zone)
    today = {before.isoformat(), dt.datetime.now(tz).date().isoformat()}  # a run across midnight
    assert got["intake_due_display"] == local.isoformat()
    assert got["routing_today"] == local.date().isoformat()
    assert got["routing_day_start"] == dt.datetime(2026, 3, 10, tzinfo=tz).isoformat()
    assert got["routing_iso"] == local.isoformat()
    assert got["catalog_calendar"] == tz.key
    assert got["citizens_today"] in today
    assert got["export_cell"] == local.replace(tzinfo=None).isoformat()
    assert any(got["catalog_file"].endswith(f"-{d}.csv") for d in today)
    assert got["gateway_open311"] == tz.key


def test_the_zones_used_above_really_disagree():
    instant = dt.datetime.fromisoformat(INSTANT)
    east, west = ZoneInfo("Pacific/Kiritimati"), ZoneInfo("Pacific/Pago_Pago")
    assert instant.astimezone(east).date() != instant.astimezone(west).date()
    now = dt.datetime.now(dt.timezone.utc)
    assert now.astimezone(east).date() != now.astimezone(west).date()
