"""The one error channel: remote errors and batch answers by the same table; an
unexpected remote error is a 500 carrying the incident id the service logged."""
import json
import logging
import types

from sacinfra import errors
from sacinfra.incidents import Incidents

from gateway.errors import error_from_answer, remote_to_api
from gateway.rpc import RemoteCallError


class NotYours(errors.NotFound):  # a service's own subclass, not in the table
    code = "no_es_suyo"


def test_remote_errors_by_dotted_path_base_class_or_name():
    exc = NotYours("No existe para usted.")
    remote = RemoteCallError("NotYours", str(exc), "routing.exceptions.NotYours")
    error = remote_to_api(remote)
    assert (error.status, error.code, error.detail, error.extra) == (404, "no_es_suyo", "No existe para usted.", {})
    remote = RemoteCallError("PayloadTooLarge", json.dumps({"code": "evidencia_muy_grande", "message": "6 MB"}),
                             "routing.exceptions.PayloadTooLarge")
    assert remote_to_api(remote).status == 413
    lines = json.dumps({"code": "importacion_invalida", "message": "2 errores\nlínea 3: x",
                        "errors": [{"line": 3, "message": "x"}]})
    error = remote_to_api(RemoteCallError("InvalidInput", lines, "catalog.exceptions.InvalidInput"))
    assert (error.status, error.detail, error.extra) == (422, "2 errores", {"errors": [{"line": 3, "message": "x"}]})


def test_a_service_another_did_not_answer_is_a_503_with_retry_after():
    exc = errors.Unavailable("El servicio routing no respondió en 5 s; intente de nuevo en unos segundos.")
    error = remote_to_api(RemoteCallError("Unavailable", str(exc), "sacinfra.errors.Unavailable"))
    assert (error.status, error.code, error.headers) == (503, "servicio_no_disponible", {"Retry-After": "5"})
    assert error.detail.startswith("El servicio routing no respondió")
    error = error_from_answer({"type": "Unavailable", "message": "El servicio catalog no respondió en 5 s."})
    assert (error.status, error.headers) == (503, {"Retry-After": "5"})


def test_batch_answers_use_the_same_table():
    error = error_from_answer({"type": "Conflict", "code": "duplicado", "message": "Ya existe."})
    assert (error.status, error.code, error.detail) == (409, "duplicado", "Ya existe.")
    error = error_from_answer({"type": "ZeroDivisionError", "message": "division by zero"})
    assert error.status == 500 and error.code == "error_interno" and error.extra["incident"]


def test_an_unexpected_error_is_a_500_with_the_incident_the_service_logged(caplog):
    provider = Incidents()
    provider.container = types.SimpleNamespace(service_name="stats")
    worker_ctx = types.SimpleNamespace(entrypoint=types.SimpleNamespace(method_name="count_by"),
                                       data={"call_ref": "0123abcd4567"})
    try:
        {}["dimension"]
    except KeyError as exc:
        boom = exc
    with caplog.at_level(logging.ERROR, logger="sacinfra.incidents"):
        provider.worker_result(worker_ctx, exc_info=(KeyError, boom, boom.__traceback__))
        provider.worker_result(worker_ctx, exc_info=(errors.NotFound, errors.NotFound("x"), None))  # an answer
    [record] = caplog.records
    assert record.getMessage().startswith("incidente 0123abcd4567 en stats.count_by: KeyError")
    remote = RemoteCallError("KeyError", str(boom), "builtins.KeyError", "0123abcd4567")
    error = remote_to_api(remote)
    assert error.status == 500 and error.extra == {"incident": "0123abcd4567"} and "0123abcd4567" in error.detail


def test_validation_messages_are_spanish():
    from typing import Literal

    from pydantic import BaseModel, ConfigDict, Field, ValidationError

    from gateway.errors import field_errors

    class Body(BaseModel):
        model_config = ConfigDict(extra="forbid")
        lat: float = Field(le=90)
        status: Literal["open", "closed"]
        name: str = Field(max_length=3)

    try:
        Body(lat=123, status="pendiente", name="abcd", extra=1)
    except ValidationError as exc:
        messages = {e["campo"]: e["mensaje"] for e in field_errors(exc.errors(), skip=0)}
    assert messages == {"lat": "Debe ser menor o igual a 90.", "status": "Debe ser uno de: open o closed.",
                        "name": "Debe tener como máximo 3 caracteres.", "extra": "Campo no permitido."}
    try:
        Body()
    except ValidationError as exc:
        assert {e["mensaje"] for e in field_errors(exc.errors(), skip=0)} == {"Campo obligatorio."}
