"""The history import (CONTRACTS.md §1.1, `manage.py import_history FILE`): a province moving from its previous
one-stop software brings its dossiers with their events, replayed through the same services at each event's
moment, so that the rule version and the calendar in force then give the deadlines, and every figure (form 06,
the tracking book, the ledger) is what this system would have produced had it been there.

The file is JSON Lines, one dossier a line::

    {"office": "01", "procedure": "1.009020", "channel": "direct", "code": "000.00.01.H29-250424-0001",
     "applicant": {"name": …, "id_number": …, "phone": …, "email": …, "address": …, "kind": "citizen"},
     "summary": "…",
     "events": [{"at": "2025-04-24T09:00:00+07:00", "action": "receive", "actor": "tiepnhan.hn"},
                {"at": "2025-04-24T10:00:00+07:00", "action": "start", "actor": "tiepnhan.hn",
                 "assignee": "chuyenvien.hn"}, …]}

Decisions (documented here, the one place that implements them):

* **Actions.** `receive`, `accept`, `start`, `request-supplement` {`reason`, `documents`}, `supplement-received`
  {`in_person`}, `resolve` {`outcome`, `result_summary`}, `return` {`returned_to`, `in_person` or `channel`:
  `counter` = in person}, `refuse` {`reason`}, `withdraw` {`reason`}, `apology` {`reason`, `new_appointment_at`}
  — the same services, bodies and rules as the API (`run_action`), each at its `at`. The first event is
  `receive` and only the first.
* **Channels.** `direct` and `postal`: `receive` is the intake at the desk (`dossier_receive` with
  `received_at`). `online`: `receive` is the dossier's arrival from the national portal, stored `submitted`
  (source national portal, no legal clock), and its `accept` event starts the clock as `dossier_accept` does;
  an online dossier without `accept` stays submitted (or is refused / withdrawn by its next events).
* **Apology.** Issued at its moment (`apology_slip_issue(at=)`) by its actor, who must be a signer (the director
  or a deputy of the office); it is numbered in the year of its moment.
* **Codes.** A `code` given is kept as is: it must have the shape `<agency code>-<YYMMDD>-<NNNN>` and be free;
  without one the code is the next of the receipt day (`next_dossier_code`).
* **Idempotency.** A line is *already there* when its dossier is: by `code` when the line has one (a code held
  by a dossier of another office or applicant is a conflict: rejected), otherwise by the fingerprint office +
  procedure + applicant's ID number + the first event's moment (the dossier's `submitted_at`), checked by query
  (two intakes of one applicant for one procedure at one office in the same microsecond are one). Nothing is
  stored for the fingerprint: importing the same file again finds the same rows.
* **One transaction per line.** A line that breaks a rule is rejected whole (its dossier rolled back, its code
  number given back) with its line number and the reason in Vietnamese; the next line goes on.
* **Nobody is told.** The events are a record of the past (`events.replaying`): no SMS, e-mail or Zalo to the
  applicant, no progress pushed to the national portal while importing.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from core.models import Office, User
from core.scoping import office_in_scope
from workcal import calendar

from . import events, services
from .codes import is_dossier_code
from .errors import CoreError, DomainError, HistoryError
from .events import DossierAction
from .models import ApplicantKind, Channel, Dossier, Procedure
from .services.apology import apology_slip_issue
from .validators import validate_applicant_id, validate_phone

log = logging.getLogger(__name__)

ACTIONS = ("receive", "accept", "start", "request-supplement", "supplement-received", "resolve", "return", "refuse",
           "withdraw", "apology")
# The body every lifecycle action reads (the API's ActionIn defaults); an event's own fields override them.
BODY_DEFAULTS = {"assignee": None, "reason": "", "documents": [], "outcome": "", "result_summary": "",
                 "returned_to": "", "unit": "", "note": "", "in_person": None}
RETURN_CHANNELS = {"counter": True, "postal": False, "online": False}


@dataclass
class HistoryImportSummary:
    imported: int = 0
    already: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)
    codes: list[str] = field(default_factory=list)  # the codes of the dossiers imported, in file order

    @property
    def ok(self) -> bool:
        return not self.rejected


class _Already(Exception):
    """The line's dossier is in the database already."""


# --- parsing one line ------------------------------------------------------------------------------------

def _error(code: HistoryError, /, **params) -> DomainError:
    return DomainError(code, **params)


def _text(data: dict, name: str, *, required=True, limit=4000) -> str:
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise _error(HistoryError.FIELD_MISSING, field=name)
        return ""
    if not isinstance(value, str):
        raise _error(HistoryError.FIELD_INVALID, field=name, error="phải là chuỗi ký tự")
    if len(value) > limit:
        raise _error(HistoryError.FIELD_INVALID, field=name, error=f"dài quá {limit} ký tự")
    return value.strip()


