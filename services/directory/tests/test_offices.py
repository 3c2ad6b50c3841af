"""Offices on a real MongoDB-compatible server: validation with Spanish messages,
the tree, versioned edits with author and before/after, roles."""
import pytest

from directory import handlers as h
from directory.exceptions import Conflict, Forbidden, InvalidInput, NotFound

from directory_actors import ADMIN, AGENCY_STAFF, AUDITOR, BLOCK_LEADER, OPERATOR, PUBLIC, SUPERVISOR

DIF = {"id": "dif-leon", "name": "Desarrollo Integral de la Familia (DIF)", "acronym": "DIF",
       "level": "PARAMUNICIPAL", "street": "PLAZA REVOLUCION", "ext_number": "107", "colonia": "SAN JUAN DE DIOS",
       "postal_code": "37004", "city": "León, Gto.", "phones": ["477-215-63-00", "477-215-63-01"],
       "extensions": ["101"], "email": "contacto@dif.leon.gob.mx", "website": "https://dif.leon.gob.mx/",
       "hours": "8:00 AM A 3:00 PM", "person_in_charge": "DIRECTORA GENERAL", "keywords": ["familia"],
       "procedures": ["Credencial de discapacidad"], "location": {"lat": 21.1236, "lon": -101.6801}}


def test_create_keeps_every_field_and_starts_at_version_1(store):
    o = h.create_office(store, SUPERVISOR, DIF)
    assert o["id"] == "dif-leon" and o["version"] == 1 and o["active"] is True
    for k, v in DIF.items():
        if k != "id":
            assert o[k] == v, k
    assert h.get_office(store, OPERATOR, "dif-leon") == o


def test_an_id_is_generated_from_the_acronym_or_name(store):
    o = h.create_office(store, ADMIN, {"name": "Servicio de Administración Tributaria", "acronym": "SAT",
                                      "level": "FEDERAL"})
    assert o["id"].startswith("sat-")
    o = h.create_office(store, ADMIN, {"name": "Atención al Migrante", "level": "MUNICIPAL"})
    assert o["id"].startswith("atencion-al-migrante-")


def test_validation_lists_every_problem_in_spanish_and_stores_nothing(store):
    with pytest.raises(InvalidInput) as e:
        h.create_office(store, SUPERVISOR, {"name": "X", "level": "MUNDIAL", "postal_code": "3700",
                                            "phones": ["llame"], "email": "no-es-correo", "website": "dif.gob",
                                            "extensions": ["12a"], "location": {"lat": 95, "lon": 0}, "color": "rojo"})
    msg = e.value.message
    for part in ("«nombre»", "«nivel de gobierno»: Debe ser uno de: MUNICIPAL", "«código postal»", "«teléfonos[1]»",
                 "«correo electrónico»", "«sitio web»", "«extensiones[1]»", "«ubicación.lat»",
                 "«color»: Campo desconocido"):
        assert part in msg, part
    assert e.value.code == "datos_invalidos"
    assert store.count({}) == 0
    with pytest.raises(InvalidInput):
        h.create_office(store, SUPERVISOR, "no es un objeto")


def test_the_five_levels_are_accepted(store):
    for level in ("MUNICIPAL", "PARAMUNICIPAL", "ESTATAL", "FEDERAL", "OTROS ORGANISMOS"):
        assert h.create_office(store, ADMIN, {"name": f"Oficina {level}", "level": level})["level"] == level


def test_duplicate_id_is_a_conflict(store):
    h.create_office(store, SUPERVISOR, DIF)
    with pytest.raises(Conflict) as e:
        h.create_office(store, SUPERVISOR, DIF)
    assert e.value.code == "oficina_duplicada"


def test_parent_must_exist_and_the_tree_has_no_cycles(store):
    h.create_office(store, SUPERVISOR, DIF)
    with pytest.raises(InvalidInput) as e:
        h.create_office(store, SUPERVISOR, {"name": "Área", "level": "PARAMUNICIPAL", "parent_id": "no-existe"})
    assert e.value.code == "oficina_superior_no_encontrada"
    child = h.create_office(store, SUPERVISOR, {"id": "dif-procuraduria", "name": "Procuraduría Auxiliar",
                                                "level": "PARAMUNICIPAL", "parent_id": "dif-leon"})
    h.create_office(store, SUPERVISOR, {"id": "dif-area", "name": "Área de Adopciones", "level": "PARAMUNICIPAL",
                                        "parent_id": child["id"]})
    with pytest.raises(InvalidInput) as e:
        h.update_office(store, SUPERVISOR, "dif-leon", {"parent_id": "dif-area"}, 1)
    assert e.value.code == "ciclo_en_el_arbol"
    with pytest.raises(InvalidInput):
        h.update_office(store, SUPERVISOR, "dif-leon", {"parent_id": "dif-leon"}, 1)


