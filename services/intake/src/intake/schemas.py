"""marshmallow schemas of intake's RPC payloads."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

__all__ = ["ReportIn", "ValidationError"]


class LocationIn(Schema):
    """Coordinates are optional (a report phoned in may only have colonia, street and
    references), but come both or neither; colonia and street are always required."""
    lat = fields.Float(load_default=None, allow_none=True, validate=validate.Range(-90, 90), allow_nan=False)
    lon = fields.Float(load_default=None, allow_none=True, validate=validate.Range(-180, 180), allow_nan=False)
    colonia = fields.String(required=True, validate=validate.Length(1, 200))
    street = fields.String(required=True, validate=validate.Length(1, 200))
    number = fields.String(load_default=None, allow_none=True, validate=validate.Length(0, 50))
    references = fields.String(load_default=None, allow_none=True, validate=validate.Length(0, 500))

    @validates_schema
    def _both_or_neither(self, data, **kwargs):
        if (data.get("lat") is None) != (data.get("lon") is None):
            raise ValidationError("lat y lon van juntas: indique ambas o ninguna.", "lat")


class ReportIn(Schema):
    petition_type = fields.String(required=True, validate=validate.Length(1, 120))
    channel = fields.String(required=True, validate=validate.Length(1, 60))
    description = fields.String(required=True, validate=validate.Length(1, 4000))
    location = fields.Nested(LocationIn, required=True)
    citizen_number = fields.Integer(load_default=None, allow_none=True, strict=True,
                                    validate=validate.Range(min=1))
