"""Questionnaires and answers, pure: what a questionnaire may contain, whether a set of
answers fits its version, and what they add up to (score, resolved).

A question: ``{"id", "text", "kind", "required", "options" (choice), "verification"
(yes_no, at most one), "indicator" (optional label)}``. Kinds: ``scale`` (1–5), ``yes_no``,
``choice`` (one of ``options``) and ``text`` (free text, up to 1,000 characters)."""
from __future__ import annotations

import re

from .exceptions import InvalidInput

KINDS = ("scale", "yes_no", "choice", "text")
_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_CODE = re.compile(r"^[a-z][a-z0-9-]{1,59}$")
MAX_QUESTIONS = 40
MAX_TEXT_ANSWER = 1000


def _bad(message: str, code: str = "cuestionario_invalido"):
    return InvalidInput(message, code)


def check_code(code) -> str:
    if not isinstance(code, str) or not _CODE.match(code):
        raise _bad("La clave del cuestionario va en minúsculas, con letras, números y guiones.", "clave_invalida")
    return code


def _text(value, what: str, low: int, high: int, code: str = "cuestionario_invalido") -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not low <= len(text) <= high or "\x00" in text:
        raise _bad(f"{what} debe tener entre {low} y {high} caracteres (sin caracteres nulos).", code)
    return text


def optional_text(value, what: str, code: str, high: int = MAX_TEXT_ANSWER) -> str | None:
    """A free text a person may leave empty (comment, note): stripped, None when blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _text(value, what, 1, high, code)


def check_title(title) -> str:
    return _text(title, "El título", 3, 200)


def check_questions(questions) -> list[dict]:
    """A questionnaire's questions, normalized; ``InvalidInput`` (cuestionario_invalido) otherwise."""
    if not isinstance(questions, list) or not 1 <= len(questions) <= MAX_QUESTIONS:
        raise _bad(f"Un cuestionario tiene entre 1 y {MAX_QUESTIONS} preguntas.")
    out, seen, verifications = [], set(), 0
    for n, q in enumerate(questions, 1):
        if not isinstance(q, dict):
            raise _bad(f"La pregunta {n} no es válida.")
        qid, kind = q.get("id"), q.get("kind")
        if not isinstance(qid, str) or not _ID.match(qid) or qid in seen:
            raise _bad(f"La pregunta {n} necesita un identificador único en minúsculas (p. ej. «satisfaccion»).")
        if kind not in KINDS:
            raise _bad(f"La pregunta «{qid}» debe ser de tipo scale, yes_no, choice o text.")
        seen.add(qid)
        item = {"id": qid, "kind": kind, "text": _text(q.get("text"), f"El texto de «{qid}»", 3, 300),
                "required": bool(q.get("required", kind != "text"))}
        if q.get("indicator") is not None:
            item["indicator"] = _text(q.get("indicator"), f"El indicador de «{qid}»", 1, 80)
        if kind == "choice":
            options = q.get("options")
            if not isinstance(options, list) or not 2 <= len(options) <= 20:
                raise _bad(f"La pregunta «{qid}» necesita entre 2 y 20 opciones.")
            item["options"] = [_text(o, f"Una opción de «{qid}»", 1, 120) for o in options]
            if len(set(item["options"])) != len(item["options"]):
                raise _bad(f"La pregunta «{qid}» repite una opción.")
        if q.get("verification"):
            if kind != "yes_no":
                raise _bad(f"La pregunta de verificación «{qid}» debe ser de sí o no.")
            verifications += 1
            item["verification"] = True
        out.append(item)
    if verifications > 1:
        raise _bad("Solo una pregunta puede ser la de verificación («¿Se resolvió su reporte?»).")
    return out


def check_answers(questions: list[dict], answers) -> dict:
    """The answers (``{question id: value}``) that fit the questions; unknown ids, wrong
    values and missing required answers are refused (respuestas_invalidas)."""
    if not isinstance(answers, dict):
        raise InvalidInput("Las respuestas van como un objeto {pregunta: respuesta}.", "respuestas_invalidas")
    known = {q["id"]: q for q in questions}
    unknown = sorted(set(answers) - set(known))
    if unknown:
        raise InvalidInput(f"El cuestionario no tiene la pregunta «{unknown[0]}».", "respuestas_invalidas")
    out = {}
    for q in questions:
        value = answers.get(q["id"])
        if value is None or (isinstance(value, str) and not value.strip()):
            if q["required"]:
                raise InvalidInput(f"Falta la respuesta a «{q['text']}».", "respuestas_invalidas")
            continue
        kind = q["kind"]
        ok = ((kind == "scale" and isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5)
              or (kind == "yes_no" and isinstance(value, bool))
              or (kind == "choice" and value in q.get("options", ()))
              or (kind == "text" and isinstance(value, str) and len(value) <= MAX_TEXT_ANSWER and "\x00" not in value))
        if not ok:
            expected = {"scale": "un entero del 1 al 5", "yes_no": "true o false",
                        "choice": "una de las opciones", "text": f"un texto de hasta {MAX_TEXT_ANSWER} caracteres"}
            raise InvalidInput(f"La respuesta a «{q['text']}» debe ser {expected[kind]}.", "respuestas_invalidas")
        out[q["id"]] = value.strip() if kind == "text" else value
    return out


def score(questions: list[dict], answers: dict) -> float | None:
    """The mean of the scale answers (None without any)."""
    values = [answers[q["id"]] for q in questions if q["kind"] == "scale" and q["id"] in answers]
    return round(sum(values) / len(values), 2) if values else None


def resolved(questions: list[dict], answers: dict) -> bool | None:
    """The answer to the verification question (None when there is none or it was skipped)."""
    for q in questions:
        if q.get("verification"):
            return answers.get(q["id"])
    return None


def without_free_text(questions: list[dict], answers: dict) -> dict:
    """The answers minus free text (what may stay after an ARCO cancellation or go in an export)."""
    kinds = {q["id"]: q["kind"] for q in questions}
    return {k: v for k, v in answers.items() if kinds.get(k, "text" if isinstance(v, str) else "") != "text"}
