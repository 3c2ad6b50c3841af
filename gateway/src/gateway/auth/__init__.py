"""Staff users, roles and tokens. What other routes use:

- ``CurrentUser``: ``Annotated[User, Depends(current_user)]`` (401 without a valid token)
- ``require_roles(*roles)``: a dependency returning the user, 403 for another role
- ``agency_scope(user)`` / ``department_scope(user)``: None (all) or the code the user is limited to
- ``audit_event(request, action, target=..., detail=...)``: record a change in the audit log
- ``StaffOrKey`` / ``staff_or_key(*roles, scopes=..., kinds=...)``: a staff user or a partner
  API key (``X-API-Key``), as a ``Principal`` (``.user`` or ``.key``, ``.name``, ``.actor()``)
- ``actor_of(user | principal | key)``: the actor dict services receive (the one builder);
  ``PUBLIC``, ``system_actor(name)``, ``citizen_actor(folio)`` for the other kinds
"""
from .apikeys import PUBLIC, ApiKey, Principal, actor_of, citizen_actor, system_actor
from .deps import Auth, CurrentUser, StaffOrKey, audit_event, current_user, require_roles, staff_or_key
from .model import Role, User, agency_scope, department_scope

__all__ = ["PUBLIC", "citizen_actor", "system_actor", "ApiKey", "Auth", "CurrentUser", "Principal", "Role", "StaffOrKey", "User", "actor_of",
           "agency_scope", "audit_event", "current_user", "department_scope", "require_roles", "staff_or_key"]
