"""sacinfra.actor.Actor.load_or: the contract's reader with a service's own error (the
contract itself is tested against its schema in tests/contract)."""
import pytest

from sacinfra.actor import Actor


class InvalidInput(Exception):  # what a service answers with: (message, machine code)
    def __init__(self, message, code):
        super().__init__(message)
        self.code = code


def test_load_or_reads_an_actor_or_raises_the_services_error():
    actor = Actor.load_or({"kind": "staff", "username": "ana", "role": "operator"}, InvalidInput)
    assert (actor.kind, actor.username, actor.role) == ("staff", "ana", "operator")
    assert Actor.load_or(actor, InvalidInput) is actor
    with pytest.raises(InvalidInput) as caught:
        Actor.load_or({"kind": "staff", "role": "operator"}, InvalidInput)
    assert caught.value.code == "actor_invalido" and str(caught.value) == "El actor no tiene nombre de usuario."
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
