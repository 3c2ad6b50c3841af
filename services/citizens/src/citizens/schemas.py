"""marshmallow schemas of citizens' RPC input, with Spanish error messages.

``load(schema, data)`` returns the loaded dict or raises ``InvalidInput`` listing every
problem («campo»: motivo). Phones come out as their 10 digits (``normalize.phone``),
postal codes as 5 digits, names and address parts trimmed with single spaces."""
from __future__ import annotations

import re
from datetime import date

from marshmallow import Schema, ValidationError, fields, validate

from sacinfra import validation

from . import normalize
from .exceptions import InvalidInput

SEXES = ("female", "male", "nonbinary", "unspecified")
MAX_PHONES = 5
POSTAL_CODE = re.compile(r"^[0-9]{5}$")
_LETTER = re.compile(r"[^\W\d_]")
_msgs = validation.messages


class Text(validation.Text):
    """A string, trimmed, with single spaces (unless ``single_line=False``)."""

    def _deserialize(self, value, attr, data, **kw):
        value = super()._deserialize(value, attr, data, **kw)
        return normalize.clean_text(value) if self.single_line else value


def _has_letter(value: str) -> None:
    if not _LETTER.search(value):
        raise ValidationError("Debe contener letras.")


def Name(**kw) -> Text:  # noqa: N802
    return Text(max_length=120, validate=[_has_letter], **kw)


class Phone(fields.String):
    """A Mexican phone number: 10 digits; +52, spaces, dashes, dots and parentheses accepted."""

    def _deserialize(self, value, attr, data, **kw):
        if not isinstance(value, str):
            raise ValidationError("Debe ser texto.")
        digits = normalize.phone(value)
        if digits is None:
            raise ValidationError(f"Teléfono inválido «{value[:30]}»: se esperan 10 dígitos (se admite +52).")
        return digits


def _phones(**kw) -> fields.List:
    return fields.List(Phone(), validate=validate.Length(max=MAX_PHONES, error=f"A lo más {MAX_PHONES} teléfonos."),
                       error_messages=_msgs("Debe ser una lista."), **kw)


def _birth_date(value: date) -> None:
    if value > date.today():
        raise ValidationError("La fecha de nacimiento no puede ser futura.")
    if value.year < 1900:
        raise ValidationError("Fecha de nacimiento improbable (antes de 1900).")


Base = validation.StrictSchema


class AddressSchema(Base):
    colonia = Text(max_length=120, load_default=None, allow_none=True)
    street = Text(max_length=200, load_default=None, allow_none=True)
    number = Text(max_length=30, load_default=None, allow_none=True)
    postal_code = Text(max_length=5, load_default=None, allow_none=True,
                       validate=[validate.Regexp(POSTAL_CODE, error="Código postal inválido: se esperan 5 dígitos.")])
    references = Text(max_length=500, load_default=None, allow_none=True, single_line=False)


class _Person(Base):
    sex = fields.String(allow_none=True, validate=validate.OneOf(SEXES, error=f"Debe ser uno de: {', '.join(SEXES)}."),
                        error_messages=_msgs("Debe ser texto."))
    birth_date = fields.Date(allow_none=True, validate=[_birth_date],
                             error_messages=_msgs("Fecha inválida (se espera AAAA-MM-DD)."))
    email = fields.Email(allow_none=True, validate=[validate.Length(max=254, error="Correo demasiado largo.")],
                         error_messages=_msgs("Correo electrónico inválido."))


class CitizenSchema(_Person):
    """A citizen to register."""
    given_names = Name(required=True)
    first_surname = Name(required=True)
    second_surname = Name(load_default=None, allow_none=True)
    sex = fields.String(load_default=None, allow_none=True,
                        validate=validate.OneOf(SEXES, error=f"Debe ser uno de: {', '.join(SEXES)}."),
                        error_messages=_msgs("Debe ser texto."))
    birth_date = fields.Date(load_default=None, allow_none=True, validate=[_birth_date],
                             error_messages=_msgs("Fecha inválida (se espera AAAA-MM-DD)."))
    email = fields.Email(load_default=None, allow_none=True,
                         validate=[validate.Length(max=254, error="Correo demasiado largo.")],
                         error_messages=_msgs("Correo electrónico inválido."))
    phones = _phones(load_default=list)
    address = fields.Nested(AddressSchema, load_default=dict, error_messages=_msgs("Se esperaba un objeto."))
    consent = fields.Boolean(required=True, validate=[validate.Equal(
        True, error="Sin el consentimiento del aviso de privacidad no se registra (el reporte puede ser anónimo).")],
        error_messages=_msgs("Debe ser verdadero o falso."))
    privacy_notice_version = Text(required=True, max_length=40)
    channel = Text(required=True, max_length=60)