def test_moving_a_branch_carries_its_descendants(store):
    h.create_office(store, SUPERVISOR, DIF)
    h.create_office(store, SUPERVISOR, {"id": "presidencia", "name": "Presidencia Municipal", "level": "MUNICIPAL"})
    h.create_office(store, SUPERVISOR, {"id": "dif-proc", "name": "Procuraduría", "level": "PARAMUNICIPAL",
                                        "parent_id": "dif-leon"})
    h.create_office(store, SUPERVISOR, {"id": "dif-adop", "name": "Adopciones", "level": "PARAMUNICIPAL",
                                        "parent_id": "dif-proc"})
    h.update_office(store, SUPERVISOR, "dif-proc", {"parent_id": "presidencia"}, 1)
    assert store.get_full("dif-adop")["ancestors"] == ["presidencia", "dif-proc"]
    below = h.search_offices(store, OPERATOR, None, parent_id="presidencia")
    assert {i["id"] for i in below["items"]} == {"dif-proc", "dif-adop"}
    assert h.search_offices(store, OPERATOR, None, parent_id="dif-leon")["total"] == 0


def test_edits_are_versioned_with_author_before_and_after(store):
    h.create_office(store, SUPERVISOR, DIF)
    o = h.update_office(store, ADMIN, "dif-leon", {"hours": "8:00 a 15:00", "phones": ["477 215 6300"]}, 1)
    assert o["version"] == 2 and o["hours"] == "8:00 a 15:00"
    same = h.update_office(store, ADMIN, "dif-leon", {"hours": "8:00 a 15:00"}, 2)
    assert same["version"] == 2  # no change, no version
    history = h.office_history(store, AUDITOR, "dif-leon")
    assert [x["version"] for x in history] == [1, 2]
    assert history[0]["change"] == "created" and history[0]["before"] is None
    assert history[0]["author"] == "supervisor.demo"
    last = history[1]
    assert last["author"] == "admin.demo" and last["change"] == "updated"
    assert last["changed_fields"] == ["phones", "hours"]
    assert last["before"]["hours"] == "8:00 AM A 3:00 PM" and last["after"]["hours"] == "8:00 a 15:00"


def test_a_stale_version_is_a_conflict_and_changes_nothing(store):
    h.create_office(store, SUPERVISOR, DIF)
    h.update_office(store, SUPERVISOR, "dif-leon", {"hours": "9 a 14"}, 1)
    with pytest.raises(Conflict) as e:
        h.update_office(store, ADMIN, "dif-leon", {"hours": "10 a 12"}, 1)
    assert e.value.code == "version_desactualizada"
    assert h.get_office(store, OPERATOR, "dif-leon")["hours"] == "9 a 14"
    assert len(h.office_history(store, ADMIN, "dif-leon")) == 2


def test_a_failed_write_leaves_no_history(store):
    h.create_office(store, SUPERVISOR, DIF)
    doc = store.get_full("dif-leon")
    doc2 = dict(doc, hours="otro", version=2)
    with pytest.raises(Conflict):  # someone else is already at version 2
        store.offices.update_one({"_id": "dif-leon"}, {"$set": {"version": 2}})
        h._save(store, doc2, doc, "x", "updated")
    assert [x["version"] for x in h.office_history(store, ADMIN, "dif-leon")] == [1]


def test_bad_changes_are_rejected(store):
    h.create_office(store, SUPERVISOR, DIF)
    with pytest.raises(InvalidInput):
        h.update_office(store, SUPERVISOR, "dif-leon", {"level": "GALACTICO"}, 1)
    with pytest.raises(InvalidInput):
        h.update_office(store, SUPERVISOR, "dif-leon", {"id": "otra"}, 1)
    with pytest.raises(NotFound):
        h.update_office(store, SUPERVISOR, "nada", {"hours": "x"}, 1)


@pytest.mark.parametrize("actor", [OPERATOR, AGENCY_STAFF, AUDITOR, BLOCK_LEADER, PUBLIC])
def test_only_supervisors_and_admins_maintain(store, actor):
    with pytest.raises(Forbidden):
        h.create_office(store, actor, DIF)
    h.create_office(store, ADMIN, DIF)
    with pytest.raises(Forbidden):
        h.update_office(store, actor, "dif-leon", {"hours": "x"}, 1)
    assert store.get_full("dif-leon")["version"] == 1


def test_history_is_for_supervisors_admins_and_auditors(store):
    h.create_office(store, ADMIN, DIF)
    for actor in (OPERATOR, AGENCY_STAFF, PUBLIC):
        with pytest.raises(Forbidden):
            h.office_history(store, actor, "dif-leon")


def test_an_invalid_actor_is_invalid_input(store):
    with pytest.raises(InvalidInput) as e:
        h.create_office(store, {"username": "x", "role": "admin"}, DIF)
    assert e.value.code == "actor_invalido"
    with pytest.raises(InvalidInput):
        h.search_offices(store, None, "dif")
