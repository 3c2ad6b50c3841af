"""Search by name, acronym, keyword or trámite (accents, case and partial words ignored,
ranked, filtered by level and parent) and the tree with expand/collapse, on secantusdb."""
import pytest

from directory import handlers as h
from directory.exceptions import Forbidden, InvalidInput
from directory.search_index import SearchIndex

from directory_actors import ADMIN, AUDITOR, BLOCK_LEADER, OPERATOR, PUBLIC

OFFICES = [
    {"id": "dif", "name": "DIF", "level": "OTROS ORGANISMOS"},
    {"id": "dif-leon", "name": "Desarrollo Integral de la Familia (DIF)", "acronym": "DIF", "level": "PARAMUNICIPAL",
     "extensions": ["101"], "person_in_charge": "DIRECTORA GENERAL"},
    {"id": "dif-estatal", "name": "DIF Estatal Guanajuato", "level": "ESTATAL"},
    {"id": "sndif", "name": "Sistema Nacional DIF", "acronym": "SNDIF", "level": "FEDERAL"},
    {"id": "defensoria", "name": "Defensoría de Oficio", "level": "ESTATAL", "keywords": ["difusión de derechos"]},
    {"id": "sapal", "name": "Sistema de Agua Potable y Alcantarillado de León", "acronym": "SAPAL",
     "level": "PARAMUNICIPAL", "procedures": ["Contrato de agua potable", "Reporte de fugas"]},
    {"id": "sapal-cobranza", "name": "Cobranza", "level": "PARAMUNICIPAL", "parent_id": "sapal"},
    {"id": "sapal-cobranza-conv", "name": "Convenios de pago", "level": "PARAMUNICIPAL",
     "parent_id": "sapal-cobranza"},
    {"id": "migrante", "name": "Atención al Migrante y sus Familias", "level": "MUNICIPAL", "keywords": ["migración"]},
    {"id": "viejo", "name": "Oficina del DIF cerrada", "level": "MUNICIPAL", "active": False},
]


@pytest.fixture
def guide(store):
    for o in OFFICES:
        h.create_office(store, ADMIN, o)
    return store


@pytest.fixture(params=["memory", "database"])
def search(request):
    """``search(store, actor, query, **filters)`` through the service's in-memory mirror
    and through the database's ``tokens`` index: both answer the same."""
    index = SearchIndex() if request.param == "memory" else None

    def run(store, actor, query=None, **kw):
        return h.search_offices(store, actor, query, index=index, **kw)
    run.index = index
    return run


def ids(result):
    return [i["id"] for i in result["items"]]


def test_ranked_exact_name_acronym_prefix_words_keyword(guide, search):
    r = search(guide, OPERATOR, "dif")
    assert ids(r) == ["dif", "dif-leon", "dif-estatal", "sndif", "defensoria"]
    assert [i["match"] for i in r["items"]] == ["nombre", "siglas", "inicio del nombre", "nombre",
                                                "palabra clave o trámite"]
    assert r["total"] == 5


@pytest.mark.parametrize("query,expected", [
    ("DESARROLLO integral", "dif-leon"), ("atencion migrante", "migrante"), ("ATENCIÓN", "migrante"),
    ("migracion", "migrante"), ("fugas", "sapal"), ("contrato agua", "sapal"), ("sapal", "sapal"),
    ("alcantar", "sapal"), ("Agua Potable León", "sapal"),
])
def test_accent_and_case_insensitive_partial_words(guide, query, expected, search):
    assert ids(search(guide, OPERATOR, query))[0] == expected


def test_every_word_must_match(guide, search):
    assert ids(search(guide, OPERATOR, "agua familia")) == []
    assert ids(search(guide, OPERATOR, "tegral")) == []  # not the middle of a word


def test_filters_by_level_and_parent(guide, search):
    assert ids(search(guide, OPERATOR, "dif", level="FEDERAL")) == ["sndif"]
    assert set(ids(search(guide, OPERATOR, None, parent_id="sapal"))) == {"sapal-cobranza",
                                                                                     "sapal-cobranza-conv"}
    assert ids(search(guide, OPERATOR, "convenios", parent_id="sapal")) == ["sapal-cobranza-conv"]
    assert ids(search(guide, OPERATOR, "convenios", parent_id="dif-leon")) == []
    with pytest.raises(InvalidInput):
        search(guide, OPERATOR, "dif", level="MUNDIAL")


