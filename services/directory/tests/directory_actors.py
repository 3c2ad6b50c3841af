"""Actors of every role, as the gateway sends them (contracts/actor)."""


def staff(role: str, **extra) -> dict:
    return {"kind": "staff", "username": f"{role}.demo", "role": role} | extra


OPERATOR = staff("operator")
SUPERVISOR = staff("supervisor")
ADMIN = staff("admin")
AUDITOR = staff("auditor")
AGENCY_STAFF = staff("agency_staff", agency="OP")
BLOCK_LEADER = staff("block_leader")
PUBLIC = {"kind": "public", "username": "public", "role": "public"}
