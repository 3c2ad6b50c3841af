"""marshmallow schemas of directory's RPC input, with Spanish (es-MX) messages.

``load(schema, data)`` returns the loaded dict or raises ``InvalidInput`` listing every
problem («campo»: motivo); ``field_errors`` gives the same problems as strings, for the
import's per-line report."""
from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from sacinfra import validation

from .domain import LEVELS
from .exceptions import InvalidInput

_msgs = validation.messages
Text = validation.Text

OFFICE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
PHONE = re.compile(r"^[0-9 ()+\-.]{3,25}$")  # 072, 073, 911 are numbers too
EXTENSION = re.compile(r"^[0-9]{1,6}$")
POSTAL_CODE = re.compile(r"^[0-9]{5}$")
CHANNEL = re.compile(r"^[A-Z0-9][A-Z0-9 _\-.ÁÉÍÓÚÑ]{0,39}$")
URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)

#: Spanish names of the fields, for messages and for the spreadsheet's headers
LABELS = {"id": "clave", "name": "nombre", "acronym": "siglas", "level": "nivel de gobierno",
          "parent_id": "oficina superior", "street": "calle", "ext_number": "número exterior",
          "int_number": "número interior", "colonia": "colonia", "postal_code": "código postal", "city": "ciudad",
          "phones": "teléfonos", "extensions": "extensiones", "email": "correo electrónico", "website": "sitio web",
          "hours": "horario", "person_in_charge": "encargado o responsable", "keywords": "palabras clave",
          "procedures": "trámites y servicios", "active": "activa", "location": "ubicación", "version": "versión"}


def _optional_text(max_length: int, **kw) -> Text:
    return Text(max_length=max_length, min_length=0, load_default="", **kw)


def _list(item, max_items: int) -> fields.List:
    return fields.List(item, load_default=list, validate=validate.Length(
        max=max_items, error=f"Admite a lo más {max_items} elementos."), error_messages=_msgs("Debe ser una lista."))


def _not_empty_item(value: str) -> None:
    if not value:
        raise ValidationError("No puede estar vacío.")


Base = validation.StrictSchema


class LocationSchema(Base):
    lat = fields.Float(required=True, validate=validate.Range(-90, 90, error="La latitud va de -90 a 90."),
                       allow_nan=False, error_messages=_msgs("Debe ser un número."))
    lon = fields.Float(required=True, validate=validate.Range(-180, 180, error="La longitud va de -180 a 180."),
                       allow_nan=False, error_messages=_msgs("Debe ser un número."))


class OfficeSchema(Base):
    """An office of the guide (dependencia, dirección, área…)."""
    id = Text(max_length=64, load_default=None, allow_none=True, validate=[validate.Regexp(
        OFFICE_ID, error="Clave inválida: minúsculas, números y guiones (2 a 64), p. ej. «dif-leon».")])
    name = Text(required=True, min_length=2, max_length=250)
    acronym = _optional_text(30)
    level = fields.String(required=True, validate=validate.OneOf(
        LEVELS, error="Debe ser uno de: " + ", ".join(LEVELS) + "."), error_messages=_msgs("Debe ser texto."))
    parent_id = Text(max_length=64, load_default=None, allow_none=True)
    street = _optional_text(200)
    ext_number = _optional_text(20)
    int_number = _optional_text(20)
    colonia = _optional_text(120)
    postal_code = _optional_text(5, validate=[lambda v: v == "" or POSTAL_CODE.match(v) or _fail(
        "El código postal tiene cinco dígitos.")])
    city = _optional_text(120)
    phones = _list(Text(max_length=25, validate=[validate.Regexp(
        PHONE, error="Teléfono inválido: dígitos, espacios, guiones o paréntesis (3 a 25), p. ej. «477 788 0000».")]),
        20)
    extensions = _list(Text(max_length=6, validate=[validate.Regexp(
        EXTENSION, error="Extensión inválida: de 1 a 6 dígitos.")]), 30)
    email = _optional_text(254, validate=[lambda v: v == "" or _email(v)])
    website = _optional_text(300, validate=[lambda v: v == "" or URL.match(v) or _fail(
        "Sitio web inválido: debe empezar con http:// o https://.")])
    hours = _optional_text(200)
    person_in_charge = _optional_text(200)
    keywords = _list(Text(max_length=80), 60)
    procedures = _list(Text(max_length=250), 150)
    active = fields.Boolean(load_default=True, error_messages=_msgs("Debe ser verdadero o falso."))
    location = fields.Nested(LocationSchema, load_default=None, allow_none=True)

    @validates_schema
    def _parent_not_self(self, data, **kw):
        if data.get("id") and data.get("parent_id") == data.get("id"):
            raise ValidationError("Una oficina no puede depender de sí misma.", "parent_id")


def _fail(message: str):
    raise ValidationError(message)


_email_validator = validate.Email(error="Correo electrónico inválido.")


def _email(value: str) -> bool:
    _email_validator(value)
    return True


office_schema = OfficeSchema()
#: a change: any subset of the fields (id is fixed)
office_patch_schema = OfficeSchema(partial=True, exclude=("id",))


class ChannelSchema(Base):
    channel = Text(required=True, max_length=40, validate=[validate.Regexp(
        CHANNEL, error="Origen inválido: mayúsculas, números y espacios, p. ej. «072» o «VENTANILLA».")])


def field_errors(messages) -> list[str]:
    """marshmallow's error dict as ``["«campo»: motivo", …]`` with the Spanish labels."""
    return validation.field_errors(messages, LABELS)


def load(schema: Schema, data, what: str = "Datos inválidos") -> dict:
    if not isinstance(data, dict):
        raise InvalidInput(f"{what}: se esperaba un objeto.", "datos_invalidos")
    try:
        return schema.load(data)
    except ValidationError as exc:
        problems = field_errors(exc.messages)
        raise InvalidInput(f"{what}: " + "; ".join(problems), "datos_invalidos") from None


def normalize_channel(channel) -> str:
    """The channel (origin) of a consult or print, upper case; ``InvalidInput`` if bad."""
    if isinstance(channel, str):
        channel = channel.strip().upper()
    return load(ChannelSchema(), {"channel": channel}, "Origen inválido")["channel"]
