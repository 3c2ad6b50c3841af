"""What citizens composes with other services' answers, over stand-in callables (no I/O):
the ARCO access document (channels from the setting CHANNEL_SERVICES, none named in code;
an away or failing channel reported "no disponible", not fatal; a refusal not hidden;
intake, surveys or routing failing fails the whole) and the block-leader map."""
import pytest

from sacinfra.errors import InvalidInput, Unavailable

from citizens import documents
from citizens.documents import UNAVAILABLE, arco_document, channel_services, leaders_geojson

ACTOR = {"kind": "staff", "username": "supervisor", "role": "supervisor", "agency": None, "department": None}
HELD = {"number": 7, "numbers": [7, 9], "record": {"number": 7}}
REASON = "solicitud ARCO 1/2026"
VIEW = {"folio": 101, "status": "captured", "history": []}


class Sources:
    """intake, surveys, routing and the channels as ``ask`` sees them; ``fail`` maps a
    service to the error it raises."""

    def __init__(self, reports=(101, 102), fail=None):
        self.reports, self.fail, self.asked = list(reports), fail or {}, []

    def __call__(self, service, method, *args):
        self.asked.append((service, method, args))
        if service in self.fail:
            raise self.fail[service]
        if (service, method) == ("intake", "arco_access"):
            return {"citizen_numbers": args[0], "reports": [{"folio": f, "description": "x"} for f in self.reports]}
        if (service, method) == ("surveys", "arco_access"):
            return {"opt_outs": [{"scope": "surveys"}], "answers": [], "extra": "no"}
        if (service, method) == ("routing", "get_assignments_batch"):
            return {"101": VIEW} if 101 in args[0] else {}  # 102 not routed yet
        if (service, method) == ("routing", "list_interventions_batch"):
            return {"101": [{"id": 1, "text": "Se turnó"}]} if 101 in args[0] else {}
        if method == "arco_access":  # a channel
            return {"channel": service.upper(), "service": service, "contacts": [{"address": "5214771234567"}]}
        raise AssertionError((service, method))


def test_the_channels_asked_are_a_setting():
    assert channel_services() == ["whatsapp", "email"]  # the reference channels, by default
    assert channel_services(" whatsapp, telegram ,,whatsapp") == ["whatsapp", "telegram"]
    assert channel_services("") == channel_services(None) == []  # CHANNEL_SERVICES= asks none
    assert channel_services(["email"]) == ["email"]


def test_one_document_from_every_source():
    ask = Sources()
    doc = arco_document(HELD, ACTOR, REASON, ask, ["whatsapp", "telegram"])
    assert (doc["number"], doc["numbers"], doc["incomplete_sources"]) == (7, [7, 9], [])
    services = doc["services"]
    assert services["citizens"] is HELD
    assert [r["folio"] for r in services["intake"]["reports"]] == [101, 102]
    assert services["routing"]["reports"] == [
        {"folio": 101, "assignment": VIEW, "interventions": [{"id": 1, "text": "Se turnó"}]},
        {"folio": 102, "assignment": None, "interventions": None}]  # routing has not seen it yet
    assert services["surveys"] == {"opt_outs": [{"scope": "surveys"}], "answers": []}
    assert services["channels"]["telegram"] == {"status": "ok", "channel": "TELEGRAM",
                                                "contacts": [{"address": "5214771234567"}]}
    # every number of the person; the channels get the actor and the reason (they log the read)
    assert ("intake", "arco_access", ([7, 9],)) in ask.asked and ("surveys", "arco_access", ([7, 9],)) in ask.asked
    assert ("whatsapp", "arco_access", ([7, 9], ACTOR, REASON)) in ask.asked
    assert ("routing", "get_assignments_batch", ([101, 102], ACTOR)) in ask.asked


