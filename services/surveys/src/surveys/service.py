"""SurveysService: the foundation only (health, datastore, outbox); its domain comes with its own issue."""
from sacinfra.service import SqlService


class SurveysService(SqlService):
    name = "surveys"
