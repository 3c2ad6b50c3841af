"""Pure rules of MODINFO (no I/O): normalisation, tokens, ranking, roles, numbers."""
import pytest

from directory import domain
from sacinfra.actor import Actor

from directory_actors import ADMIN, AGENCY_STAFF, AUDITOR, BLOCK_LEADER, OPERATOR, PUBLIC, SUPERVISOR


def test_normalize_drops_accents_case_and_punctuation():
    assert domain.normalize("  Atención  al MIGRANTE, (León)  ") == "atencion al migrante leon"
    assert domain.normalize("Año Ñandú") == "ano nandu"
    assert domain.normalize(None) == ""


def test_tokens_are_prefixes_of_content_words_only():
    f = domain.search_fields({"name": "Sistema de Agua Potable", "acronym": "SAPAL", "keywords": ["fugas"],
                              "procedures": ["Contrato de agua"]})
    assert {"si", "sis", "sistema", "sapal", "sa", "fu", "fugas", "contrato", "ag", "agua"} <= set(f["tokens"])
    assert "de" not in f["tokens"] and "d" not in f["tokens"]
    assert f["name_words"] == ["agua", "potable", "sapal", "sistema"]
    assert f["other_words"] == ["contrato", "fugas"]
    assert f["acronym_norm"] == "sapal"


def test_a_one_letter_word_is_indexed_whole():
    assert domain.prefixes("j") == ["j"]
    assert domain.prefixes("abcdefghijklmnopqrstuvwxyz")[-1] == "abcdefghijklmnopqrst"


def _doc(name, acronym="", keywords=(), procedures=()):
    return domain.search_fields({"name": name, "acronym": acronym, "keywords": list(keywords),
                                 "procedures": list(procedures)})


def test_ranking_exact_name_then_acronym_then_prefix_then_words_then_keywords():
    q = "dif"
    qw = domain.query_words(q)
    assert domain.rank(q, qw, _doc("DIF")) == domain.EXACT_NAME
    assert domain.rank(q, qw, _doc("Desarrollo Integral de la Familia", "DIF")) == domain.ACRONYM
    assert domain.rank(q, qw, _doc("DIF Estatal Guanajuato")) == domain.NAME_PREFIX
    assert domain.rank(q, qw, _doc("Sistema Nacional DIF")) == domain.NAME_WORDS
    assert domain.rank(q, qw, _doc("Procuraduría de la Defensa", keywords=["difusión"])) == domain.KEYWORD
    assert domain.rank(q, qw, _doc("Tesorería")) is None


def test_every_query_word_must_match_a_word_start():
    qw = domain.query_words("agua leon")
    assert domain.rank("agua leon", qw, _doc("Sistema de Agua Potable de León")) == domain.NAME_WORDS
    assert domain.rank("agua leon", qw, _doc("Sistema de Agua Potable de Silao")) is None
    # partial words, accents and case ignored
    assert domain.rank("PROCURAD", domain.query_words("PROCURAD"), _doc("Procuraduría")) == domain.NAME_PREFIX
    # inside a word is not a match (prefix tokens)
    assert domain.rank("raduria", domain.query_words("raduria"), _doc("Procuraduría")) is None


def test_stop_words_are_ignored_unless_alone():
    assert domain.query_words("Oficina de la Mujer") == ["oficina", "mujer"]
    assert domain.query_words("de la") == ["de", "la"]
    assert domain.index_word(["of", "mujeres"]) == "mujeres"


def test_attention_number_is_ten_digits():
    assert domain.attention_number(699845) == "0000699845"
    with pytest.raises(ValueError):
        domain.attention_number(0)
    with pytest.raises(ValueError):
        domain.attention_number(10 ** 10)


@pytest.mark.parametrize("actor,allowed", [
    (OPERATOR, {"search", "print", "public"}),
    (AGENCY_STAFF, {"search", "print", "public"}),
    (SUPERVISOR, {"search", "print", "maintain", "stats", "export", "history", "public"}),
    (ADMIN, {"search", "print", "maintain", "stats", "export", "history", "public"}),
    (AUDITOR, {"search", "stats", "history", "public"}),
    (PUBLIC, {"public"}),
    (BLOCK_LEADER, set()),
    ({"kind": "staff", "username": "x", "role": "new_role"}, set()),
    ({"kind": "citizen", "username": "citizen:1", "role": "citizen", "folio": 1}, set()),
    ({"kind": "key", "username": "api-key:x", "role": "channel_key", "channel": "CHATBOT"}, set()),
])
def test_policy_grants_each_known_role_its_actions_and_nothing_to_others(actor, allowed):
    who = Actor.load(actor)
    actions = {"search", "print", "maintain", "stats", "export", "history", "public"}
    assert {a for a in actions if domain.may(who, a)} == allowed


def test_only_the_named_system_process_maintains():
    assert domain.may(Actor.system_process("directory-demo"), "maintain")
    assert not domain.may(Actor.system_process("other"), "maintain")
    assert not domain.may(Actor.system_process("directory-demo"), "print")


def test_public_view_has_no_internal_fields():
    view = domain.public_view({"id": "x", "name": "N", "extensions": ["12"], "person_in_charge": "DIRECTOR",
                               "phones": ["477 000 0000"], "version": 3})
    assert view == {"id": "x", "name": "N", "phones": ["477 000 0000"]}
