"""IT adds a channel without touching the core: a throwaway channel service defined
here (a minimal nameko service, no code of its own anywhere else) files a report through
intake with an existing channel code and an idempotency key, and is told of each status
change by subscribing to routing's events. catalog, intake and routing run unmodified
(the root conftest's ``core_services``); no gateway is involved at all."""
import uuid

import pytest
from nameko.events import event_handler
from nameko.rpc import RpcProxy, rpc

from sacinfra import testing
from sacinfra.actor import Actor

pytestmark = pytest.mark.timeout(120)
SUPERVISOR = {"kind": "staff", "username": "supervisora", "role": "supervisor"}
#: what the pigeon service "sent" to its citizens: (address, text)
OUTBOX: list[tuple[str, str]] = []


class PigeonService:
    """A channel by carrier pigeon: an address per citizen, kept only here."""
    name = "pigeon"
    intake = RpcProxy("intake")
    contacts: dict[int, str] = {}

    @rpc
    def inbound(self, message_id, address, text):
        answer = self.intake.create_reports([{
            "payload": {"petition_type": "OP-BACHEO", "channel": "CHAT CIUDADANO", "description": text,
                        "location": {"lat": 21.12, "lon": -101.68, "colonia": "CENTRO", "street": "MADERO 100"},
                        "citizen_number": None},
            "idempotency_key": f"pigeon:{message_id}", "trace": None,
            "actor": Actor.system_process("pigeon").to_dict()}])[0]
        report = answer["report"]
        self.contacts[report["folio"]] = address
        OUTBOX.append((address, f"Folio {report['folio']}, fecha compromiso {report['due_at'][:10]}"))
        return report["folio"]

    @event_handler("routing", "report_status_changed")
    def on_status(self, envelope):
        d = envelope["data"]
        if d["folio"] in self.contacts:
            OUTBOX.append((self.contacts[d["folio"]], f"Folio {d['folio']}: {d['action']}"))


def test_a_new_channel_files_and_is_notified_with_no_core_change(vhost, container_factory, core_services):
    container_factory(PigeonService, {"AMQP_URI": vhost["uri"]}).start()
    message_id = uuid.uuid4().hex
    with core_services.proxy() as rpc_:
        folio = rpc_.pigeon.inbound(message_id, "palomar 7", "Bache frente a la escuela")
        assert rpc_.pigeon.inbound(message_id, "palomar 7", "Bache frente a la escuela") == folio  # idempotent
        assert rpc_.intake.get_report(folio, SUPERVISOR)["channel"] == "CHAT CIUDADANO"
        a = testing.wait_until(lambda: _assignment(rpc_, folio), what="assignment")
        a = rpc_.routing.start_report(SUPERVISOR, folio, a["version"], None)
        rpc_.routing.finish_report(SUPERVISOR, folio, a["version"], "Bache tapado")
    testing.wait_until(lambda: len([m for m in OUTBOX if m[0] == "palomar 7"]) == 4, what="notices")
    assert [text for _, text in OUTBOX][-2:] == [f"Folio {folio}: start", f"Folio {folio}: finish"]


def _assignment(rpc_, folio):
    try:
        return rpc_.routing.get_assignment(folio, SUPERVISOR)
    except Exception:
        return None


@pytest.mark.parametrize("module, name", [("whatsapp.service", "whatsapp"), ("email_channel.service", "email")])
def test_nameko_run_starts_only_the_channel_not_the_kit_base(module, name):
    """`nameko run <module>` starts every class with entrypoints it finds at the module's
    top level: the kit's ChannelService must not be one of them (it would consume
    routing's events and fail them into the dead-letter queue)."""
    from nameko.cli.run import import_service

    assert [s.name for s in import_service(module)] == [name]