def parse_moment(value, name: str) -> datetime:
    """An ISO 8601 moment with its offset (a moment without one is ambiguous, so refused)."""
    if not isinstance(value, str):
        raise _error(HistoryError.MOMENT_INVALID, field=name)
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise _error(HistoryError.MOMENT_INVALID, field=name) from exc
    if timezone.is_naive(moment):
        raise _error(HistoryError.MOMENT_INVALID, field=name)
    return moment


def _applicant(data) -> dict:
    """The applicant as `POST /dossiers/` takes it, with the same validators (normalised ID and phone)."""
    if not isinstance(data, dict):
        raise _error(HistoryError.FIELD_MISSING, field="applicant")
    kind = data.get("kind") or ApplicantKind.CITIZEN
    if kind not in ApplicantKind.values:
        raise _error(HistoryError.FIELD_INVALID, field="applicant.kind", error=", ".join(ApplicantKind.values))
    applicant = {"kind": kind, "name": _text(data, "name", limit=200), "address": _text(data, "address",
                                                                                       required=False, limit=300)}
    for name, check in (("id_number", lambda v: validate_applicant_id(kind, v)), ("phone", validate_phone),
                        ("email", lambda v: validate_email(v) or v)):
        value = _text(data, name, required=name == "id_number", limit=300)
        try:
            applicant[name] = check(value) if value else ""
        except ValidationError as exc:
            raise _error(HistoryError.FIELD_INVALID, field=f"applicant.{name}", error=" ".join(exc.messages)) from exc
    return applicant


def _code(value) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not is_dossier_code(value.strip()):
        raise _error(HistoryError.CODE_INVALID, code=value)
    return value.strip()


@dataclass
class _Event:
    number: int  # 1-based position in the line's events
    at: datetime
    action: str
    actor: User
    body: dict


@dataclass
class _Line:
    office: Office
    procedure: Procedure
    channel: str
    applicant: dict
    summary: str
    code: str | None
    events: list[_Event]


def _parse(raw: str, users: dict) -> _Line:
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise _error(HistoryError.BAD_JSON, error=str(exc)) from exc
    if not isinstance(data, dict):
        raise _error(HistoryError.NOT_AN_OBJECT)
    office_code = _text(data, "office", limit=20)
    office = Office.objects.current().filter(code=office_code).first()
    if office is None:
        raise _error(HistoryError.UNKNOWN_OFFICE, code=office_code)
    procedure_code = _text(data, "procedure", limit=40)
    procedure = Procedure.objects.filter(code=procedure_code).first()
    if procedure is None:
        raise _error(HistoryError.UNKNOWN_PROCEDURE, code=procedure_code)
    channel = _text(data, "channel", limit=10)
    if channel not in Channel.values:
        raise _error(HistoryError.FIELD_INVALID, field="channel", error=", ".join(Channel.values))
    raw_events = data.get("events")
    if not isinstance(raw_events, list) or not raw_events:
        raise _error(HistoryError.NO_EVENTS)
    line = _Line(office=office, procedure=procedure, channel=channel, applicant=_applicant(data.get("applicant")),
                 summary=_text(data, "summary", required=False), code=_code(data.get("code")), events=[])
    for number, item in enumerate(raw_events, start=1):
        line.events.append(_parse_event(number, item, office, users))
    if line.events[0].action != DossierAction.RECEIVE:
        raise _error(HistoryError.FIRST_NOT_RECEIVE)
    if any(e.action == DossierAction.RECEIVE for e in line.events[1:]):
        raise _error(HistoryError.RECEIVE_AGAIN)
    return line


def _parse_event(number: int, item, office, users: dict) -> _Event:
    if not isinstance(item, dict):
        raise _error(HistoryError.FIELD_INVALID, field=f"events[{number}]", error="phải là một đối tượng JSON")
    action = item.get("action")
    if action not in ACTIONS:
        raise _error(HistoryError.UNKNOWN_ACTION, action=action)
    at = parse_moment(item.get("at"), f"events[{number}].at")
    username = _text(item, "actor", limit=150)
    if username not in users:
        users[username] = User.objects.filter(username=username, is_active=True).select_related("office").first()
    actor = users[username]
    if actor is None:
        raise _error(HistoryError.UNKNOWN_ACTOR, username=username)
    if not office_in_scope(actor, office):
        raise _error(HistoryError.ACTOR_OUT_OF_SCOPE, username=username, office=office.name)
    body = {name: value for name, value in item.items() if name not in ("at", "action", "actor")}
    return _Event(number=number, at=at, action=action, actor=actor, body=_body(number, action, body))


