"""The block-leader roster on a real PostgreSQL database: validation, who may write and
read, contact data only with a reason (and logged), never for auditors, the map list."""
import pytest
import sqlalchemy as sa

from citizens import block_leaders as bl
from citizens import handlers
from citizens.exceptions import Conflict, Forbidden, InvalidInput, NotFound

SUPERVISOR = {"kind": "staff", "username": "sup", "role": "supervisor", "agency": None}
OPERATOR = {"kind": "staff", "username": "op1", "role": "operator", "agency": None}
AUDITOR = {"kind": "staff", "username": "aud", "role": "auditor", "agency": None}
LEADER = {"kind": "staff", "username": "jm", "role": "block_leader", "agency": None}
STAFF = {"kind": "staff", "username": "staff", "role": "agency_staff", "agency": "OP"}


def leader(**kw):
    return {"kind": "manzana", "block": "M-12", "colonia": "Centro", "location": {"lat": 19.1738, "lon": -96.1342},
            "accredited_on": "2023-03-15", "full_name": "Ana Ruiz Pérez", "phone": "229 123 4567",
            "email": "ana@example.mx", "username": "jm.ana"} | kw


def log_rows(uow):
    rows = uow.uow.session.execute(sa.text("SELECT username, block_leader_id, action, reason FROM "
                                       "personal_data_access_log WHERE block_leader_id IS NOT NULL ORDER BY id")).all()
    uow.uow.rollback()
    return rows


def test_create_validates_and_normalises(uow, raw):
    out = bl.create_block_leader(uow, SUPERVISOR, leader())
    assert out["kind"] == "manzana" and out["status"] == "active" and out["version"] == 1
    assert out["contact"] == {"full_name": "Ana Ruiz Pérez", "phone": "2291234567", "email": "ana@example.mx"}
    assert out["location"] == {"lat": 19.1738, "lon": -96.1342} and out["created_by"] == "sup"
    for bad in ({"kind": "colonia"}, {"status": "retired"}, {"location": {"lat": 95, "lon": 0}},
                {"accredited_on": "2999-01-01"}, {"phone": "123"}, {"username": "Con Espacios"},
                {"block": ""}, {"extra": 1}):
        with pytest.raises(InvalidInput):
            bl.create_block_leader(uow, SUPERVISOR, leader(**({"username": None} | bad)))
    with pytest.raises(InvalidInput) as err:
        bl.create_block_leader(uow, SUPERVISOR, leader(username=None, citizen_number=987654))
    assert err.value.code == "ciudadano_no_encontrado"
    with pytest.raises(Conflict) as err:  # one roster entry per login
        bl.create_block_leader(uow, SUPERVISOR, leader(block="M-13"))
    assert err.value.code == "usuario_ya_en_padron"
    ward = bl.create_block_leader(uow, SUPERVISOR, leader(kind="cuartel", block="Cuartel 4", username=None,
                                                          phone=None, email=None))
    assert ward["kind"] == "cuartel" and ward["contact"]["phone"] is None
    assert raw.session.execute(sa.text("SELECT count(*) FROM block_leaders")).scalar() == 2


def test_who_may_write(uow):
    for actor in (OPERATOR, AUDITOR, LEADER, STAFF, {"kind": "staff", "username": "x", "role": "capturista"}):
        with pytest.raises(Forbidden):
            bl.create_block_leader(uow, actor, leader())
    with pytest.raises(InvalidInput) as err:  # breaks the actor contract (no kind, no role)
        bl.create_block_leader(uow, {"username": "x"}, leader())
    assert err.value.code == "actor_invalido"
    created = bl.create_block_leader(uow, {"kind": "staff", "username": "adm", "role": "admin", "agency": None}, leader())
    for actor in (OPERATOR, AUDITOR, LEADER):
        with pytest.raises(Forbidden):
            bl.update_block_leader(uow, actor, created["id"], {"status": "ended"})
        with pytest.raises(Forbidden):
            bl.delete_block_leader(uow, actor, created["id"])
    for actor in (LEADER, STAFF):
        with pytest.raises(Forbidden):
            bl.list_block_leaders(uow, actor)