class CitizenChangesSchema(_Person):
    """A rectification: any subset of the personal data (address parts merge into the current address)."""
    given_names = Name()
    first_surname = Name()
    second_surname = Name(allow_none=True)
    phones = _phones()
    address = fields.Nested(AddressSchema(partial=True), error_messages=_msgs("Se esperaba un objeto."))


LEADER_KINDS = ("manzana", "cuartel")
LEADER_STATUSES = ("active", "suspended", "ended")


def _not_future(value: date) -> None:
    if value > date.today():
        raise ValidationError("La fecha de acreditación no puede ser futura.")


class LocationSchema(Base):
    lat = fields.Float(required=True, validate=validate.Range(-90, 90, error="Latitud fuera de rango."),
                       error_messages=_msgs("Debe ser un número."))
    lon = fields.Float(required=True, validate=validate.Range(-180, 180, error="Longitud fuera de rango."),
                       error_messages=_msgs("Debe ser un número."))


class BlockLeaderSchema(Base):
    """A jefe de manzana / jefe de cuartel in the roster."""
    kind = fields.String(required=True, validate=validate.OneOf(LEADER_KINDS, error="Debe ser «manzana» o «cuartel»."),
                         error_messages=_msgs("Debe ser texto."))
    block = Text(required=True, max_length=60)
    colonia = Text(required=True, max_length=120)
    location = fields.Nested(LocationSchema, required=True, error_messages=_msgs("Se esperaba un objeto."))
    accredited_on = fields.Date(required=True, validate=[_not_future],
                                error_messages=_msgs("Fecha inválida (se espera AAAA-MM-DD)."))
    status = fields.String(load_default="active", validate=validate.OneOf(
        LEADER_STATUSES, error=f"Debe ser uno de: {', '.join(LEADER_STATUSES)}."),
        error_messages=_msgs("Debe ser texto."))
    full_name = Name(required=True)
    phone = Phone(load_default=None, allow_none=True)
    email = fields.Email(load_default=None, allow_none=True,
                         validate=[validate.Length(max=254, error="Correo demasiado largo.")],
                         error_messages=_msgs("Correo electrónico inválido."))
    username = Text(load_default=None, allow_none=True, max_length=120,
                    validate=[validate.Regexp(r"^[a-z0-9._-]+$",
                                              error="Usuario inválido (minúsculas, dígitos, . _ -).")])
    citizen_number = fields.Integer(load_default=None, allow_none=True, strict=True,
                                    validate=validate.Range(1, 2**62, error="Número de ciudadano inválido."),
                                    error_messages=_msgs("Debe ser un entero."))


citizen_schema = CitizenSchema()
block_leader_schema = BlockLeaderSchema()
block_leader_changes_schema = BlockLeaderSchema(partial=True)
citizen_changes_schema = CitizenChangesSchema()


def _flatten(messages, prefix: str = "") -> list[str]:
    out = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key == "_schema":
                name = prefix or "datos"
            out += _flatten(value, name)
    elif isinstance(messages, list):
        for m in messages:
            out += _flatten(m, prefix) if isinstance(m, (dict, list)) else [f"«{prefix}»: {m}"]
    else:
        out.append(f"«{prefix}»: {messages}")
    return out


def load(schema: Schema, data) -> dict:
    if not isinstance(data, dict):
        raise InvalidInput("Datos inválidos: se esperaba un objeto.", "datos_invalidos")
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise InvalidInput("Datos inválidos: " + "; ".join(_flatten(exc.messages)), "datos_invalidos") from None