def test_inactive_offices_only_when_asked_and_never_to_the_public(guide, search):
    assert "viejo" not in ids(search(guide, OPERATOR, "cerrada"))
    assert ids(search(guide, OPERATOR, "cerrada", include_inactive=True)) == ["viejo"]
    assert ids(search(guide, PUBLIC, "cerrada", include_inactive=True)) == []


def test_without_query_every_office_by_name_paginated(guide, search):
    first = search(guide, OPERATOR, None, limit=3)
    assert first["total"] == 9 and len(first["items"]) == 3
    second = search(guide, OPERATOR, "", limit=3, offset=3)
    assert not set(ids(first)) & set(ids(second))
    with pytest.raises(InvalidInput):
        search(guide, OPERATOR, "dif", limit=0)
    with pytest.raises(InvalidInput):
        search(guide, OPERATOR, "x" * 201)


def test_public_search_has_no_internal_fields(guide, search):
    item = next(i for i in search(guide, PUBLIC, "desarrollo")["items"] if i["id"] == "dif-leon")
    assert "extensions" not in item and "person_in_charge" not in item and "version" not in item
    staff_item = search(guide, OPERATOR, "desarrollo")["items"][0]
    assert staff_item["extensions"] == ["101"] and staff_item["person_in_charge"] == "DIRECTORA GENERAL"


def test_roles_without_the_guide_are_refused(guide, search):
    with pytest.raises(Forbidden):
        search(guide, BLOCK_LEADER, "dif")
    with pytest.raises(Forbidden):
        h.office_tree(guide, PUBLIC)


def test_tree_collapsed_expanded_and_open_branches(guide):
    collapsed = h.office_tree(guide, OPERATOR, "none")
    sapal = next(n for n in collapsed["roots"] if n["id"] == "sapal")
    assert sapal["children_count"] == 1 and sapal["children"] == [] and not sapal["expanded"]
    assert collapsed["total"] == 9
    assert "sapal-cobranza" not in [n["id"] for n in collapsed["roots"]]
    expanded = h.office_tree(guide, AUDITOR, "all")
    sapal = next(n for n in expanded["roots"] if n["id"] == "sapal")
    assert sapal["children"][0]["id"] == "sapal-cobranza"
    assert sapal["children"][0]["children"][0]["id"] == "sapal-cobranza-conv"
    one = h.office_tree(guide, OPERATOR, "none", expanded=["sapal"], index=SearchIndex())
    sapal = next(n for n in one["roots"] if n["id"] == "sapal")
    assert sapal["expanded"] and sapal["children"][0]["children"] == []
    by_level = h.office_tree(guide, OPERATOR, "all", level="ESTATAL")
    assert {n["id"] for n in by_level["roots"]} == {"dif-estatal", "defensoria"}
    with pytest.raises(InvalidInput):
        h.office_tree(guide, OPERATOR, "some")


def test_the_in_memory_mirror_follows_every_change(guide):
    index = SearchIndex()
    assert [i["id"] for i in h.search_offices(guide, OPERATOR, "tesoreria", index=index)["items"]] == []
    h.create_office(guide, ADMIN, {"id": "tesoreria", "name": "Tesorería Municipal", "level": "MUNICIPAL"})
    assert [i["id"] for i in h.search_offices(guide, OPERATOR, "tesoreria", index=index)["items"]] == ["tesoreria"]
    h.update_office(guide, ADMIN, "tesoreria", {"name": "Hacienda Municipal"}, 1)
    assert h.search_offices(guide, OPERATOR, "tesoreria", index=index)["total"] == 0
    assert h.search_offices(guide, OPERATOR, "hacienda", index=index)["total"] == 1
    h.update_office(guide, ADMIN, "sapal-cobranza", {"parent_id": "tesoreria"}, 1)  # a branch moves
    below = h.search_offices(guide, OPERATOR, None, parent_id="tesoreria", index=index)
    assert {i["id"] for i in below["items"]} == {"sapal-cobranza", "sapal-cobranza-conv"}
    tree = h.office_tree(guide, OPERATOR, "all", index=index)
    assert [c["id"] for c in next(n for n in tree["roots"] if n["id"] == "tesoreria")["children"]] == ["sapal-cobranza"]
