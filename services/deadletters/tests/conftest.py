"""Fixtures of deadletters' tests: a migrated database of its own."""
import pytest


@pytest.fixture
def uow(service_uow):
    return service_uow("deadletters")