def _body(number: int, action: str, body: dict) -> dict:
    """The action's fields, type-checked as the API's ActionIn would."""
    where = f"events[{number}]"
    for name in ("assignee", "reason", "outcome", "result_summary", "returned_to", "unit", "note"):
        if body.get(name) is not None and not isinstance(body[name], str):
            raise _error(HistoryError.FIELD_INVALID, field=f"{where}.{name}", error="phải là chuỗi ký tự")
    documents = body.get("documents", [])
    if not isinstance(documents, list) or not all(isinstance(d, str) for d in documents):
        raise _error(HistoryError.FIELD_INVALID, field=f"{where}.documents", error="phải là danh sách chuỗi ký tự")
    if "channel" in body and action == DossierAction.RETURN:
        if body["channel"] not in RETURN_CHANNELS:
            raise _error(HistoryError.FIELD_INVALID, field=f"{where}.channel", error=", ".join(RETURN_CHANNELS))
        body.setdefault("in_person", RETURN_CHANNELS[body["channel"]])
    if body.get("in_person") is not None and not isinstance(body["in_person"], bool):
        raise _error(HistoryError.FIELD_INVALID, field=f"{where}.in_person", error="true hoặc false")
    if action == DossierAction.APOLOGY:
        body["new_appointment_at"] = parse_moment(body.get("new_appointment_at"), f"{where}.new_appointment_at")
    return body


# --- replaying one line ----------------------------------------------------------------------------------

def _existing(line: _Line) -> Dossier | None:
    """The line's dossier if it is in the database already (by code, else by fingerprint); a code held by
    another dossier is a conflict."""
    if line.code:
        dossier = Dossier.objects.filter(code=line.code).first()
        if dossier is not None and (dossier.office_id != line.office.pk
                                    or dossier.applicant_id_number != line.applicant["id_number"]):
            raise _error(HistoryError.CODE_TAKEN, code=line.code)
        return dossier
    return Dossier.objects.filter(office=line.office, procedure=line.procedure,
                                  applicant_id_number=line.applicant["id_number"],
                                  submitted_at=line.events[0].at).first()


def _receive(line: _Line, event: _Event) -> Dossier:
    common = {"actor": event.actor, "procedure": line.procedure, "applicant": line.applicant, "office": line.office,
              "summary": line.summary, "code": line.code}
    if line.channel == Channel.ONLINE:
        return services.dossier_submit_online(submitted_at=event.at, **common)
    return services.dossier_receive(channel=line.channel, received_at=event.at, **common)


def _replay(line: _Line) -> Dossier:
    dossier = None
    for event in line.events:
        try:
            if event.action == DossierAction.RECEIVE:
                dossier = _receive(line, event)
            elif event.action == DossierAction.APOLOGY:
                apology_slip_issue(actor=event.actor, dossier=dossier, reason=event.body.get("reason", ""),
                                   new_appointment_at=event.body["new_appointment_at"], at=event.at)
            else:
                dossier = services.run_action(event.action, actor=event.actor, dossier=dossier, at=event.at,
                                              body={**BODY_DEFAULTS, **event.body})
        except DomainError as exc:
            raise _error(HistoryError.IN_EVENT, number=event.number, action=event.action,
                         at=f"{timezone.localtime(event.at):%d/%m/%Y %H:%M}", reason=exc.message) from exc
    return dossier


def _import_line(raw: str, users: dict) -> Dossier:
    line = _parse(raw, users)
    if _existing(line) is not None:
        raise _Already
    return _replay(line)


# --- the service -----------------------------------------------------------------------------------------

def history_import(lines: Iterable[str], *, on_line: Callable[[], None] | None = None) -> HistoryImportSummary:
    """Import a province's history, one dossier a line (see the module's doc); blank lines are skipped.
    Each line is one transaction; the summary counts what was imported, what was there already and the lines
    rejected with their number (1-based, as in the file) and reason."""
    summary = HistoryImportSummary()
    users: dict[str, User | None] = {}
    with calendar.pinned(), events.replaying():
        for number, raw in enumerate(lines, start=1):
            if raw.strip():
                _one(number, raw, users, summary)
            if on_line:
                on_line()
    return summary


def _one(number: int, raw: str, users: dict, summary: HistoryImportSummary) -> None:
    try:
        with transaction.atomic():
            dossier = _import_line(raw, users)
    except _Already:
        summary.already += 1
    except DomainError as exc:
        summary.rejected.append((number, exc.message))
    except Exception as exc:  # noqa: BLE001 - one broken line must not stop a province's import
        log.exception("import_history: line %s crashed", number)
        summary.rejected.append((number, f"{CoreError.INTERNAL_ERROR.format()} ({type(exc).__name__}: {exc})"))
    else:
        summary.imported += 1
        summary.codes.append(dossier.code)


def history_line(*, office: str, procedure: str, channel: str, applicant: dict, events: list[dict],
                 code: str | None = None, summary: str = "") -> str:
    """One JSON line of the import format (for scripts, the demo and tests): moments may be datetimes."""
    def encode(value):
        if isinstance(value, (datetime, date)):
            return value.isoformat()
        raise TypeError(type(value))

    data = {"office": office, "procedure": procedure, "channel": channel, "applicant": applicant,
            "summary": summary, "events": events}
    if code:
        data["code"] = code
    return json.dumps(data, ensure_ascii=False, default=encode)
