"""The consult and print log (channel, user, time) and its counts for a date range,
grouped by office (detail), total and channel, from pre-aggregated daily counters."""
import base64
import datetime as dt
import io

import openpyxl
import pytest

from directory import handlers as h
from directory.exceptions import Forbidden, InvalidInput, NotFound

from directory_actors import ADMIN, AGENCY_STAFF, AUDITOR, OPERATOR, PUBLIC, SUPERVISOR


@pytest.fixture
def guide(store):
    h.create_office(store, ADMIN, {"id": "sndif", "name": "(SNDIF) SISTEMA NACIONAL PARA EL DESARROLLO INTEGRAL "
                                                      "DE LA FAMILIA", "level": "FEDERAL", "person_in_charge": "TITULAR"})
    h.create_office(store, ADMIN, {"id": "banco", "name": "BANCO DE ALIMENTOS", "level": "OTROS ORGANISMOS"})
    return store


def today() -> str:
    return dt.datetime.now(h.TZ).date().isoformat()


def test_consults_and_prints_are_logged_with_channel_user_and_time(guide):
    o = h.consult_office(guide, OPERATOR, "sndif", "072")
    assert o["person_in_charge"] == "TITULAR"
    h.print_ticket(guide, AGENCY_STAFF, "sndif", "VENTANILLA", "text")
    log = h.consult_log(guide, AUDITOR, today(), today())
    assert log["total"] == 2
    printed, consulted = log["items"]  # newest first
    assert consulted["kind"] == "consulted" and consulted["channel"] == "072" and consulted["user"] == "operator.demo"
    assert printed["kind"] == "printed" and printed["user"] == "agency_staff.demo"
    assert printed["attention_number"] == "0000000001"
    assert dt.datetime.fromisoformat(consulted["at"]).tzinfo is not None
    assert h.consult_log(guide, SUPERVISOR, today(), today(), office_id="banco")["total"] == 0


def test_the_public_guide_counts_as_a_web_consult_without_internal_fields(guide):
    o = h.public_office(guide, PUBLIC, "sndif")
    assert "person_in_charge" not in o and "extensions" not in o
    entry = guide.log.find_one()
    assert entry["channel"] == "WEB" and entry["user"] == "public"
    h.update_office(guide, ADMIN, "banco", {"active": False}, 1)
    with pytest.raises(NotFound):
        h.public_office(guide, PUBLIC, "banco")


def test_counts_grouped_by_detail_total_and_channel(guide):
    for _ in range(3):
        h.consult_office(guide, OPERATOR, "sndif", "072")
    h.consult_office(guide, OPERATOR, "sndif", "VENTANILLA")
    h.consult_office(guide, OPERATOR, "banco", "072")
    for _ in range(2):
        h.print_ticket(guide, OPERATOR, "sndif", "072", "text")
    h.print_ticket(guide, OPERATOR, "banco", "VENTANILLA", "text")
    day = today()
    detail = h.consult_stats(guide, SUPERVISOR, day, day, "detail")
    assert detail["rows"] == [  # by name, accents and punctuation ignored
        {"office_id": "banco", "name": "BANCO DE ALIMENTOS", "level": "OTROS ORGANISMOS", "consulted": 1,
         "printed": 1},
        {"office_id": "sndif", "name": "(SNDIF) SISTEMA NACIONAL PARA EL DESARROLLO INTEGRAL DE LA FAMILIA",
         "level": "FEDERAL", "consulted": 4, "printed": 2}]
    assert detail["total"] == {"consulted": 5, "printed": 3}
    total = h.consult_stats(guide, AUDITOR, day, day, "total")
    assert total["rows"] == [{"offices": 2, "consulted": 5, "printed": 3}]
    channel = h.consult_stats(guide, ADMIN, day, day, "channel")
    assert channel["rows"] == [{"channel": "072", "consulted": 4, "printed": 2},
                               {"channel": "VENTANILLA", "consulted": 1, "printed": 1}]
    searched = h.consult_stats(guide, ADMIN, day, day, "detail", "banco alim")
    assert [r["office_id"] for r in searched["rows"]] == ["banco"]
    csv = h.stats_file(guide, SUPERVISOR, day, day, "channel", fmt="csv")
    assert csv["filename"] == f"modinfo-channel-{day}-{day}.csv" and csv["rows"] == 2
    assert base64.b64decode(csv["content_b64"]).decode("utf-8-sig").splitlines() == [
        "Origen,Consultado,Impreso", "072,4,2", "VENTANILLA,1,1"]
    book = h.stats_file(guide, ADMIN, day, day)
    sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(book["content_b64"]))).active
    assert [c.value for c in sheet[1]] == ["Nombre", "Nivel Gobierno", "Consultado", "Impreso"]
    assert book["media_type"].endswith("sheet") and sheet["A2"].value == "BANCO DE ALIMENTOS"


