"""directory's fixtures: a real MongoDB-compatible server (secantusdb, in memory) for the
whole session, a fresh database per test, and actors of every role."""
import sys
import uuid
from pathlib import Path

import pytest
import secantus
from pymongo import MongoClient

from directory.store import Store

# test modules import their actors from directory_actors.py, beside this file
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(scope="session")
def mongo_server():
    with secantus.SecantusDBServer(port=0, storage_path=":memory:") as server:
        yield server


@pytest.fixture
def mongo_db(mongo_server):
    client = MongoClient(mongo_server.host, mongo_server.port, directConnection=True, tz_aware=True,
                         maxPoolSize=100)
    name = "t_directory_" + uuid.uuid4().hex[:10]
    yield client[name]
    client.drop_database(name)
    client.close()


@pytest.fixture
def store(mongo_db):
    s = Store(mongo_db)
    s.ensure_indexes()
    return s
