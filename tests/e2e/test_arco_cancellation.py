"""THE CANARY TEST: an ARCO cancellation leaves no trace of the person anywhere in the platform.

A citizen is registered with a unique canary name and phone (also in their address and
email), rectified once (so the change history holds old values), files reports whose
description and references carry the name and the phone, is read through the API (so
access logs exist), searched, opposes surveys, writes from their WhatsApp number (tied
to them by the front desk: the channel's own datastore holds it, and the ARCO access
document shows it), and gets an ARCO access document. Once the
reports are routed and counted, a supervisor cancels the citizen. When the cancellation
has propagated, EVERY database of this platform (each ``<prefix>_*``: every row of every
table, as text), every queue of its vhost (messages fetched and requeued), the directory's
MongoDB store and the services' log files are searched: neither the canary name (any case,
with or without accents) nor the phones appear. The reports stay countable."""
import json
import random
import re
import string
import unicodedata

import psycopg
import pytest
import requests

from sacinfra import testing

pytestmark = pytest.mark.e2e

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
MGMT = "http://127.0.0.1:15672/api"
ERASED = "[Datos personales suprimidos por cancelación ARCO]"


def plain(text: str) -> str:
    """Lower case, accents off: what the canary is searched in."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def digits_only(text: str) -> str:
    return re.sub(r"[\s\-\.\(\)/]", "", text)


def wait_for(check, what: str):
    """This test's waits: up to 60 s, polled every 0.3 s (sacinfra.testing.wait_until)."""
    return testing.wait_until(check, timeout=60.0, interval=0.3, what=what)


# --------------------------------------------------------------------------- where to look

def database_texts(prefix: str) -> dict[str, str]:
    """Every row of every table of every ``<prefix>_*`` database, as text (one per database)."""
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        names = [r[0] for r in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                                            (prefix.replace("_", r"\_") + r"\_%",))]
    out = {}
    for name in names:
        chunks = []
        with psycopg.connect(f"host=127.0.0.1 port=5432 user=postgres dbname={name}", autocommit=True) as conn:
            tables = conn.execute("""
                SELECT table_schema, table_name FROM information_schema.tables
                WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
                ORDER BY 1, 2""").fetchall()
            for schema, table in tables:
                rows = conn.execute(f'SELECT t::text FROM "{schema}"."{table}" t').fetchall()
                chunks.append(f"## {schema}.{table} ({len(rows)})\n" + "\n".join(r[0] for r in rows))
        out[name] = "\n".join(chunks)
    return out


def queue_texts(vhost: str) -> dict[str, str]:
    """The messages of every queue of the vhost (fetched and requeued)."""
    auth = ("guest", "guest")
    queues = requests.get(f"{MGMT}/queues/{vhost}", auth=auth, timeout=10).json()
    out = {}
    for q in queues:
        count = q.get("messages", 0) or 0
        if not count:
            out[q["name"]] = ""
            continue
        r = requests.post(f"{MGMT}/queues/{vhost}/{requests.utils.quote(q['name'], safe='')}/get", auth=auth,
                          json={"count": count + 10, "ackmode": "reject_requeue_true", "encoding": "auto",
                                "truncate": 50_000_000}, timeout=30)
        assert r.status_code == 200, r.text
        out[q["name"]] = "\n".join(json.dumps(m, ensure_ascii=False) for m in r.json())
    return out


def mongo_texts(platform) -> dict[str, str]:
    from pymongo import MongoClient

    client = MongoClient("127.0.0.1", platform.mongo_port, directConnection=True, serverSelectionTimeoutMS=5000)
    try:
        db = client[platform.db_name("directory")]
        return {name: "\n".join(json.dumps(d, default=str, ensure_ascii=False) for d in db[name].find())
                for name in db.list_collection_names()}
    finally:
        client.close()


def log_texts(platform) -> dict[str, str]:
    """The services' logs; not the Graph API stand-in's, which stands for Meta's side (what
    WhatsApp itself received: the platform cannot erase the provider's copy)."""
    return {p.name: p.read_text(errors="replace") for p in platform.log_dir.glob("*.log") if p.name != "graph-api.log"}


