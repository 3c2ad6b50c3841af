"""Request and response models of the public API (they make the OpenAPI document)."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator
from pydantic.fields import FieldInfo

from .params import MAX_BIGINT


class LocationIn(BaseModel):
    """A point and the address; without a point (a call to 072), colonia and street alone:
    lat and lon come both or neither."""
    model_config = ConfigDict(extra="forbid")
    lat: float | None = Field(default=None, ge=-90, le=90, examples=[21.1221])
    lon: float | None = Field(default=None, ge=-180, le=180, examples=[-101.6824])
    colonia: str = Field(min_length=1, max_length=200, examples=["CENTRO"])
    street: str = Field(min_length=1, max_length=200, examples=["MADERO 100"])
    number: str | None = Field(default=None, max_length=50)
    references: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _both_or_neither(self):
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat y lon van juntas: indique ambas o ninguna")
        return self


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "petition_type": "OP-LAMPARA APAGADA", "channel": "072",
        "description": "Lámpara apagada frente al número 100",
        "location": {"lat": 21.1221, "lon": -101.6824, "colonia": "CENTRO", "street": "MADERO 100"},
        "citizen_number": None}]})
    petition_type: str = Field(min_length=1, max_length=120)
    channel: str = Field(min_length=1, max_length=60)
    description: str = Field(min_length=1, max_length=4000)
    location: LocationIn
    citizen_number: int | None = Field(default=None, ge=1, le=MAX_BIGINT)


class ReportCreated(BaseModel):
    folio: int
    due_at: str
    tracking_token: str
    status: str
    petition_type: str
    agency: str
    department: str
    created_at: str


class ReportOut(BaseModel):
    folio: int
    status: str
    petition_type: str
    channel: str
    agency: str
    department: str
    created_at: str
    due_at: str
    location: dict
    description: str
    citizen_number: int | None = None
    traffic_light: str | None = None
    history: list[dict] = []
    assigned: bool = Field(default=True, description="false mientras el área de turnado aún no lo asigna "
                                                     "(recién capturado)")


class Summary(BaseModel):
    total: int
    captured: int
    in_progress: int
    done: int
    not_viable: int
    duplicates: int = 0
    most_demanded: dict | None


#: the version a PATCH read (a body field, or the If-Match header)
Version = (int | None, Field(default=None, ge=1, description="la versión que leyó (o el encabezado If-Match)"))


def patch_of(model: type[BaseModel], name: str, example: dict, *, without: tuple[str, ...] = (),
             **extra) -> type[BaseModel]:
    """The PATCH body of ``model``: its fields with their constraints, each optional (what
    is omitted is kept: ``model_dump(exclude_unset=True)``) and null only where ``model``
    admits null, so a field that may not be empty is a 422 ``validacion`` when sent as
    null; ``extra`` adds or overrides fields (``version``, a required ``reason``…)."""
    fields = {k: (info.annotation, FieldInfo.merge_field_infos(info, default=None, default_factory=None))
              for k, info in model.model_fields.items() if k not in without}
    return create_model(name, __config__=ConfigDict(extra="forbid", json_schema_extra={"examples": [example]}),
                        **(fields | extra))