def test_counts_follow_the_date_range_in_local_days(guide):
    h.consult_office(guide, OPERATOR, "sndif", "072")
    guide.daily.insert_one({"_id": "2023-09-05|banco|072", "day": "2023-09-05", "office_id": "banco",
                            "channel": "072", "consulted": 6, "printed": 3})
    old = h.consult_stats(guide, SUPERVISOR, "2023-09-01", "2023-09-26", "detail")
    assert [(r["office_id"], r["consulted"], r["printed"]) for r in old["rows"]] == [("banco", 6, 3)]
    assert h.consult_stats(guide, SUPERVISOR, "2023-09-06", "2023-09-26")["rows"] == []
    assert h.consult_stats(guide, SUPERVISOR, "2023-01-01", today())["total"] == {"consulted": 7, "printed": 3}


def test_statistics_do_not_scan_the_log(guide):
    h.consult_office(guide, OPERATOR, "sndif", "072")
    guide.log.delete_many({})  # counts come from the daily counters alone
    assert h.consult_stats(guide, SUPERVISOR, today(), today())["total"] == {"consulted": 1, "printed": 0}


def test_an_entry_left_uncounted_by_a_crash_is_counted_later(guide):
    from directory import relay

    entry = h._log_entry("consulted", "banco", "072", "operator.demo", h.now() - dt.timedelta(minutes=5))
    guide.add_log(entry)  # the process died before counting it
    assert relay.count_leftovers(guide) == 1
    assert relay.count_leftovers(guide) == 0
    assert h.consult_stats(guide, SUPERVISOR, "2020-01-01", today())["total"]["consulted"] == 1


def test_statistics_rules(guide):
    for actor in (OPERATOR, AGENCY_STAFF, PUBLIC):
        with pytest.raises(Forbidden):
            h.consult_stats(guide, actor, today(), today())
        with pytest.raises(Forbidden):
            h.consult_log(guide, actor, today(), today())
    with pytest.raises(Forbidden):  # auditors read statistics but do not export them
        h.consult_stats(guide, AUDITOR, today(), today(), for_export=True)
    with pytest.raises(Forbidden):
        h.stats_file(guide, AUDITOR, today(), today())
    with pytest.raises(InvalidInput):
        h.stats_file(guide, ADMIN, today(), today(), fmt="pdf")
    assert h.consult_stats(guide, ADMIN, today(), today(), for_export=True)["rows"] == []
    with pytest.raises(InvalidInput):
        h.consult_stats(guide, SUPERVISOR, "2026-13-01", today())
    with pytest.raises(InvalidInput):
        h.consult_stats(guide, SUPERVISOR, "2026-02-01", "2026-01-01")
    with pytest.raises(InvalidInput):
        h.consult_stats(guide, SUPERVISOR, today(), today(), "origen")
    with pytest.raises(InvalidInput):
        h.consult_office(guide, OPERATOR, "sndif", "072<script>")
    with pytest.raises(Forbidden):
        h.consult_office(guide, PUBLIC, "sndif", "WEB")
