"""A duplicate's citizen is notified of the original's closure, end to end on real servers
(catalog, intake and routing as nameko containers, RabbitMQ, PostgreSQL, the channel's
webhook over HTTP, the fake Graph API receiving what the citizen would read): two
citizens report the same lamp, staff mark the second report as a duplicate of the first,
and when the first is started and finished both citizens are told, the second with its
own folio and the original's; "no se resolvió" from the second reopens the original."""
import sys
from pathlib import Path

import pytest

from sacinfra import testing
from whatsapp.service import WhatsappService

sys.path.insert(0, str(Path(__file__).resolve().parent))
from wa_support import SUPERVISOR, Phone, free_port, wait_assignment, whatsapp_config  # noqa: E402

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def channel(vhost, service_db, container_factory, core, fake_graph):
    port = free_port()
    container_factory(WhatsappService, whatsapp_config(vhost["uri"], service_db("whatsapp"), fake_graph.url,
                                                       port)).start()
    return f"http://127.0.0.1:{port}"


def converse(phone: Phone, fake_graph, description: str) -> int:
    for step in ("hola", "1", description):
        assert phone.text(step)[0].status_code == 200
    phone.pin(21.1221, -101.6824)
    phone.text("Madero 100, Centro")
    phone.photo()
    text = testing.wait_until(lambda: [t for t in fake_graph.texts(phone.number) if "folio" in t],
                              what="folio message")[0]
    return int(text.split("folio ")[1].split(".")[0])


def test_a_duplicates_citizen_is_notified_of_the_originals_closure(channel, core, fake_graph):
    first, second = Phone(channel, "5214770000001"), Phone(channel, "5214770000002")
    original = converse(first, fake_graph, "La lámpara del poste 12 no prende")
    duplicate = converse(second, fake_graph, "Poste 12 sin luz desde ayer")
    wait_assignment(core, original)
    dup = wait_assignment(core, duplicate)
    told_before = len(fake_graph.texts(second.number))
    with core.proxy() as rpc:
        marked = rpc.routing.mark_duplicate(SUPERVISOR, duplicate, dup["version"], original)
        assert marked["duplicate_of"] == original
        a = rpc.routing.get_assignment(original, SUPERVISOR)
        a = rpc.routing.start_report(SUPERVISOR, original, a["version"], "Cuadrilla en camino")
        rpc.routing.finish_report(SUPERVISOR, original, a["version"], "Se cambió la lámpara del poste 12")

    def closure_told(phone, folio):
        return [t for t in fake_graph.texts(phone.number) if t.startswith(f"Folio {folio}: Su reporte fue atendido")
                or f"Folio {folio}: Su reporte fue atendido" in t]

    (to_first,) = testing.wait_until(lambda: closure_told(first, original), what="the original's closure notice")
    (to_second,) = testing.wait_until(lambda: closure_told(second, duplicate), what="the duplicate's closure notice")
    assert "Nota de cierre: Se cambió la lámpara del poste 12" in to_first
    assert to_second.startswith(f"Su reporte (folio {duplicate}) se unió al folio {original}")
    assert "Nota de cierre: Se cambió la lámpara del poste 12" in to_second
    second_told = fake_graph.texts(second.number)[told_before:]
    assert len(second_told) == 2 and second_told[0].endswith(
        f"Folio {duplicate}: La dependencia ya atiende su reporte (en proceso).")  # the start, then the closure
    with core.proxy() as rpc:  # the duplicate itself did not change: only its citizen was told
        assert rpc.routing.get_assignment(duplicate, SUPERVISOR)["status"] == "captured"

    # "no se resolvió" from the duplicate's citizen: routing is asked to reopen the original
    second.text("No se resolvió, sigue apagada")
    reply = testing.wait_until(lambda: [t for t in fake_graph.texts(second.number)
                                        if t.startswith(("Reabrimos", "No pudimos reabrir", "No se puede reabrir"))],
                               what="reopen answer")[0]
    assert f"folio {original}" in reply
    with core.proxy() as rpc:
        status = rpc.routing.get_assignment(original, SUPERVISOR)["status"]
    assert ("Reabrimos" in reply) == (status == "in_progress")
