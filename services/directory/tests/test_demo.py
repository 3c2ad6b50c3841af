"""The demo guide: at least 200 valid offices across the five levels, loaded
idempotently through the maintenance use case, with no person's name."""
from collections import Counter

from directory import demo, domain, handlers as h

from directory_actors import OPERATOR


def test_demo_guide_loads_once_and_again_changes_nothing(store):
    first = demo.load(store)
    assert first["created"] >= 200 and first["existing"] == 0
    levels = Counter(d["level"] for d in store.find({}, {"level": 1}))
    assert set(levels) == set(domain.LEVELS) and min(levels.values()) >= 15
    again = demo.load(store)
    assert again == {"created": 0, "existing": first["created"]}
    assert {h_["author"] for h_ in h.office_history(store, {"kind": "staff", "username": "a", "role": "admin"},
                                                    "dif-leon")} == {"system:directory-demo"}


def test_demo_guide_is_searchable_as_the_seed_shows(store):
    demo.load(store)
    r = h.search_offices(store, OPERATOR, "DIF")["items"]
    assert [i["id"] for i in r[:2]] == ["dif-leon", "dif-estatal"]
    assert "sndif" in [i["id"] for i in r]
    assert {i["id"] for i in h.search_offices(store, OPERATOR, "predial")["items"]} >= {
        "tesoreria", "tesoreria-direccion-de-impuestos-inmobiliarios-y-catastro"}
    assert h.search_offices(store, OPERATOR, "sapal")["items"][0]["id"] == "sapal"
    tree = h.office_tree(store, OPERATOR, "none")
    assert next(n for n in tree["roots"] if n["id"] == "presidencia")["children_count"] >= 14


def test_person_in_charge_is_always_a_job_title():
    titles = {o["person_in_charge"] for o in demo.offices()}
    assert all(t == t.upper() and t for t in titles)
    assert all(o["street"] for o in demo.offices())
