"""sacinfra.settings: the one place that reads the municipality's time zone (no I/O)."""
import subprocess
import sys
from zoneinfo import ZoneInfo

import pytest

from sacinfra.settings import DEFAULT_TIMEZONE, municipal_tz


@pytest.fixture
def fresh_tz(monkeypatch):
    municipal_tz.cache_clear()
    yield monkeypatch
    municipal_tz.cache_clear()


def test_default_is_central_mexico(fresh_tz):
    fresh_tz.delenv("SAC_TIMEZONE", raising=False)
    assert municipal_tz() == ZoneInfo(DEFAULT_TIMEZONE) == ZoneInfo("America/Mexico_City")
    fresh_tz.setenv("SAC_TIMEZONE", "")  # set but empty: still the default
    municipal_tz.cache_clear()
    assert municipal_tz().key == "America/Mexico_City"


def test_sac_timezone_chooses_the_zone_and_is_read_once(fresh_tz):
    fresh_tz.setenv("SAC_TIMEZONE", "America/Tijuana")
    assert municipal_tz().key == "America/Tijuana"
    fresh_tz.setenv("SAC_TIMEZONE", "America/Cancun")
    assert municipal_tz().key == "America/Tijuana", "read once per process"
    municipal_tz.cache_clear()
    assert municipal_tz().key == "America/Cancun"


@pytest.mark.parametrize("bad", ["Mars/Olympus_Mons", "../etc/passwd"])
def test_an_unknown_zone_is_refused_with_a_clear_message(fresh_tz, bad):
    fresh_tz.setenv("SAC_TIMEZONE", bad)
    with pytest.raises(ValueError, match="SAC_TIMEZONE"):
        municipal_tz()


def test_the_module_does_not_import_nameko_or_eventlet():
    # the asyncio gateway imports it: it must not bring eventlet's monkey business along
    code = ("import sys, sacinfra.settings; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('nameko', 'eventlet', 'kombu')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
