"""DirectoryService (MODINFO) on MongoDB: the foundation only (health, datastore)."""
from sacinfra.service import MongoService


class DirectoryService(MongoService):
    name = "directory"
