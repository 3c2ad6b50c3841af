"""marshmallow schemas of the WhatsApp channel: the configured petition menu."""
from marshmallow import Schema, fields, validate

__all__ = ["MenuItem"]


class MenuItem(Schema):
    """One option of the conversation's menu: a catalog petition type and its label."""
    code = fields.String(required=True, validate=validate.Length(1, 120))
    label = fields.String(required=True, validate=validate.Length(1, 60))
