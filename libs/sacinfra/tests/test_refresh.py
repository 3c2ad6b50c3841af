"""sacinfra.refresh: a copy refreshed from a short timer (no broker: the provider is bound
to a container that only carries the config, and the source is a plain function)."""
import logging

import eventlet
import pytest

from sacinfra import refresh as refresh_module
from sacinfra import transient
from sacinfra.errors import Unavailable
from sacinfra.refresh import Refresh


class Container:  # what a provider reads of its container
    def __init__(self, config):
        self.config = config


def bound(config: dict) -> Refresh:
    container = Container(config)  # the provider holds it weakly, as nameko's extensions do
    provider = Refresh("CALENDAR_REFRESH_SECONDS", source="catalog").bind(container, "calendar")
    provider.setup()
    provider.kept = container
    return provider


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(refresh_module.time, "monotonic", lambda: now[0])
    return now


def test_settings_and_their_defaults():
    default = bound({})
    assert (default.every, default.timeout) == (600, 5)
    set_ = bound({"CALENDAR_REFRESH_SECONDS": "30", "CATALOG_TIMEOUT_SECONDS": 0.5})
    assert (set_.every, set_.timeout) == (30, 0.5)
    assert set_.get_dependency(None) is set_


def test_first_tick_refreshes_then_once_every_configured_seconds(clock):
    provider, runs = bound({"CALENDAR_REFRESH_SECONDS": 60}), []
    assert provider.tick(lambda: runs.append(clock[0])) is True  # soon after start
    clock[0] += 59
    assert provider.tick(lambda: runs.append(clock[0])) is False
    clock[0] += 1
    assert provider.tick(lambda: runs.append(clock[0])) is True
    assert runs == [1000.0, 1060.0]


def test_a_failure_is_logged_and_retried_on_the_next_tick(clock, caplog):
    provider, answers = bound({"CALENDAR_REFRESH_SECONDS": 60}), iter([ConnectionError("catalog caído"), None])

    def refresh():
        answer = next(answers)
        if answer:
            raise answer

    with caplog.at_level(logging.WARNING, logger="sacinfra.refresh"):
        assert provider.tick(refresh) is False
    assert "catalog caído" in caplog.text and "CALENDAR_REFRESH_SECONDS" in caplog.text
    clock[0] += 5  # the next tick, long before 60 s: still due, as nothing was refreshed
    assert provider.tick(refresh) is True
    assert not provider.due()


def test_ask_returns_the_answer_or_times_out():
    provider = bound({"CATALOG_TIMEOUT_SECONDS": 0.05})
    assert provider.ask(lambda a, b=0: a + b, 2, b=3) == 5
    with pytest.raises(Unavailable, match="catalog no respondió en 0.05 s") as caught:
        provider.ask(eventlet.sleep, 2)
    assert caught.value.code == "servicio_no_disponible" and transient.is_transient(caught.value)
