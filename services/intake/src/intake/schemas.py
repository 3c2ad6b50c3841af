"""marshmallow schemas of intake's RPC payloads."""
from marshmallow import Schema, ValidationError, fields, validate

__all__ = ["ReportIn", "ValidationError"]


class LocationIn(Schema):
    lat = fields.Float(required=True, validate=validate.Range(-90, 90), allow_nan=False)
    lon = fields.Float(required=True, validate=validate.Range(-180, 180), allow_nan=False)
    colonia = fields.String(required=True, validate=validate.Length(1, 200))
    street = fields.String(required=True, validate=validate.Length(1, 200))
    number = fields.String(load_default=None, allow_none=True, validate=validate.Length(0, 50))
    references = fields.String(load_default=None, allow_none=True, validate=validate.Length(0, 500))


class ReportIn(Schema):
    petition_type = fields.String(required=True, validate=validate.Length(1, 120))
    channel = fields.String(required=True, validate=validate.Length(1, 60))
    description = fields.String(required=True, validate=validate.Length(1, 4000))
    location = fields.Nested(LocationIn, required=True)
    citizen_number = fields.Integer(load_default=None, allow_none=True, strict=True,
                                    validate=validate.Range(min=1))