def test_an_away_or_failing_channel_is_reported_not_fatal():
    ask = Sources(fail={"telegram": Unavailable("El servicio telegram no respondió en 3 s."),
                        "paloma": RuntimeError("RemoteError OperationalError")})
    doc = arco_document(HELD, ACTOR, REASON, ask, ["whatsapp", "telegram", "paloma"])
    channels = doc["services"]["channels"]
    assert channels["whatsapp"]["status"] == "ok"
    assert channels["telegram"]["status"] == channels["paloma"]["status"] == UNAVAILABLE == "no disponible"
    assert "«paloma»" in channels["paloma"]["detail"]
    assert doc["incomplete_sources"] == ["channels.telegram", "channels.paloma"]
    assert [r["folio"] for r in doc["services"]["intake"]["reports"]] == [101, 102]  # the rest is given


def test_a_channels_refusal_is_not_hidden():
    with pytest.raises(InvalidInput):
        arco_document(HELD, ACTOR, REASON, Sources(fail={"email": InvalidInput("Indique el motivo.")}), ["email"])


@pytest.mark.parametrize("source", ["intake", "surveys", "routing"])
def test_intake_surveys_or_routing_away_fails_the_document(source):
    with pytest.raises(Unavailable):
        arco_document(HELD, ACTOR, REASON, Sources(fail={source: Unavailable("no respondió")}), ["email"])


def test_routing_is_asked_in_batches_of_at_most_500_folios_and_2000_reports():
    ask = Sources(reports=range(1, 2101))
    doc = arco_document(HELD, ACTOR, REASON, ask, [])
    assert len(doc["services"]["routing"]["reports"]) == documents.MAX_REPORTS == 2000
    batches = [args[0] for service, method, args in ask.asked if method == "get_assignments_batch"]
    assert [len(b) for b in batches] == [500] * 4 and batches[-1][-1] == 2000


LEADERS = [
    {"id": 1, "kind": "manzana", "block": "M-1", "colonia": "Centro", "lat": 19.1, "lon": -96.1,
     "status": "active", "username": "jm.ana"},
    {"id": 2, "kind": "cuartel", "block": "C-2", "colonia": "Reforma", "lat": 19.2, "lon": -96.2,
     "status": "active", "username": None},
    {"id": 3, "kind": "manzana", "block": "M-3", "colonia": "Centro", "lat": 19.3, "lon": -96.3,
     "status": "active", "username": "jm.luis"}]


def grouped_routing(groups):
    asked = []

    def ask(service, method, *args):
        asked.append((service, method, args))
        if method == "group_reports":
            return {"groups": groups}
        if method == "query_reports":
            return {"total": 4 if args[1] == {"created_by": "jm.luis"} else 0, "items": []}
        raise AssertionError(method)
    return ask, asked


def test_the_map_counts_each_logins_reports_in_one_grouped_query():
    ask, asked = grouped_routing([{"created_by": "jm.ana", "count": 3}, {"created_by": None, "count": 50}])
    geo = leaders_geojson(LEADERS, ACTOR, ask)
    assert geo["type"] == "FeatureCollection"
    assert geo["features"][0] == {
        "type": "Feature", "id": 1, "geometry": {"type": "Point", "coordinates": [-96.1, 19.1]},
        "properties": {"id": 1, "kind": "manzana", "block": "M-1", "colonia": "Centro", "status": "active",
                       "report_count": 3}}
    assert [f["properties"]["report_count"] for f in geo["features"]] == [3, 0, 0]
    assert asked == [("routing", "group_reports", (ACTOR, {}, ["created_by"]))]
    assert "username" not in geo["features"][0]["properties"]  # no login, no personal data on the map


def test_a_truncated_grouping_counts_the_missing_logins_alone():
    groups = [{"created_by": f"u{i}", "count": 1} for i in range(documents.MAX_GROUPS - 1)]
    ask, asked = grouped_routing(groups + [{"created_by": "jm.ana", "count": 2}])
    geo = leaders_geojson(LEADERS, ACTOR, ask)
    assert [f["properties"]["report_count"] for f in geo["features"]] == [2, 0, 4]
    assert asked[1:] == [("routing", "query_reports", (ACTOR, {"created_by": "jm.luis"}, 1, 1))]


def test_no_logins_no_question_to_routing():
    ask, asked = grouped_routing([])
    assert leaders_geojson([LEADERS[1]], ACTOR, ask)["features"][0]["properties"]["report_count"] == 0
    assert leaders_geojson([], ACTOR, ask) == {"type": "FeatureCollection", "features": []}
    assert asked == []
