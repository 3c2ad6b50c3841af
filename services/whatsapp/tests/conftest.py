"""Fixtures of the WhatsApp tests: a local fake of the Graph API (the real one is not
reachable here) and the core services (the root conftest's ``core_services``)."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from wa_support import FakeGraph  # noqa: E402


@pytest.fixture
def fake_graph():
    g = FakeGraph()
    yield g
    g.close()


@pytest.fixture
def core(core_services):
    return core_services
