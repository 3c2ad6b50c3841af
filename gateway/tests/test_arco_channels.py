"""The ARCO access document's channel part, over stand-in services (no I/O): the channel
services come from the setting CHANNEL_SERVICES (none is named in code), each answers for
its own data, and one that is away or slower than CHANNEL_ARCO_TIMEOUT is reported as
"no disponible" instead of failing the document; a refusal (4xx) is not hidden."""
import asyncio

import pytest

from gateway.auth.deps import unavailable
from gateway.errors import ApiError
from gateway.routes.citizen_rights import UNAVAILABLE, _channel_data, channel_services

ACTOR = {"kind": "staff", "username": "supervisor", "role": "supervisor"}


def test_the_channels_asked_are_a_setting(monkeypatch):
    monkeypatch.delenv("CHANNEL_SERVICES", raising=False)
    assert channel_services() == ["whatsapp", "email"]  # the reference channels, by default
    monkeypatch.setenv("CHANNEL_SERVICES", " whatsapp, telegram ,,whatsapp")
    assert channel_services() == ["whatsapp", "telegram"]
    monkeypatch.setenv("CHANNEL_SERVICES", "")
    assert channel_services() == []


def test_an_away_or_slow_channel_is_reported_not_fatal(monkeypatch):
    monkeypatch.setenv("CHANNEL_ARCO_TIMEOUT", "0.2")
    asked = []

    async def call(service, method, *args, timeout=None):
        asked.append((service, method, args, timeout))
        if service == "whatsapp":
            return {"channel": "WHATSAPP", "service": "whatsapp", "contacts": [{"address": "5214771234567"}]}
        if service == "telegram":
            raise unavailable("No fue posible atender la solicitud: el servicio telegram no está disponible.")
        await asyncio.sleep(5)  # a channel that hangs (its own timeout ignored)

    async def run():
        return await asyncio.gather(*(_channel_data(call, name, [7], ACTOR, "solicitud 1/2026")
                                      for name in ("whatsapp", "telegram", "paloma")))
    ok, away, slow = asyncio.run(run())
    assert ok == {"status": "ok", "channel": "WHATSAPP", "contacts": [{"address": "5214771234567"}]}
    assert away["status"] == slow["status"] == UNAVAILABLE == "no disponible"
    assert "«paloma»" in slow["detail"]
    assert asked[0] == ("whatsapp", "arco_access", ([7], ACTOR, "solicitud 1/2026"), 0.2)


def test_a_refusal_is_not_hidden():
    async def call(service, method, *args, timeout=None):
        raise ApiError(422, "motivo_invalido", "Indique el motivo.")
    with pytest.raises(ApiError) as err:
        asyncio.run(_channel_data(call, "email", [7], ACTOR, "x"))
    assert err.value.status == 422