def whatsapp_says(platform, number: str, text: str) -> None:
    """A signed webhook delivery from ``number``, as Meta sends it (the runner's dev secret)."""
    import hashlib
    import hmac
    body = json.dumps({"entry": [{"changes": [{"value": {"messages": [
        {"id": f"wamid.{random.getrandbits(64):x}", "from": number, "type": "text", "text": {"body": text}}]}}]}]}).encode()
    r = requests.post(f"http://127.0.0.1:{platform.ports['whatsapp_webhook']}/webhook", data=body, timeout=30,
                      headers={"X-Hub-Signature-256": "sha256=" + hmac.new(b"dev-app-secret", body,
                                                                            hashlib.sha256).hexdigest()})
    assert r.status_code == 200, r.text


def leaks(texts: dict[str, str], names: list[str], phones: list[str]) -> list[str]:
    found = []
    for where, text in texts.items():
        flat = plain(text)
        bare = digits_only(text)
        found += [f"{where}: «{n}»" for n in names if n in flat]
        found += [f"{where}: «{p}»" for p in phones if p in bare]
    return found


# --------------------------------------------------------------------------- the test

def test_cancellation_leaves_no_trace_of_the_canary(platform, subscribe, contracts, login):
    base = platform.gateway_url
    citizens_events = subscribe(platform.amqp_uri, "citizens.events", "#")
    op, sup = login(base, "operator"), login(base, "supervisor")
    suffix = "".join(random.choices(string.ascii_lowercase, k=5))
    surname = f"Canarioxq{suffix}"                     # e.g. «Canarioxqabcde»
    given = "Zacarías"
    phone, phone2 = (f"229{random.randint(1000000, 9999999)}" for _ in range(2))
    names = [plain(surname), plain(f"{given} {surname}")]  # searched without accents, any case
    phones = [phone, phone2]
    shown_phone = f"({phone[:3]}) {phone[3:6]}-{phone[6:]}"

    # -- the citizen: registered, rectified (the history holds the old phone), searched, read
    r = requests.post(f"{base}/v1/citizens", headers=op, timeout=10, json={
        "given_names": given, "first_surname": surname.upper(), "second_surname": "Ñúñez",
        "sex": "male", "birth_date": "1971-02-03", "phones": [shown_phone],
        "email": f"{surname.lower()}@example.mx",
        "address": {"colonia": "Reforma", "street": f"Callejón {surname}", "number": "77",
                    "postal_code": "91919", "references": f"casa azul de {given} {surname}"},
        "consent": True, "privacy_notice_version": "2026-01", "channel": "072"})
    assert r.status_code == 201, r.text
    number = r.json()["number"]
    r = requests.patch(f"{base}/v1/citizens/{number}", headers=op, timeout=10,
                       json={"reason": "cambió de número de celular", "phones": [phone2],
                             "given_names": "Zacarías José"})
    assert r.status_code == 200 and r.json()["changed_fields"] == ["given_names", "phones"], r.text
    why = {"reason": "llamada al 072 para levantar un reporte"}
    r = requests.get(f"{base}/v1/citizens", headers=op, params={"q": surname.lower()} | why, timeout=10)
    assert [i["number"] for i in r.json()["items"]] == [number], r.text
    assert requests.get(f"{base}/v1/citizens/{number}", headers=op, params=why, timeout=10).status_code == 200
    r = requests.post(f"{base}/v1/citizens/{number}/opposition", headers=op, timeout=10,
                      json={"scopes": ["surveys"], "reason": "no desea encuestas"})
    assert r.status_code == 200 and r.json()["added"] == ["surveys"], r.text

    # -- a channel: the front desk ties the citizen's WhatsApp number to them, and they write from it
    from sacinfra.rpcpool import RpcPool
    wa_number = f"521{phone2}"
    pool = RpcPool({"AMQP_URI": platform.amqp_uri}, size=1)
    try:
        with pool.proxy() as rpc:
            rpc.whatsapp.link_citizen({"kind": "staff", "username": "operator", "role": "operator"}, wa_number, number)
    finally:
        pool.close()
    whatsapp_says(platform, wa_number, "hola")

    # -- reports with the canary inside the description and the references
    before = requests.get(f"{base}/v1/stats/summary", timeout=10).json()["total"]
    folios = []
    for i, petition in enumerate(("OP-LAMPARA APAGADA", "OP-LAMPARA APAGADA")):
        r = requests.post(f"{base}/v1/reports", headers=op | {"Idempotency-Key": f"canary-{suffix}-{i}"}, timeout=10,
                          json={"petition_type": petition, "channel": "072",
                                "description": f"Lámpara apagada; reporta {given} {surname}, tel. {shown_phone}",
                                "location": {"lat": 19.17 + i / 1000, "lon": -96.13, "colonia": "Reforma",
                                             "street": "Madero", "number": "77",
                                             "references": f"frente a la casa de {surname.upper()} ({phone2})"},
                                "citizen_number": number})
        assert r.status_code == 201, r.text
        folios.append(r.json()["folio"])
    for folio in folios:  # read through the API; routed; counted
        r = requests.get(f"{base}/v1/reports/{folio}", headers=sup, timeout=10)
        assert r.status_code == 200 and surname in r.json()["description"]
        wait_for(lambda f=folio: requests.get(f"{base}/v1/reports/{f}/assignment", headers=sup,
                                              timeout=10).status_code == 200, what=f"folio {folio} routed")
    wait_for(lambda: requests.get(f"{base}/v1/stats/summary", timeout=10).json()["total"] >= before + 2,
             what="reports counted")
    r = requests.post(f"{base}/v1/reports/{folios[0]}/interventions", headers=sup, timeout=10,
                      json={"text": "Se turnó a la cuadrilla nocturna"})
    assert r.status_code == 201, r.text

    # -- ARCO access: one document with what each service holds
    r = requests.get(f"{base}/v1/citizens/{number}/arco", headers=sup,
                     params={"reason": "solicitud ARCO de acceso 76/2026"}, timeout=30)
    assert r.status_code == 200, r.text
    doc = r.json()["services"]
    assert doc["citizens"]["record"]["phones"] == [phone2]
    assert [c["kind"] for c in doc["citizens"]["changes"]] == ["rectification", "opposition"]
    assert [x["folio"] for x in doc["intake"]["reports"]] == folios
    assert all(surname in x["description"] for x in doc["intake"]["reports"])
    assert [x["folio"] for x in doc["routing"]["reports"]] == folios
    assert all(x["assignment"]["status"] == "captured" for x in doc["routing"]["reports"])
    assert [i["text"] for i in doc["routing"]["reports"][0]["interventions"]] == ["Se turnó a la cuadrilla nocturna"]
    assert [o["scope"] for o in doc["surveys"]["opt_outs"]] == ["surveys"]
    assert r.json()["incomplete_sources"] == []
    [wa] = doc["channels"]["whatsapp"]["contacts"]  # the channel answers for its own data
    assert (wa["address"], wa["citizen_number"]) == (wa_number, number) and wa["messages"], wa
    assert {"citizen.registered", "citizen.rectified", "citizen.opposed"} <= {
        a["action"] for a in doc["gateway"]["audit_log"]}
    # only supervisors and admins; a reason is required
    assert requests.get(f"{base}/v1/citizens/{number}/arco", headers=op, params=why, timeout=10).status_code == 403
    assert requests.get(f"{base}/v1/citizens/{number}/arco", headers=sup, timeout=10).status_code == 422

    # the canary is really there before the cancellation (the search below can see it)
    assert leaks(database_texts(platform.prefix), names, phones)

    # -- cancellation (operators may not; a reason is required)
    assert requests.post(f"{base}/v1/citizens/{number}/cancel", headers=op, json={"reason": "solicitud ARCO"},
                         timeout=10).status_code == 403
    r = requests.post(f"{base}/v1/citizens/{number}/cancel", headers=sup, json={}, timeout=10)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    r = requests.post(f"{base}/v1/citizens/{number}/cancel", headers=sup,
                      json={"reason": "solicitud ARCO de cancelación 77/2026"}, timeout=10)
    assert r.status_code == 200 and r.json()["already_cancelled"] is False, r.text
    r = requests.post(f"{base}/v1/citizens/{number}/cancel", headers=sup, json={"reason": "repetida"}, timeout=10)
    assert r.status_code == 200 and r.json()["already_cancelled"] is True

    # -- propagation: intake erased the reports' personal data, surveys opted the number out
    for folio in folios:
        wait_for(lambda f=folio: requests.get(f"{base}/v1/reports/{f}", headers=sup, timeout=10).json()["description"] == ERASED,
                 what=f"folio {folio} erased")
    r = requests.get(f"{base}/v1/reports/{folios[0]}", headers=sup, timeout=10).json()
    assert r["location"]["references"] is None and r["location"]["number"] is None
    assert r["location"]["colonia"] == "REFORMA" and r["petition_type"] == "OP-LAMPARA APAGADA"
    # the number names nobody now: a new report with it is refused, nothing stored
    r = requests.post(f"{base}/v1/reports", headers=op, timeout=10, json={
        "petition_type": "OP-LAMPARA APAGADA", "channel": "072", "description": "Otra lámpara",
        "location": {"lat": 19.17, "lon": -96.13, "colonia": "Reforma", "street": "Madero"},
        "citizen_number": number})
    assert r.status_code == 422 and r.json()["code"] == "ciudadano_cancelado", r.text

    def surveys_cancelled():
        d = requests.get(f"{base}/v1/citizens/{number}/arco", headers=sup,
                         params={"reason": "verificación de la cancelación"}, timeout=30).json()
        return d if "cancelled" in {o["scope"] for o in d["services"]["surveys"]["opt_outs"]} else None
    after = wait_for(surveys_cancelled, what="surveys opt-out")["services"]
    after = wait_for(lambda: (lambda d: d if d["services"]["channels"]["whatsapp"]["contacts"][0]["erased_at"] else None)(
        requests.get(f"{base}/v1/citizens/{number}/arco", headers=sup, params={"reason": "verificación del canal"},
                     timeout=30).json()), what="whatsapp contact erased")["services"]
    assert after["channels"]["whatsapp"]["contacts"][0]["address"] is None
    assert after["citizens"]["record"]["cancelled_at"] and after["citizens"]["record"]["phones"] == []
    assert all(x["personal_data_erased"] for x in after["intake"]["reports"])
    # the reports still count
    assert requests.get(f"{base}/v1/stats/summary", timeout=10).json()["total"] >= before + 2
    # the name no longer finds anybody
    r = requests.get(f"{base}/v1/citizens", headers=op, params={"q": surname.lower()} | why, timeout=10)
    assert r.json()["items"] == []
    # every relay has published what the cancellation wrote (nothing waits in an outbox)
    def outboxes_drained():
        with psycopg.connect(f"host=127.0.0.1 port=5432 user=postgres dbname={platform.db_name('citizens')}") as c:
            return c.execute("SELECT count(*) FROM outbox WHERE published_at IS NULL").fetchone()[0] == 0
    wait_for(outboxes_drained, what="citizens outbox drained")

    # what citizens really published matches contracts/ and carries numbers only
    kinds = wait_for(lambda: (lambda k: k if {"citizen_opposed", "citizen_cancelled"} <= set(k) else None)(
        [m["event_type"] for m in list(citizens_events.messages)]), what="citizens events")
    assert kinds.count("citizen_cancelled") == 1 and kinds.count("citizen_opposed") == 1
    for envelope in list(citizens_events.messages):
        contracts.validate(envelope)
    citizens_events.close()

    # -- search everywhere
    databases = database_texts(platform.prefix)
    assert {platform.db_name(s) for s in ("citizens", "intake", "routing", "surveys", "stats", "gateway",
                                          "catalog")} <= set(databases)
    assert all(t.count("\n") > 0 for t in databases.values())
    queues = queue_texts(platform.prefix)
    assert any(name.startswith("evt-citizens-citizen_cancelled--") for name in queues)
    found = (leaks(databases, names, phones) + leaks({f"queue {k}": v for k, v in queues.items()}, names, phones)
             + leaks({f"mongo {k}": v for k, v in mongo_texts(platform).items()}, names, phones)
             + leaks({f"log {k}": v for k, v in log_texts(platform).items()}, names, phones))
    assert found == [], "the canary survived in: " + "; ".join(found)
    # ...while the citizen number, the folios and the cancellation's who/when/why remain
    citizens_db = databases[platform.db_name("citizens")]
    assert "solicitud ARCO de cancelación 77/2026" in citizens_db
    assert f"citizen:{number}" in databases[platform.db_name("gateway")]
