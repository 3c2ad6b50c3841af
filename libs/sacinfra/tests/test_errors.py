"""sacinfra.errors.relayed: a called service's refusal passed on with its code and message."""
from nameko.exceptions import RemoteError

from sacinfra.errors import Forbidden, InvalidInput, NotFound, relayed


def remote(error) -> RemoteError:
    """What nameko raises in the caller for ``error`` raised by the called service."""
    return RemoteError(type(error).__name__, str(error))


def test_a_refusal_is_relayed_as_the_same_error_with_its_code_and_message():
    out = relayed(remote(NotFound("No existe el ciudadano número 9.", "ciudadano_no_encontrado")))
    assert type(out) is NotFound and (out.code, out.message) == ("ciudadano_no_encontrado",
                                                                 "No existe el ciudadano número 9.")
    assert type(relayed(remote(Forbidden("No.", "prohibido")))) is Forbidden


def test_a_subclass_is_relayed_as_the_class_it_names():
    class TooShort(InvalidInput):
        code = "busqueda_muy_corta"

    out = relayed(RemoteError("TooShort", str(TooShort("Escriba al menos tres letras."))))
    assert type(out) is InvalidInput and out.code == "busqueda_muy_corta"


def test_anything_else_comes_back_as_it_was():
    unexpected = RemoteError("KeyError", "'x'")
    assert relayed(unexpected) is unexpected
    away = RemoteError("OperationalError", "connection refused")
    assert relayed(away) is away