def test_update_versioning_and_delete(uow):
    created = bl.create_block_leader(uow, SUPERVISOR, leader())
    out = bl.update_block_leader(uow, SUPERVISOR, created["id"], {"status": "suspended", "phone": "229-765-4321"},
                                 version=1)
    assert out["status"] == "suspended" and out["contact"]["phone"] == "2297654321" and out["version"] == 2
    assert out["changed_fields"] == ["phone", "status"]
    with pytest.raises(Conflict) as err:
        bl.update_block_leader(uow, SUPERVISOR, created["id"], {"status": "active"}, version=1)
    assert err.value.code == "version_desactualizada"
    with pytest.raises(InvalidInput):
        bl.update_block_leader(uow, SUPERVISOR, created["id"], {})
    with pytest.raises(InvalidInput):
        bl.update_block_leader(uow, SUPERVISOR, created["id"], {"kind": "barrio"})
    with pytest.raises(NotFound):
        bl.update_block_leader(uow, SUPERVISOR, 999, {"status": "ended"})
    assert bl.delete_block_leader(uow, SUPERVISOR, created["id"])["deleted"] is True
    with pytest.raises(NotFound):
        bl.get_block_leader(uow, SUPERVISOR, created["id"], "consulta")


def test_contact_only_with_a_reason_logged_and_never_for_auditors(uow):
    citizen = handlers.register_citizen(uow, OPERATOR, {
        "given_names": "Ana", "first_surname": "Ruiz", "phones": ["2291234567"], "consent": True,
        "privacy_notice_version": "2026-01", "channel": "072"})["created"]["number"]
    a = bl.create_block_leader(uow, SUPERVISOR, leader(citizen_number=citizen))
    b = bl.create_block_leader(uow, SUPERVISOR, leader(block="M-13", username="jm.beto", colonia="Reforma",
                                                       full_name="Beto Soto"))
    before = len(log_rows(uow))
    # without a reason: no contact data, nothing logged
    page = bl.list_block_leaders(uow, OPERATOR)
    assert page["total"] == 2 and all(i["contact"] is None for i in page["items"])
    assert bl.get_block_leader(uow, OPERATOR, a["id"])["contact"] is None
    assert len(log_rows(uow)) == before
    # with a reason: contact data, one access-log row per leader returned
    page = bl.list_block_leaders(uow, OPERATOR, {"colonia": "centro"}, reason="convocatoria a reunión")
    assert [i["id"] for i in page["items"]] == [a["id"]] and page["items"][0]["contact"]["phone"] == "2291234567"
    assert page["items"][0]["citizen_number"] == citizen
    assert log_rows(uow)[-1] == ("op1", a["id"], "block_leader_read", "convocatoria a reunión")
    got = bl.get_block_leader(uow, SUPERVISOR, b["id"], reason="llamada de seguimiento")
    assert got["contact"]["full_name"] == "Beto Soto"
    # auditors read the roster, never the contact data (even with a reason), and are not logged for it
    n = len(log_rows(uow))
    page = bl.list_block_leaders(uow, AUDITOR, reason="revisión del padrón")
    assert page["total"] == 2 and all(i["contact"] is None for i in page["items"])
    assert len(log_rows(uow)) == n
    with pytest.raises(InvalidInput):  # a reason must be a reason
        bl.list_block_leaders(uow, OPERATOR, reason="x")
    with pytest.raises(InvalidInput):
        bl.list_block_leaders(uow, OPERATOR, {"sex": "f"})
    with pytest.raises(InvalidInput):
        bl.list_block_leaders(uow, OPERATOR, {"colonia": "cen\x00tro"})
    # filters
    assert bl.list_block_leaders(uow, OPERATOR, {"username": "jm.beto"})["total"] == 1
    assert bl.list_block_leaders(uow, OPERATOR, {"kind": "cuartel"})["total"] == 0


def test_active_leaders_for_the_map_have_no_personal_data(uow):
    a = bl.create_block_leader(uow, SUPERVISOR, leader())
    b = bl.create_block_leader(uow, SUPERVISOR, leader(block="M-2", username="jm.b"))
    bl.update_block_leader(uow, SUPERVISOR, b["id"], {"status": "ended"})
    rows = bl.active_block_leaders(uow, AUDITOR)
    assert [r["id"] for r in rows] == [a["id"]]
    assert set(rows[0]) == {"id", "kind", "block", "colonia", "lat", "lon", "status", "username"}
    for who in (STAFF, LEADER):  # the map is the roster's: those who may not read it get nothing
        with pytest.raises(Forbidden) as err:
            bl.active_block_leaders(uow, who)
        assert err.value.code == "prohibido"
