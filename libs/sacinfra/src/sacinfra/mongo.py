"""MongoDB dependency provider (pymongo). Config: ``MONGO_URI``, ``MONGO_DB``."""
from __future__ import annotations

from nameko.extensions import DependencyProvider
from pymongo import MongoClient


def make_client(uri: str) -> MongoClient:
    return MongoClient(uri, serverSelectionTimeoutMS=5000, tz_aware=True)


class MongoDatabase(DependencyProvider):
    def setup(self):
        cfg = self.container.config
        self.client = make_client(cfg["MONGO_URI"])
        self.database = self.client[cfg.get("MONGO_DB", self.container.service_name)]

    def stop(self):
        self.client.close()

    def get_dependency(self, worker_ctx):
        return self.database

    def ping(self) -> None:
        self.client.admin.command("ping")
