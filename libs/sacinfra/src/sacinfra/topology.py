"""RabbitMQ topology through the management API.

A vhost whose default queue type is quorum (so nameko's durable queues are quorum
queues), a policy giving event queues a delivery limit and a dead-letter exchange,
the dead-letter exchange and queue themselves, and the integration exchange
``sac.integration`` that departments' systems bind their queues to (routing publishes
there through its outbox; see docs/department-subscriber.md). ``python -m sacinfra.topology
setup --vhost sac`` applies it; tests call ``setup_vhost`` for a throwaway vhost.
"""
from __future__ import annotations

import argparse
import os
from urllib.parse import quote, urlparse

import requests

DLX = "sac.dlx"
DLQ = "sac.dead-letter"
POLICY_PATTERN = r"^(evt-|sac\.int\.)"
DEFAULT_DELIVERY_LIMIT = 5
#: durable topic exchange for departments' systems; routing keys ``<agency>.<department>.<event>``
INTEGRATION_EXCHANGE = "sac.integration"


class Management:
    def __init__(self, url: str | None = None, user: str = "guest", password: str = "guest"):
        self.url = (url or os.environ.get("RABBITMQ_MANAGEMENT_URL", "http://127.0.0.1:15672")).rstrip("/")
        self.auth = (os.environ.get("RABBITMQ_USER", user), os.environ.get("RABBITMQ_PASSWORD", password))

    def _req(self, method: str, path: str, **kw):
        r = requests.request(method, self.url + "/api" + path, auth=self.auth, timeout=10, **kw)
        if r.status_code >= 400 and not (method == "DELETE" and r.status_code == 404):
            raise RuntimeError(f"{method} {path}: {r.status_code} {r.text}")
        return r.json() if r.content and r.headers.get("content-type", "").startswith("application/json") else None

    def put(self, path, body=None):
        return self._req("PUT", path, json=body or {})

    def get(self, path):
        return self._req("GET", path)

    def post(self, path, body):
        return self._req("POST", path, json=body)

    def delete(self, path):
        return self._req("DELETE", path)


def q(name: str) -> str:
    return quote(name, safe="")


def setup_vhost(vhost: str, user: str = "guest", delivery_limit: int = DEFAULT_DELIVERY_LIMIT,
                mgmt: Management | None = None) -> None:
    m = mgmt or Management()
    # 3.10 reads "defaultqueuetype"; 3.11+ reads "default_queue_type"
    m.put(f"/vhosts/{q(vhost)}", {"defaultqueuetype": "quorum", "default_queue_type": "quorum",
                                  "description": "SAC (quorum queues by default)"})
    m.put(f"/permissions/{q(vhost)}/{q(user)}", {"configure": ".*", "write": ".*", "read": ".*"})
    m.put(f"/policies/{q(vhost)}/sac-delivery-limit", {
        "pattern": POLICY_PATTERN, "apply-to": "queues", "priority": 0,
        "definition": {"delivery-limit": delivery_limit, "dead-letter-exchange": DLX}})
    m.put(f"/exchanges/{q(vhost)}/{q(DLX)}", {"type": "fanout", "durable": True})
    m.put(f"/queues/{q(vhost)}/{q(DLQ)}", {"durable": True, "arguments": {"x-queue-type": "quorum"}})
    m.post(f"/bindings/{q(vhost)}/e/{q(DLX)}/q/{q(DLQ)}", {"routing_key": ""})
    m.put(f"/exchanges/{q(vhost)}/{q(INTEGRATION_EXCHANGE)}", {"type": "topic", "durable": True})


def delete_vhost(vhost: str, mgmt: Management | None = None) -> None:
    (mgmt or Management()).delete(f"/vhosts/{q(vhost)}")


def queue_info(vhost: str, queue: str, mgmt: Management | None = None) -> dict:
    return (mgmt or Management()).get(f"/queues/{q(vhost)}/{q(queue)}")


def vhost_of(amqp_uri: str) -> str:
    path = urlparse(amqp_uri).path
    return "/" if path in ("", "/") else path.lstrip("/").replace("%2F", "/")


def main(argv=None) -> None:
    p = argparse.ArgumentParser(prog="python -m sacinfra.topology")
    p.add_argument("action", choices=["setup", "delete"])
    p.add_argument("--vhost", default=None, help="default: the vhost of AMQP_URI, else 'sac'")
    p.add_argument("--delivery-limit", type=int, default=DEFAULT_DELIVERY_LIMIT)
    a = p.parse_args(argv)
    vhost = a.vhost or (vhost_of(os.environ["AMQP_URI"]) if os.environ.get("AMQP_URI") else "sac")
    if a.action == "setup":
        setup_vhost(vhost, delivery_limit=a.delivery_limit)
        print(f"topology ready in vhost {vhost}")
    else:
        delete_vhost(vhost)


if __name__ == "__main__":
    main()
