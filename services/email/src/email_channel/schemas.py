"""marshmallow schemas of the email channel: its settings, checked where they are used
(a wrong address or limit is a configuration error, said in Spanish)."""
from marshmallow import Schema, fields, validate

__all__ = ["EmailSettings"]


class EmailSettings(Schema):
    address = fields.Email(required=True)
    maildir = fields.String(required=True, validate=validate.Length(1, 500))
    default_petition_type = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 120))
    max_attachment_bytes = fields.Integer(load_default=5 * 1024 * 1024, validate=validate.Range(min=1))
