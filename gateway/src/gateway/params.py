"""Path and query parameters shared by the routes, bounded so that a number no database
column can hold is a 422 (validation), never a 5xx from a service."""
from typing import Annotated

from fastapi import Path, Query

#: PostgreSQL bigint: folios and citizen numbers are bigints
MAX_BIGINT = 2 ** 63 - 1
#: an offset past any real listing is a client error
MAX_OFFSET = 1_000_000

Folio = Annotated[int, Path(ge=1, le=MAX_BIGINT, description="folio del reporte")]
CitizenNumber = Annotated[int, Path(ge=1, le=MAX_BIGINT, description="número de ciudadano")]
Id = Annotated[int, Path(ge=1, le=MAX_BIGINT, description="identificador")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="filas a saltar (paginación)")]
