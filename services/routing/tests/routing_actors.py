"""The staff actors routing's tests act as (contracts/actor): one definition for every
test module. OP and SIAP are agency staff of a department each; the others see every
agency."""
OP = {"kind": "staff", "username": "agency_staff", "role": "agency_staff", "agency": "OP", "department": "OP-ALUMBRADO"}
SIAP = {"kind": "staff", "username": "siap", "role": "agency_staff", "agency": "SIAP", "department": "SIAP-RECOLECCION"}
SUPERVISOR = {"kind": "staff", "username": "supervisor", "role": "supervisor", "agency": None, "department": None}
AUDITOR = {"kind": "staff", "username": "auditor", "role": "auditor", "agency": None, "department": None}
OPERATOR = {"kind": "staff", "username": "operator", "role": "operator", "agency": None, "department": None}
