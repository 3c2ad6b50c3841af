"""Use cases of surveys, plain functions over a sacinfra UnitOfWork (no nameko imports).

Each runs inside ``with uow:`` (commit on success, rollback on error). Calls to other
services (citizens' logged read, routing's reopening) come in as plain callables, so
tests run the use cases without a broker; they are made outside the database
transaction."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Callable

from . import files, policy, questionnaire as qn, sampling, store
from .exceptions import Conflict, Forbidden, InvalidInput, NotFound
from .settings import Settings

SCOPES = ("surveys", "contact")
OUTCOMES = ("answered", "no_answer", "wrong_number", "refused", "call_back")
FOLLOW_UP_KINDS = ("follow_up", "verification", "callback")
TAKE_ROUNDS = 50  # cases skipped (excluded, expired) before one is handed out, per request
REOPEN_REASON = "Encuesta de verificación {survey_id}: el ciudadano informa que su reporte no se resolvió."

CONSUMER_OPPOSED = "surveys.citizen_opposed"
CONSUMER_CANCELLED = "surveys.citizen_cancelled"
CONSUMER_REPORT_CREATED = "surveys.report_created"
CONSUMER_STATUS_CHANGED = "surveys.report_status_changed"


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(timezone.utc)


def _iso(value):
    return value.isoformat() if isinstance(value, datetime) else value


def _number(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput("El número de ciudadano debe ser un entero positivo.", "numero_invalido")
    return value


def _folio(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput("El folio debe ser un entero positivo.", "folio_invalido")
    return value


def _version(value) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1_000_000:
        raise InvalidInput("La versión del cuestionario es un entero positivo.", "version_invalida")
    return value


def _agency(value) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not 1 <= len(value) <= 40 or "\x00" in value:
        raise InvalidInput("La clave de la dependencia no es válida.", "dependencia_invalida")
    return value


def _period(value) -> str:
    try:
        return sampling.check_period(value)
    except sampling.BadInput as exc:
        raise InvalidInput(str(exc), "periodo_invalido") from None


# =========================================================================== the opt-out list

def record_opposition(uow, envelope: dict) -> int:
    """``citizen_opposed`` → the number joins the opt-out list for its scopes; their
    pending sampled reports are excluded (``opposed``)."""
    with uow:
        if not uow.claim(CONSUMER_OPPOSED, envelope["event_id"]):
            return 0
        d = envelope["data"]
        scopes = [s for s in d.get("scopes") or SCOPES if s in SCOPES] or list(SCOPES)
        at = datetime.fromisoformat(d["opposed_at"])
        added = store.add_opt_outs(uow.session, d["number"], scopes, at, envelope["event_id"])
        store.exclude_pending(uow.session, store.folios_of_citizens([d["number"]]), "opposed", at)
        return added


def record_cancellation(uow, envelope: dict) -> int:
    """``citizen_cancelled`` (ARCO) → the number is never called again, its pending sampled
    reports are excluded (``cancelled``), and what surveys holds of the person is erased:
    the link from their answers to the number, comments and free-text answers (scores stay,
    anonymous), and the number in the reports projection."""
    with uow:
        if not uow.claim(CONSUMER_CANCELLED, envelope["event_id"]):
            return 0
        d = envelope["data"]
        s = uow.session
        at = datetime.fromisoformat(d["cancelled_at"])
        added = store.add_opt_outs(s, d["number"], ["cancelled"], at, envelope["event_id"])
        store.exclude_pending(s, store.folios_of_citizens([d["number"]]), "cancelled", at)
        store.erase_answers_of(s, [d["number"]], lambda row: _kept_answers(s, row))
        store.forget_citizen_in_reports(s, [d["number"]])
        return added


def _kept_answers(s, row) -> dict:
    questions = []
    if row["questionnaire_code"]:
        q = store.questionnaire(s, row["questionnaire_code"], row["questionnaire_version"])
        questions = q["questions"] if q else []
    return qn.without_free_text(questions, row["answers"] or {})


def may_contact(uow, citizen_number) -> bool:
    """False when the citizen opposed surveys or contact or cancelled their data (and for
    None: an anonymous report has nobody to call)."""
    if citizen_number is None:
        return False
    number = _number(citizen_number)
    with uow:
        return not store.opt_out_scopes(uow.session, number)


def arco_access(uow, citizen_numbers) -> dict:
    """What surveys holds about the citizen: opt-out entries and survey answers (with the
    free text, which is theirs)."""
    values = citizen_numbers if isinstance(citizen_numbers, (list, tuple)) else [citizen_numbers]
    numbers = [_number(v) for v in values]
    with uow:
        rows = store.opt_outs_of(uow.session, numbers)
        answers = store.answers_of(uow.session, numbers)
    return {"citizen_numbers": numbers,
            "opt_outs": [{"citizen_number": r["citizen_number"], "scope": r["scope"], "at": r["at"].isoformat()}
                         for r in rows],
            "answers": [_answer_view(a, personal=True) for a in answers]}


# =========================================================================== periods

def _ensure_period(s, period: str, settings: Settings, now: datetime) -> dict:
    row = store.get_period(s, period)
    if row is not None:
        return row
    secret = sampling.new_secret()
    start, end = sampling.bounds(period, settings.tz)
    return store.add_period(s, {"period": period, "secret": secret, "commitment": sampling.commitment(secret),
                                "rates": dict(settings.rates), "starts_at": start, "ends_at": end,
                                "committed_at": now})


def commit_periods(uow, settings: Settings, now: datetime | None = None) -> list[str]:
    """The current and the next period have their secret and commitment (hourly timer:
    the next month's commitment is published weeks before it starts)."""
    now = _now(now)
    current = sampling.period_of(now, settings.tz)
    with uow:
        return [_ensure_period(uow.session, p, settings, now)["period"]
                for p in (current, sampling.next_period(current))]


def _period_view(row: dict, now: datetime) -> dict:
    revealed = sampling.when_revealed(row["ends_at"], now)
    return {"period": row["period"], "commitment": row["commitment"], "rates": row["rates"],
            "starts_at": row["starts_at"].isoformat(), "ends_at": row["ends_at"].isoformat(),
            "committed_at": row["committed_at"].isoformat(),
            "committed_before_start": row["committed_at"] < row["starts_at"],
            "revealed": revealed, "secret": bytes(row["secret"]).hex() if revealed else None}


def list_periods(uow, actor, now: datetime | None = None) -> list[dict]:
    """Every period's commitment and rates; the secret of those that ended. Public."""
    policy.authorize(actor, policy.READ_PERIODS)
    with uow:
        return [_period_view(r, _now(now)) for r in store.list_periods(uow.session)]


# =========================================================================== the sample

def record_reports(uow, envelopes: list[dict]) -> int:
    """``intake.report_created``, a batch in one transaction → the channel and citizen
    number of each folio (idempotent by event id; a folio already known is left alone).
    Returns how many events were new."""
    with uow:
        fresh = uow.claim_many(CONSUMER_REPORT_CREATED, [e["event_id"] for e in envelopes])
        rows = {}
        for e in envelopes:
            if str(e["event_id"]) in fresh:
                d = e["data"]
                rows.setdefault(d["folio"], {"folio": d["folio"], "channel": d["channel"],
                                             "citizen_number": d.get("citizen_number"),
                                             "petition_type": d["petition_type"],
                                             "created_at": datetime.fromisoformat(d["created_at"])})
        store.upsert_reports(uow.session, list(rows.values()))
        return len(fresh)


def record_report(uow, envelope: dict) -> bool:
    """One ``intake.report_created`` (see ``record_reports``); True if it was new."""
    return record_reports(uow, [envelope]) > 0


def record_status_change(uow, envelope: dict, settings: Settings) -> dict | None:
    """``routing.report_status_changed``: the first time a folio becomes done, the sample
    decides (see ``sampling``); a reopening before the call excludes a pending case."""
    with uow:
        if not uow.claim(CONSUMER_STATUS_CHANGED, envelope["event_id"]):
            return None
        d = envelope["data"]
        at = datetime.fromisoformat(d["at"])
        if d["action"] == "reopen":
            store.exclude_pending(uow.session, [d["folio"]], "reopened", at)
            return None
        if d["to"] != "done":
            return None
        return decide(uow.session, d["folio"], d["agency"], d["department"], d["petition_type"], at, settings)


def decide(s, folio: int, agency: str, department: str, petition_type: str, finished_at: datetime,
           settings: Settings) -> dict | None:
    """Record the sampling decision of a folio that became done (once per folio)."""
    if store.get_decision(s, folio) is not None:
        return None
    period = _ensure_period(s, sampling.period_of(finished_at, settings.tz), settings, finished_at)
    rate = sampling.rate_for(period["rates"], agency)
    digest, sampled = sampling.decide(bytes(period["secret"]), folio, rate)
    row = {"folio": folio, "period": period["period"], "agency": agency, "department": department,
           "petition_type": petition_type, "finished_at": finished_at, "rate": rate, "digest": digest,
           "sampled": sampled}
    store.add_decision(s, row)
    if sampled:
        store.add_case(s, folio, period["period"])
        reason = _exclusion(s, store.get_report(s, folio))
        if reason:
            store.exclude_pending(s, [folio], reason, finished_at)
    return row


def _exclusion(s, report: dict | None) -> str | None:
    """Why a sampled report must not be called (None: call, or not known yet)."""
    if report is None:
        return None
    number = report["citizen_number"]
    if number is None:
        return "no_phone"
    scopes = store.opt_out_scopes(s, number)
    if "cancelled" in scopes:
        return "cancelled"
    if scopes & set(SCOPES):
        return "opposed"
    return None


# =========================================================================== the call queue

def _case_view(case: dict, settings: Settings) -> dict:
    return {"folio": case["folio"], "period": case["period"], "status": case["status"],
            "exclusion": case["exclusion"], "attempts": case["attempts"], "max_attempts": settings.max_attempts,
            "first_attempt_at": _iso(case["first_attempt_at"]), "next_call_at": _iso(case["next_call_at"]),
            "taken_by": case["taken_by"], "taken_until": _iso(case["taken_until"]),
            "closed_at": _iso(case["closed_at"])}


def _expired(case: dict, settings: Settings, now: datetime) -> bool:
    first = case["first_attempt_at"]
    return first is not None and now >= first + timedelta(days=settings.attempt_days)


def take_next(uow, actor, settings: Settings, read_citizen: Callable[[dict, int], dict | None],
              now: datetime | None = None) -> dict | None:
    """The next sampled report to call, held by the caller for ``lease_minutes``; two
    callers never get the same one (row lock, SKIP LOCKED, then the hold). The citizen's
    phone comes from citizens' logged read (reason «encuesta»); a case whose citizen
    cancelled or has no phone is excluded on the way, one whose days ran out is closed as
    not located. None when nothing is waiting."""
    who = policy.authorize(actor, policy.CALL)
    now = _now(now)
    for _ in range(TAKE_ROUNDS):
        with uow:
            s = uow.session
            case = store.next_case(s, now)
            if case is None:
                return None
            if _expired(case, settings, now):
                store.update_case(s, case["folio"], now, status="not_located", closed_at=now)
                continue
            reason = _exclusion(s, case)
            if reason:
                store.exclude_pending(s, [case["folio"]], reason, now)
                continue
            store.update_case(s, case["folio"], now, taken_by=who.username,
                              taken_until=now + timedelta(minutes=settings.lease_minutes))
            folio, number = case["folio"], case["citizen_number"]
        citizen = read_citizen(actor, number)
        reason = ("cancelled" if citizen and citizen.get("cancelled_at")
                  else None if citizen and citizen.get("phones") else "no_phone")
        if reason:
            with uow:
                store.exclude_pending(uow.session, [folio], reason, now)
            continue
        with uow:
            s = uow.session
            out = _case_view(store.get_case(s, folio), settings)
            decision = store.get_decision(s, folio)
            report = store.get_report(s, folio)
            q = store.latest_questionnaire(s, settings.questionnaire)
        out["report"] = {"agency": decision["agency"], "department": decision["department"],
                         "petition_type": decision["petition_type"], "channel": report["channel"],
                         "finished_at": decision["finished_at"].isoformat()}
        out["citizen"] = {"citizen_number": number, "full_name": citizen.get("full_name"),
                          "phones": list(citizen.get("phones") or [])}
        out["questionnaire"] = _questionnaire_view(q) if q else None
        return out
    return None


def _held(s, folio, who, now: datetime) -> dict:
    case = store.get_case(s, _folio(folio), lock=True)
    if case is None:
        raise NotFound(f"El folio {folio} no está en la muestra de encuestas.", "caso_no_encontrado")
    if case["status"] != "pending":
        raise Conflict(f"La encuesta del folio {folio} ya está cerrada ({case['status']}).", "caso_cerrado")
    if case["taken_by"] != who.username or case["taken_until"] is None or case["taken_until"] < now:
        raise Conflict(f"Tome primero el folio {folio} de la cola de llamadas.", "caso_no_tomado")
    return case


def _when(value, what: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise InvalidInput(f"Indique {what} como fecha y hora ISO 8601 con zona horaria.", "fecha_invalida")
    return moment


def record_attempt(uow, actor, folio, outcome, settings: Settings, call_back_at=None,
                   now: datetime | None = None) -> dict:
    """One call attempt with its outcome. ``no_answer`` and ``call_back`` (at the time the
    citizen asked) put the case back in the queue until ``max_attempts`` attempts or
    ``attempt_days`` days from the first one, then it closes as ``not_located``;
    ``wrong_number`` closes it as ``not_located`` and ``refused`` as ``refused``;
    ``answered`` keeps it held for the answers."""
    who = policy.authorize(actor, policy.CALL)
    now = _now(now)
    if outcome not in OUTCOMES:
        raise InvalidInput("El resultado de la llamada debe ser answered, no_answer, wrong_number, refused o "
                           "call_back.", "resultado_invalido")
    back = _when(call_back_at, "cuándo volver a llamar") if outcome == "call_back" else None
    if back is not None and back <= now:
        raise InvalidInput("La hora para volver a llamar debe ser futura.", "fecha_invalida")
    with uow:
        s = uow.session
        case = _held(s, folio, who, now)
        store.add_attempt(s, {"folio": case["folio"], "username": who.username, "outcome": outcome,
                              "call_back_at": back, "at": now})
        count = case["attempts"] + 1
        first = case["first_attempt_at"] or now
        values = {"attempts": count, "first_attempt_at": first}
        if outcome == "answered":
            values["taken_until"] = now + timedelta(minutes=settings.lease_minutes)
        elif outcome in ("refused", "wrong_number"):
            values |= {"status": "refused" if outcome == "refused" else "not_located", "closed_at": now,
                       "taken_by": None, "taken_until": None}
        else:
            values |= {"taken_by": None, "taken_until": None,
                       "next_call_at": back or now + timedelta(hours=settings.retry_hours)}
            if count >= settings.max_attempts or _expired({"first_attempt_at": first}, settings, now):
                values |= {"status": "not_located", "closed_at": now}
        store.update_case(s, case["folio"], now, **values)
        return _case_view(store.get_case(s, case["folio"]), settings)


def _event(row: dict) -> dict:
    return {"survey_id": row["id"], "folio": row["folio"], "source": row["source"],
            "score": float(row["score"]) if row["score"] is not None else None, "resolved": row["resolved"],
            "completed_at": row["completed_at"].isoformat()}


def submit_answers(uow, actor, folio, answers, settings: Settings,
                   reopen: Callable[[int, str], tuple[str, str | None]],
                   questionnaire_version: int | None = None, now: datetime | None = None) -> dict:
    """The answers of a held case, on the questionnaire version the caller used (default:
    the latest); the case is completed and ``survey_completed`` published. A «no» to the
    verification question («¿Se resolvió su reporte?») reopens the report through routing
    (as the system process ``surveys``, the survey as the reason); routing applies its
    reopening window, and the outcome is kept on the survey (``reopen_status``)."""
    who = policy.authorize(actor, policy.CALL)
    now = _now(now)
    questionnaire_version = _version(questionnaire_version)
    with uow:
        s = uow.session
        case = _held(s, folio, who, now)
        q = (store.questionnaire(s, settings.questionnaire, questionnaire_version)
             if questionnaire_version is not None else store.latest_questionnaire(s, settings.questionnaire))
        if q is None:
            raise NotFound("No existe esa versión del cuestionario.", "cuestionario_no_encontrado")
        checked = qn.check_answers(q["questions"], answers)
        decision = store.get_decision(s, case["folio"])
        report = store.get_report(s, case["folio"])
        last = store.attempts_of(s, case["folio"])[-1:] or [None]
        count = case["attempts"]
        if last[0] is None or last[0]["outcome"] != "answered":
            store.add_attempt(s, {"folio": case["folio"], "username": who.username, "outcome": "answered",
                                  "call_back_at": None, "at": now})
            count += 1
        row = store.add_answers(s, {
            "folio": case["folio"], "source": "phone", "citizen_number": report["citizen_number"],
            "agency": decision["agency"], "department": decision["department"],
            "petition_type": decision["petition_type"], "questionnaire_code": q["code"],
            "questionnaire_version": q["version"], "answers": checked, "score": qn.score(q["questions"], checked),
            "resolved": qn.resolved(q["questions"], checked), "completed_by": who.username, "completed_at": now})
        if row is None:
            raise Conflict(f"El folio {folio} ya tiene su encuesta telefónica.", "encuesta_ya_registrada")
        store.update_case(s, case["folio"], now, status="completed", closed_at=now, attempts=count,
                          first_attempt_at=case["first_attempt_at"] or now, taken_by=None, taken_until=None)
        uow.add_event("survey_completed", _event(row))
    if row["resolved"] is False:
        status, detail = reopen(row["folio"], REOPEN_REASON.format(survey_id=row["id"]))
        with uow:
            store.set_reopen(uow.session, row["id"], status, detail)
            row = store.get_answers(uow.session, row["id"])
    return _answer_view(row, personal=True)


#: reopening outcomes worth another try: routing failed, or did not grant surveys yet
RETRY_REOPEN = ("failed", "forbidden")


def retry_reopens(uow, reopen: Callable[[int, str], tuple[str, str | None]], settings: Settings,
                  now: datetime | None = None, limit: int = 50) -> int:
    """Try again the reopenings that failed (timer): only within ``reopen_days`` of the
    survey, where routing's own window still matters. Returns how many were reopened now."""
    now = _now(now)
    with uow:
        todo = store.reopens_to_retry(uow.session, now - timedelta(days=settings.reopen_days), RETRY_REOPEN, limit)
    done = 0
    for row in todo:
        status, detail = reopen(row["folio"], REOPEN_REASON.format(survey_id=row["id"]))
        with uow:
            store.set_reopen(uow.session, row["id"], status, detail)
        done += status == "reopened"
    return done


# =========================================================================== app self-rating

def rate_report(uow, actor, folio, score, settings: Settings, comment=None, now: datetime | None = None) -> dict:
    """A citizen whose report came through an app or web channel rates it once (1–5, an
    optional comment), after it was finished; the gateway vouched for the tracking token
    (actor ``citizen`` of that folio)."""
    folio = _folio(folio)
    policy.authorize(actor, policy.RATE, folio=folio)
    now = _now(now)
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise InvalidInput("La calificación es un entero del 1 al 5.", "calificacion_invalida")
    comment = qn.optional_text(comment, "El comentario", "comentario_invalido")
    with uow:
        s = uow.session
        report = store.get_report(s, folio)
        if report is None:
            raise NotFound(f"No existe el reporte con folio {folio}.", "reporte_no_encontrado")
        if report["channel"] not in settings.app_channels:
            raise Conflict("Este reporte no llegó por la app ni por el portal: su encuesta es telefónica.",
                           "canal_sin_autoevaluacion")
        decision = store.get_decision(s, folio)
        if decision is None:
            raise Conflict(f"El reporte {folio} aún no está terminado; podrá calificarlo cuando lo esté.",
                           "reporte_no_terminado")
        row = store.add_answers(s, {
            "folio": folio, "source": "app", "citizen_number": report["citizen_number"],
            "agency": decision["agency"], "department": decision["department"],
            "petition_type": decision["petition_type"], "answers": {"calificacion": score}, "score": score,
            "resolved": None, "comment": comment, "completed_by": f"citizen:{folio}",
            "completed_at": now})
        if row is None:
            raise Conflict(f"El reporte {folio} ya fue calificado.", "ya_calificado")
        uow.add_event("survey_completed", _event(row))
    return {"folio": folio, "score": score, "completed_at": now.isoformat()}


# =========================================================================== follow-up calls

def log_follow_up(uow, actor, folio, kind, note=None, now: datetime | None = None) -> dict:
    """A call outside the sample (a supervisor's follow-up, a verification, a citizen calling
    back) logged against a folio; ``follow_up_call_logged`` for the monthly indicator."""
    who = policy.authorize(actor, policy.CALL)
    folio = _folio(folio)
    now = _now(now)
    if kind not in FOLLOW_UP_KINDS:
        raise InvalidInput("El tipo de llamada debe ser follow_up, verification o callback.", "tipo_invalido")
    note = qn.optional_text(note, "La nota", "nota_invalida")
    with uow:
        if store.get_report(uow.session, folio) is None:
            raise NotFound(f"No existe el reporte con folio {folio}.", "reporte_no_encontrado")
        row = store.add_follow_up(uow.session, {"folio": folio, "kind": kind, "note": note,
                                                "logged_by": who.username, "logged_at": now})
        uow.add_event("follow_up_call_logged", {"call_id": row["id"], "folio": folio, "kind": kind,
                                                "logged_at": now.isoformat()})
    return {"call_id": row["id"], "folio": folio, "kind": kind, "note": row["note"], "logged_by": who.username,
            "logged_at": now.isoformat()}


def monthly_calls(uow, actor, year, settings: Settings) -> dict:
    """Calls per month of ``year``: follow-up calls by kind, and survey call attempts."""
    policy.authorize(actor, policy.READ_ALL)
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2099:
        raise InvalidInput("Indique el año (p. ej. 2026).", "anio_invalido")
    start, _ = sampling.bounds(f"{year:04d}-01", settings.tz)
    _, end = sampling.bounds(f"{year:04d}-12", settings.tz)
    tz = settings.tz.key
    with uow:
        follow = store.follow_ups_by_month(uow.session, start, end, tz)
        survey = store.phone_surveys_by_month(uow.session, start, end, tz)
    months = {f"{year:04d}-{m:02d}": {"month": f"{year:04d}-{m:02d}", "follow_up": 0, "verification": 0,
                                      "callback": 0, "follow_up_total": 0, "survey_attempts": 0}
              for m in range(1, 13)}
    for r in follow:
        months[r["month"]][r["kind"]] += r["calls"]
        months[r["month"]]["follow_up_total"] += r["calls"]
    for r in survey:
        months[r["month"]]["survey_attempts"] += r["calls"]
    return {"year": year, "months": list(months.values())}


# =========================================================================== questionnaires

def _questionnaire_view(q: dict) -> dict:
    return {"code": q["code"], "version": q["version"], "title": q["title"], "questions": q["questions"],
            "created_by": q["created_by"], "created_at": _iso(q["created_at"])}


def list_questionnaires(uow, actor) -> list[dict]:
    policy.authorize(actor, policy.READ_QUESTIONNAIRE)
    with uow:
        return [_questionnaire_view(q) for q in store.list_questionnaires(uow.session)]


def get_questionnaire(uow, actor, code, version=None) -> dict:
    policy.authorize(actor, policy.READ_QUESTIONNAIRE)
    code, version = qn.check_code(code), _version(version)
    with uow:
        q = (store.questionnaire(uow.session, code, version) if version is not None
             else store.latest_questionnaire(uow.session, code))
    if q is None:
        raise NotFound(f"No existe el cuestionario «{code}»" + (f" versión {version}." if version else "."),
                       "cuestionario_no_encontrado")
    return _questionnaire_view(q)


def save_questionnaire(uow, actor, code, title, questions) -> dict:
    """A new version of questionnaire ``code`` (the first one creates it); answers already
    given keep the version they used."""
    who = policy.authorize(actor, policy.EDIT_QUESTIONNAIRE)
    code = qn.check_code(code)
    title = qn.check_title(title)
    checked = qn.check_questions(questions)
    with uow:
        latest = store.latest_questionnaire(uow.session, code)
        row = store.add_questionnaire(uow.session, {"code": code, "version": (latest["version"] + 1) if latest else 1,
                                                    "title": title, "questions": checked,
                                                    "created_by": who.username})
    return _questionnaire_view(row)


# =========================================================================== results

def _answer_view(row: dict, personal: bool, answers: dict | None = None) -> dict:
    """A survey; ``personal``: with the citizen number, who called, the comment and the
    reopening's detail; ``answers``: what to show instead of every answer."""
    out = {"survey_id": row["id"], "folio": row["folio"], "source": row["source"], "agency": row["agency"],
           "department": row["department"], "petition_type": row["petition_type"],
           "questionnaire_code": row["questionnaire_code"], "questionnaire_version": row["questionnaire_version"],
           "answers": row["answers"] if answers is None else answers,
           "score": float(row["score"]) if row["score"] is not None else None, "resolved": row["resolved"],
           "completed_at": row["completed_at"].isoformat(), "reopen_status": row["reopen_status"]}
    if personal:
        out |= {"citizen_number": row["citizen_number"], "completed_by": row["completed_by"],
                "comment": row["comment"], "reopen_detail": row["reopen_detail"]}
    return out


def _results_scope(actor, agency):
    who = policy.authorize(actor, policy.READ_RESULTS)
    agency = _agency(agency)
    scope = policy.agency_scope(who)
    if scope and agency not in (None, scope):
        raise Forbidden("Solo puede consultar los resultados de su dependencia.", "prohibido")
    return who, scope or agency


def _surveys_page(uow, actor, settings: Settings, period, agency, source, after_id, limit, export: bool) -> dict:
    who, agency = _results_scope(actor, agency)
    if source not in (None, "phone", "app"):
        raise InvalidInput("El origen de la encuesta es phone o app.", "origen_invalido")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 1000:
        raise InvalidInput("El límite debe estar entre 1 y 1000.", "limite_invalido")
    if isinstance(after_id, bool) or not isinstance(after_id, int) or after_id < 0:
        raise InvalidInput("«after_id» debe ser un entero no negativo.", "cursor_invalido")
    span = sampling.bounds(_period(period), settings.tz) if period else None
    full = policy.sees_citizen_numbers(who) and not export
    with uow:
        rows = store.list_answers(uow.session, span, agency, source, after_id, limit)
        items = [_answer_view(r, personal=full, answers=None if full else _kept_answers(uow.session, r))
                 for r in rows]
    return {"items": items, "next_after_id": items[-1]["survey_id"] if len(items) == limit else None}


def list_surveys(uow, actor, settings: Settings, period=None, agency=None, source=None, after_id=0,
                 limit=100) -> dict:
    """Completed surveys (phone and app), oldest first, by keyset (``after_id``). Agency
    staff: their agency, without citizen numbers nor free text; supervisors, admins and
    auditors: everything, verification included."""
    return _surveys_page(uow, actor, settings, period, agency, source, after_id, limit, export=False)


def export_surveys(uow, actor, settings: Settings, period=None, agency=None, source=None, after_id=0,
                   limit=1000) -> dict:
    """A page of answers for a spreadsheet: never a citizen number nor free text."""
    return _surveys_page(uow, actor, settings, period, agency, source, after_id, limit, export=True)


def export_file(uow, actor, settings: Settings, period=None, agency=None, source=None, now=None) -> dict:
    """The answers ``export_surveys`` pages, up to 100,000, as an XLSX file
    (``files.answers_xlsx``): ``{content_b64, media_type, filename, rows}``."""
    def page_after(after_id):
        return export_surveys(uow, actor, settings, period, agency, source, after_id, files.EXPORT_PAGE)
    return files.answers_xlsx(page_after, (now or datetime.now(timezone.utc)).astimezone(settings.tz))


def survey_summary(uow, actor, settings: Settings, period=None, agency=None) -> dict:
    """Per agency and source: surveys, mean score, verification yes/no, reports reopened."""
    _, agency = _results_scope(actor, agency)
    span = sampling.bounds(_period(period), settings.tz) if period else None
    with uow:
        rows = store.summarize_answers(uow.session, span, agency)
    return {"period": period, "agency": agency, "rows": [
        {"agency": r["agency"], "source": r["source"], "surveys": r["surveys"],
         "mean_score": round(float(r["mean_score"]), 2) if r["mean_score"] is not None else None,
         "resolved_yes": r["resolved_yes"], "resolved_no": r["resolved_no"], "reopened": r["reopened"]}
        for r in rows]}


def list_cases(uow, actor, settings: Settings, status=None, period=None, limit=100, offset=0) -> list[dict]:
    """The call queue and its outcomes (supervisors, admins, auditors)."""
    policy.authorize(actor, policy.READ_ALL)
    if status not in (None, "pending", "completed", "not_located", "refused", "excluded"):
        raise InvalidInput("Estado desconocido.", "estado_invalido")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 1000 \
            or isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise InvalidInput("Límite entre 1 y 1000, desplazamiento no negativo.", "limite_invalido")
    with uow:
        rows = store.list_cases(uow.session, status, _period(period) if period else None, limit, offset)
    return [_case_view(r, settings) | {"agency": r["agency"], "department": r["department"],
                                       "petition_type": r["petition_type"]} for r in rows]


# =========================================================================== the audit

def _decisions(rows: list[dict]) -> list[sampling.Decision]:
    return [sampling.Decision(folio=r["folio"], agency=r["agency"], sampled=r["sampled"], status=r["status"],
                              exclusion=r["exclusion"], called=bool(r["called"])) for r in rows]


def _period_and_decisions(uow, actor, period) -> tuple[dict, list[dict]]:
    """The period's row and its decisions, for those who may audit."""
    policy.authorize(actor, policy.AUDIT)
    period = _period(period)
    with uow:
        row = store.get_period(uow.session, period)
        if row is None:
            raise NotFound(f"No hay muestra del periodo {period}.", "periodo_no_encontrado")
        return row, store.period_decisions(uow.session, period)


def period_decisions(uow, actor, period, now: datetime | None = None) -> dict:
    """Everything an auditor needs to recompute a period offline (``python -m
    surveys.audit``): the period (its secret once it ended) and every decision."""
    row, rows = _period_and_decisions(uow, actor, period)
    return {"period": _period_view(row, _now(now)), "decisions": [
        {"folio": r["folio"], "agency": r["agency"], "department": r["department"],
         "finished_at": r["finished_at"].isoformat(), "rate": r["rate"], "digest": r["digest"],
         "sampled": r["sampled"], "status": r["status"], "exclusion": r["exclusion"], "called": bool(r["called"])}
        for r in rows]}


def _finished_list(finished) -> list[tuple[int, str | None]] | None:
    if finished is None:
        return None
    if not isinstance(finished, list) or len(finished) > 1_000_000:
        raise InvalidInput("La lista de folios terminados no es válida.", "lista_invalida")
    out = []
    for item in finished:
        if isinstance(item, dict):
            out.append((_folio(item.get("folio")), item.get("agency")))
        else:
            out.append((_folio(item), None))
    return out


def audit_period(uow, actor, period, finished=None, now: datetime | None = None) -> dict:
    """Recompute a finished period's sample from its revealed secret and compare it with
    what was decided and called; ``finished`` (folios, or ``{folio, agency}``) is the
    auditor's own list of the reports that became done in the period (default: the
    folios surveys recorded)."""
    listed = _finished_list(finished)
    now = _now(now)
    row, rows = _period_and_decisions(uow, actor, period)
    period = row["period"]
    if not sampling.when_revealed(row["ends_at"], now):
        raise Conflict(f"El periodo {period} no ha terminado: su secreto se revela al terminar.",
                       "periodo_en_curso")
    return sampling.audit(period=period, commitment_hex=row["commitment"], secret_hex=bytes(row["secret"]).hex(),
                          rates=row["rates"], decisions=_decisions(rows), finished=listed,
                          committed_at=row["committed_at"], starts_at=row["starts_at"])
