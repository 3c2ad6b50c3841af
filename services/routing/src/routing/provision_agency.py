"""Provision the RabbitMQ user of one agency's systems (through the management HTTP API):

    python -m routing.provision_agency OP --password-file /run/secrets/op-rabbitmq [--vhost sac]
    python -m routing.provision_agency OP --revoke

The user (``agency-op``) may, in the vhost:

- declare, bind, consume and delete only queues (and its own dead-letter exchanges) named
  ``dept.<AGENCY>.…`` (configure/write ``^dept\\.OP\\.``);
- read from ``sac.integration`` (needed to bind to it) and from its own queues, nothing
  else (no ``routing.events``, no RPC queues) and publish nowhere but its own objects;
- bind to ``sac.integration`` only with binding keys of its agency: a topic permission
  with read ``^OP\\.`` (RabbitMQ checks the binding key of ``queue.bind`` on a topic
  exchange against it) and write ``^$``.

Idempotent (PUTs): running it again changes the password. Management credentials:
``RABBITMQ_MANAGEMENT_URL``, ``RABBITMQ_USER``, ``RABBITMQ_PASSWORD``.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from sacinfra.topology import INTEGRATION_EXCHANGE, Management, q, vhost_of

AGENCY_CODE = re.compile(r"^[A-Z0-9]{2,12}$")  # catalog's rule for agency codes


class InvalidAgency(ValueError):
    pass


def username(agency: str) -> str:
    return f"agency-{agency.lower()}"


def queue_prefix(agency: str) -> str:
    return f"dept.{agency}."


def permissions(agency: str) -> dict:
    """Vhost permissions and the topic permission on the integration exchange."""
    if not isinstance(agency, str) or not AGENCY_CODE.match(agency):
        raise InvalidAgency(f"Código de dependencia inválido: {agency!r} (por ejemplo «OP»).")
    own = "^" + re.escape(queue_prefix(agency))
    return {
        "vhost": {"configure": own, "write": own,
                  "read": f"^({re.escape(queue_prefix(agency))}.*|{re.escape(INTEGRATION_EXCHANGE)})$"},
        "topic": {"exchange": INTEGRATION_EXCHANGE, "write": "^$", "read": f"^{re.escape(agency)}\\."},
    }


def provision(agency: str, password: str, vhost: str = "sac", mgmt: Management | None = None,
              user: str | None = None) -> str:
    """Create or update the agency's user (``user`` overrides the name) and its
    permissions; returns the username."""
    if not password or len(password) < 16:
        raise ValueError("La contraseña debe tener al menos 16 caracteres.")
    perms = permissions(agency)
    m = mgmt or Management()
    user = user or username(agency)
    m.put(f"/users/{q(user)}", {"password": password, "tags": ""})
    m.put(f"/permissions/{q(vhost)}/{q(user)}", perms["vhost"])
    m.put(f"/topic-permissions/{q(vhost)}/{q(user)}", perms["topic"])
    return user


def revoke(agency: str, mgmt: Management | None = None) -> None:
    """Delete the agency's user (its connections are closed by the broker)."""
    permissions(agency)  # validates the code
    (mgmt or Management()).delete(f"/users/{q(username(agency))}")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m routing.provision_agency", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("agency", help="agency code, e.g. OP")
    p.add_argument("--password-file", type=Path, help="file whose first line is the password (never on the command line)")
    p.add_argument("--vhost", default=None, help="default: the vhost of AMQP_URI, else 'sac'")
    p.add_argument("--revoke", action="store_true", help="delete the agency's user")
    a = p.parse_args(argv)
    vhost = a.vhost or (vhost_of(os.environ["AMQP_URI"]) if os.environ.get("AMQP_URI") else "sac")
    try:
        if a.revoke:
            revoke(a.agency)
            print(f"user {username(a.agency)} deleted")
            return 0
        if a.password_file is None:
            p.error("--password-file is required (or --revoke)")
        lines = a.password_file.read_text().splitlines()
        user = provision(a.agency, lines[0].strip() if lines else "", vhost)
    except (InvalidAgency, ValueError) as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"user {user} may bind {a.agency}.# on {INTEGRATION_EXCHANGE} to queues {queue_prefix(a.agency)}* "
          f"in vhost {vhost}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
