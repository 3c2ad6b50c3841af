"""marshmallow schemas of catalog's RPC input, with Spanish error messages.

``load(schema, data)`` returns the loaded dict or raises ``InvalidInput`` whose message
lists every problem («campo»: motivo); ``field_errors`` gives the same problems as a
list of strings, for the import's per-line report.
"""
from __future__ import annotations

import re
from datetime import date

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from sacinfra import validation

from .calendar import UNITS
from .exceptions import InvalidInput

KINDS = ("Servicio", "Trámite")
DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
LIST_DATATYPES = ("singlevaluelist", "multivaluelist")
#: Upper bounds of an SLA (the due-date arithmetic steps once per calendar day).
MAX_SLA = {"calendar_days": 730, "business_days": 500, "business_hours": 4000}

AGENCY_CODE = re.compile(r"^[A-Z0-9]{2,12}$")
DEPARTMENT_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_.\-]{1,39}$")
ATTRIBUTE_CODE = re.compile(r"^[A-Za-z0-9_\-]{1,60}$")
_msgs = validation.messages
Text = validation.Text


def _code(pattern: re.Pattern, example: str, **kw) -> Text:
    return Text(max_length=60, validate=[validate.Regexp(pattern, error=f"Código inválido (por ejemplo «{example}»).")], **kw)


def _int(**kw) -> fields.Integer:
    return fields.Integer(strict=True, error_messages=_msgs("Debe ser un número entero."), **kw)


def _bool(**kw) -> fields.Boolean:
    return fields.Boolean(error_messages=_msgs("Debe ser verdadero o falso."), **kw)


def _one_of(choices, **kw) -> fields.String:
    return fields.String(validate=validate.OneOf(choices, error=f"Debe ser uno de: {', '.join(choices)}."),
                         error_messages=_msgs("Debe ser texto."), **kw)


Base = validation.StrictSchema


class ValueSchema(Base):
    key = Text(required=True, max_length=120)
    name = Text(required=True, max_length=200)


class AttributeSchema(Base):
    """An Open311 service-definition attribute (an extra question of a petition type)."""
    code = Text(required=True, max_length=60,
                validate=[validate.Regexp(ATTRIBUTE_CODE, error="Código inválido: letras, números, «_» o «-».")])
    description = Text(required=True, max_length=500)
    datatype = _one_of(DATATYPES, required=True)
    required = _bool(load_default=False)
    values = fields.List(fields.Nested(ValueSchema), load_default=list,
                         error_messages=_msgs("Debe ser una lista."))

    @validates_schema
    def _values_match_datatype(self, data, **kw):
        values = data.get("values") or []
        if data.get("datatype") in LIST_DATATYPES and not values:
            raise ValidationError("Una pregunta de lista necesita valores.", "values")
        if data.get("datatype") not in LIST_DATATYPES and values:
            raise ValidationError("Solo las preguntas de lista llevan valores.", "values")
        keys = [v["key"] for v in values]
        if len(keys) != len(set(keys)):
            raise ValidationError("Hay claves de valor repetidas.", "values")


def _attributes(**kw) -> fields.List:
    return fields.List(fields.Nested(AttributeSchema), error_messages=_msgs("Debe ser una lista."), **kw)


class _PetitionRules:
    @validates_schema
    def _sla_within_bounds(self, data, **kw):
        unit, amount = data.get("sla_unit"), data.get("sla_amount")
        if unit in MAX_SLA and isinstance(amount, int) and amount > MAX_SLA[unit]:
            raise ValidationError(f"El SLA en {unit} no puede pasar de {MAX_SLA[unit]}.", "sla_amount")

    @validates_schema
    def _attribute_codes_unique(self, data, **kw):
        codes = [a["code"] for a in data.get("attributes") or []]
        if len(codes) != len(set(codes)):
            raise ValidationError("Hay preguntas con el mismo código.", "attributes")


class PetitionTypeSchema(_PetitionRules, Base):
    """A new petition type (``agency`` may be left to the agency staff's own)."""
    code = Text(required=True, max_length=120)
    name = Text(required=True, max_length=200)
    kind = _one_of(KINDS, required=True)
    description = Text(load_default="", min_length=0, max_length=4000, single_line=False)
    sla_amount = _int(required=True, validate=validate.Range(min=0, error="No puede ser negativo."))
    sla_unit = _one_of(UNITS, required=True)
    agency = fields.String(load_default=None, allow_none=True, error_messages=_msgs("Debe ser texto."))
    department = Text(required=True, max_length=60)
    active = _bool(load_default=True)
    attributes = _attributes(load_default=list)


class PetitionTypeChangesSchema(_PetitionRules, Base):
    """Changes to a petition type: any subset of its editable fields (not ``code``)."""
    name = Text(max_length=200)
    kind = _one_of(KINDS)
    description = Text(min_length=0, max_length=4000, single_line=False)
    sla_amount = _int(validate=validate.Range(min=0, error="No puede ser negativo."))
    sla_unit = _one_of(UNITS)
    agency = Text(max_length=60)
    department = Text(max_length=60)
    active = _bool()
    attributes = _attributes()


class AgencySchema(Base):
    code = _code(AGENCY_CODE, "OP", required=True)
    name = Text(required=True, max_length=200)
    active = _bool(load_default=True)


class DepartmentSchema(Base):
    code = _code(DEPARTMENT_CODE, "OP-ALUMBRADO", required=True)
    agency = Text(required=True, max_length=60)
    name = Text(required=True, max_length=200)
    active = _bool(load_default=True)


class ChannelSchema(Base):
    code = Text(required=True, max_length=60)
    name = Text(required=True, max_length=200)
    active = _bool(load_default=True)


class _Time(fields.String):
    def _deserialize(self, value, attr, data, **kw):
        value = super()._deserialize(value, attr, data, **kw)
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            raise ValidationError("Hora inválida (se espera HH:MM).")
        return value


class _Day(fields.String):
    def _deserialize(self, value, attr, data, **kw):
        value = super()._deserialize(value, attr, data, **kw)
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise ValidationError("Fecha inválida (se espera AAAA-MM-DD).") from None


class CalendarSchema(Base):
    """Changes to the business calendar; omitted keys keep their current value."""
    weekend_days = fields.List(_int(validate=validate.Range(min=0, max=6, error="Del 0 (lunes) al 6 (domingo).")),
                               error_messages=_msgs("Debe ser una lista."))
    extra_days_off = fields.List(_Day(error_messages=_msgs("Debe ser texto.")), error_messages=_msgs("Debe ser una lista."))
    workday_start = _Time(error_messages=_msgs("Debe ser texto."))
    workday_end = _Time(error_messages=_msgs("Debe ser texto."))
    tz = Text(max_length=60)


# --------------------------------------------------------------------------- helpers

#: marshmallow's error dict as ``["«campo»: motivo", …]`` (sacinfra.validation)
field_errors = validation.field_errors


def load(schema: Schema, data, code: str = "datos_invalidos", what: str = "Datos inválidos") -> dict:
    if not isinstance(data, dict):
        raise InvalidInput(f"{what}: se esperaba un objeto.", code)
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise InvalidInput(f"{what}: " + "; ".join(field_errors(exc.messages)) + ".", code) from None


petition_type_schema = PetitionTypeSchema()
petition_type_changes_schema = PetitionTypeChangesSchema()
agency_schema = AgencySchema()
department_schema = DepartmentSchema()
channel_schema = ChannelSchema()
calendar_schema = CalendarSchema()
