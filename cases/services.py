"""Writes of the dossier lifecycle (DOMAIN.md §2, CONTRACTS.md §1.3).

Each function is one use case in one transaction: it locks the dossier, checks the rule, changes the row,
appends a DossierEvent and queues its side effects (outbox rows) in the same transaction.
"""
from datetime import datetime, time

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from core.models import Office, User
from core.scoping import can_write, visible_offices
from notifications.services import outbox_enqueue
from workcal import calendar

from . import errors, versions
from .errors import DomainError
from .models import (
    OPEN_STATUSES,
    Channel,
    Dossier,
    DossierEvent,
    IntakeGuidance,
    Outcome,
    ProcessStep,
    Procedure,
    Source,
    Status,
    SupplementRequest,
    Trip,
)
from .timeliness import timeliness

DESK_UNIT = "Bộ phận Tiếp nhận và Trả kết quả"
EARLIEST_RECEIPT_YEAR = 2015  # the first year of the materialised working-day calendar
PROCESSING_UNIT = "Phòng nghiệp vụ"


# --- helpers --------------------------------------------------------------------------------------------

def _require_writer(actor):
    if not can_write(actor):
        raise DomainError(errors.READ_ONLY_ROLE, "Tài khoản của bạn chỉ có quyền xem.", status=403)


def _require_office_in_scope(actor, office):
    if not actor.sees_all_offices and not visible_offices(actor).filter(pk=office.pk).exists():
        raise DomainError(errors.OFFICE_OUT_OF_SCOPE, "Bạn không thuộc đơn vị này.", status=403)


def record_event(dossier, *, actor, action, from_status="", to_status="", note="", data=None, at=None):
    event = DossierEvent.objects.create(
        dossier=dossier, at=at or timezone.now(), actor=actor,
        actor_name=actor.display_name if actor else "Hệ thống", action=action,
        from_status=from_status, to_status=to_status or dossier.status, note=note, data=data or {},
    )
    _after_event(dossier, event)
    return event


def _after_event(dossier, event):
    """Side effects of a change, queued in the same transaction: progress back to the national portal, and a
    message to the applicant on the events they must hear about."""
    if dossier.source == Source.NATIONAL_PORTAL and event.to_status and event.to_status != Status.SUBMITTED:
        from portal.outbox import queue_dossier_progress

        queue_dossier_progress(dossier, event)
    text = _applicant_message(dossier, event)
    if text:
        for channel, recipient in (("sms", dossier.applicant_phone), ("email", dossier.applicant_email)):
            if recipient:
                outbox_enqueue(channel=channel, kind=f"dossier.{event.action}", recipient=recipient,
                               idempotency_key=f"dossier-event:{event.pk}:{channel}", office=dossier.office,
                               dossier_code=dossier.code, subject=f"Hồ sơ {dossier.code}", body=text)


def _applicant_message(dossier, event) -> str:
    local = timezone.localtime
    if event.action in ("receive", "accept"):
        return (f"BHXH: Ho so {dossier.code} da duoc tiep nhan. Hen tra ket qua: "
                f"{local(dossier.appointment_at):%d/%m/%Y %H:%M}.")
    if event.action == "request-supplement":
        return f"BHXH: Ho so {dossier.code} can bo sung giay to. Vui long xem phieu yeu cau bo sung."
    if event.action == "resolve":
        return f"BHXH: Ho so {dossier.code} da co ket qua. Vui long nhan ket qua theo hen."
    if event.action == "refuse":
        return f"BHXH: Ho so {dossier.code} bi tu choi. Ly do: {event.note[:80]}"
    return ""


def _lock(dossier) -> Dossier:
    # of=("self",): rule_version is nullable (a LEFT JOIN), which PostgreSQL cannot lock; only the row is locked.
    return (Dossier.objects.select_for_update(of=("self",)).select_related("procedure", "office", "rule_version")
            .get(pk=dossier.pk))


def _check_from(dossier, action, allowed):
    if dossier.status not in allowed:
        raise DomainError(
            errors.ACTION_NOT_ALLOWED,
            f"Không thể thực hiện “{ACTION_LABELS[action]}” với hồ sơ đang ở trạng thái "
            f"“{Status(dossier.status).label}”.",
            status=409, current_status=dossier.status,
        )


def _count_trip(dossier, purpose, officer, at):
    Trip.objects.create(dossier=dossier, office=dossier.office, procedure=dossier.procedure,
                        applicant_id_number=dossier.applicant_id_number, officer=officer, at=at, purpose=purpose)
    Dossier.objects.filter(pk=dossier.pk).update(trip_count=dossier.trip_count + 1)
    dossier.trip_count += 1


def _set_clock(dossier, start_moment: datetime):
    """Start (or restart) the legal clock from a moment of receipt under the dossier's rule version; the
    appointment follows the legal due."""
    office, version = dossier.office, versions.version_of(dossier)
    dossier.clock_started_at = calendar.clock_start(start_moment, office)
    dossier.legal_due_at = calendar.due_at_for_limit(start_moment, version.time_limit_value, version.time_limit_unit,
                                                     office, version.same_day_cutoff)
    dossier.apologise_by = calendar.apologise_by(dossier.legal_due_at, office)


def next_dossier_code(office: Office, day) -> str:
    """`<agency code>-<YYMMDD>-<NNNN>`, gap-free per office and day (Circular 01/2018 Art. 19).

    One upsert that increments and returns the counter; its row lock is held until the intake transaction
    commits, so concurrent intakes at one office are serialised and a rolled-back intake gives its number back.
    """
    if not office.agency_code:
        raise DomainError(errors.OFFICE_HAS_NO_AGENCY_CODE,
                          f"{office.name} chưa có mã định danh điện tử, chưa thể cấp mã hồ sơ.", status=409)
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO cases_dailysequence (office_id, day, last) VALUES (%s, %s, 1) "
                "ON CONFLICT (office_id, day) DO UPDATE SET last = cases_dailysequence.last + 1 RETURNING last",
                [office.pk, day],
            )
            number = cursor.fetchone()[0]
        code = f"{office.agency_code}-{day:%y%m%d}-{number:04d}"
        # A dossier filed on the national portal may already carry this number (same agency, same series).
        if not Dossier.objects.filter(code=code).exists():
            return code


# --- intake ---------------------------------------------------------------------------------------------

@transaction.atomic
def dossier_receive(*, actor: User, procedure: Procedure, applicant: dict, channel: str, summary: str = "",
                    office: Office | None = None, received_at: datetime | None = None) -> Dossier:
    """Receive a complete dossier at the desk (or by post): code, legal clock, appointment, Form 01, trip."""
    _require_writer(actor)
    office = office or actor.office
    if office is None:
        raise DomainError(errors.OFFICE_OUT_OF_SCOPE, "Tài khoản chưa gắn với đơn vị nào.", status=400)
    _require_office_in_scope(actor, office)
    if not procedure.active:
        raise DomainError(errors.PROCEDURE_INACTIVE, "Thủ tục này đã ngừng áp dụng.", status=400)
    if procedure.channels and channel not in procedure.channels:
        raise DomainError(errors.CHANNEL_NOT_OFFERED,
                          f"Thủ tục này không tiếp nhận qua kênh “{Channel(channel).label}”.", status=400)
    now = timezone.now()
    received_at = received_at or now
    if received_at > now + timezone.timedelta(minutes=5):
        raise DomainError(errors.RECEIVED_IN_FUTURE, "Thời điểm tiếp nhận không được ở tương lai.", status=400)
    received_at = min(received_at, now)  # a few minutes of clock skew is tolerated, never kept
    if received_at.year < EARLIEST_RECEIPT_YEAR:
        raise DomainError(errors.RECEIVED_TOO_EARLY, f"Thời điểm tiếp nhận phải từ năm {EARLIEST_RECEIPT_YEAR}.",
                          status=400)
    version = versions.version_for_receipt(procedure, received_at)
    versions.check_taking(version, received_at)

    dossier = Dossier(
        code=next_dossier_code(office, timezone.localtime(received_at).date()),
        office=office, procedure=procedure, rule_version=version, status=Status.RECEIVED, channel=channel, source=Source.DESK,
        applicant_name=applicant["name"], applicant_kind=applicant.get("kind", "citizen"),
        applicant_id_number=applicant["id_number"], applicant_phone=applicant.get("phone", ""),
        applicant_email=applicant.get("email", ""), applicant_address=applicant.get("address", ""),
        summary=summary, submitted_at=received_at, received_at=received_at, received_by=actor,
    )
    _set_clock(dossier, received_at)
    dossier.appointment_at = dossier.legal_due_at
    dossier.save()
    ProcessStep.objects.create(dossier=dossier, seq=1, unit=DESK_UNIT, handler=actor, handler_name=actor.display_name,
                               given_at=received_at, due_at=dossier.legal_due_at, done_at=None)
    if channel == Channel.DIRECT:
        _count_trip(dossier, Trip.Purpose.INTAKE, actor, received_at)
    record_event(dossier, actor=actor, action="receive", from_status="", to_status=Status.RECEIVED,
                 note="Tiếp nhận hồ sơ", at=received_at,
                 data={"legal_due_at": dossier.legal_due_at.isoformat(), "channel": channel})
    return dossier


@transaction.atomic
def intake_guidance_issue(*, actor: User, kind: str, procedure: Procedure, applicant: dict, reason: str,
                          documents: list[str], office: Office | None = None) -> IntakeGuidance:
    """Form 02 (incomplete papers) or Form 03 (not eligible) at the desk: nothing is received, the slip is kept
    and the visit counts as a trip of the applicant for that procedure."""
    _require_writer(actor)
    office = office or actor.office
    _require_office_in_scope(actor, office)
    if not (reason or "").strip():
        raise DomainError(errors.REASON_REQUIRED, "Vui lòng ghi rõ lý do.", status=400)
    if kind == IntakeGuidance.Kind.SUPPLEMENT and not [d for d in documents if d.strip()]:
        raise DomainError(errors.REASON_REQUIRED, "Vui lòng liệt kê các giấy tờ cần bổ sung.", status=400)
    now = timezone.now()
    prefix = f"{office.code}-{'YCBS' if kind == IntakeGuidance.Kind.SUPPLEMENT else 'TC'}-{timezone.localtime(now):%Y}-"
    Office.objects.select_for_update().filter(pk=office.pk).first()  # one number at a time per office
    last = (IntakeGuidance.objects.filter(number__startswith=prefix).order_by("-number")
            .values_list("number", flat=True).first())
    guidance = IntakeGuidance.objects.create(
        kind=kind, number=f"{prefix}{int(last.rsplit('-', 1)[1]) + 1 if last else 1:05d}", office=office,
        procedure=procedure, issued_at=now, issued_by=actor, applicant_name=applicant["name"],
        applicant_id_number=applicant["id_number"], applicant_phone=applicant.get("phone", ""),
        applicant_email=applicant.get("email", ""), applicant_address=applicant.get("address", ""),
        reason=reason.strip(), documents=[d.strip() for d in documents if d.strip()],
    )
    Trip.objects.create(dossier=None, office=office, procedure=procedure, officer=actor, at=now,
                        applicant_id_number=guidance.applicant_id_number, purpose=Trip.Purpose.GUIDANCE)
    return guidance


# --- lifecycle ------------------------------------------------------------------------------------------

@transaction.atomic
def dossier_accept(*, actor: User, dossier: Dossier, at: datetime | None = None) -> Dossier:
    """An online dossier from the national portal is accepted: the legal clock starts now."""
    _require_writer(actor)
    dossier = _lock(dossier)
    _check_from(dossier, "accept", (Status.SUBMITTED,))
    now = at or timezone.now()
    dossier.rule_version = versions.version_for_receipt(dossier.procedure, now)
    versions.check_taking(dossier.rule_version, now)
    old = dossier.status
    dossier.status, dossier.received_at, dossier.received_by = Status.RECEIVED, now, actor
    _set_clock(dossier, now)
    dossier.appointment_at = dossier.legal_due_at
    dossier.save()
    ProcessStep.objects.create(dossier=dossier, seq=1, unit=DESK_UNIT, handler=actor, handler_name=actor.display_name,
                               given_at=now, due_at=dossier.legal_due_at)
    record_event(dossier, actor=actor, action="accept", from_status=old, to_status=dossier.status,
                 note="Tiếp nhận hồ sơ trực tuyến", at=now,
                 data={"legal_due_at": dossier.legal_due_at.isoformat()})
    return dossier


def _close_open_step(dossier, now):
    step = dossier.steps.filter(done_at__isnull=True).order_by("-seq").first()
    if step:
        step.done_at = now
        step.result = timeliness(now, step.due_at) if step.due_at else ProcessStep.Result.ON_TIME
        step.save(update_fields=["done_at", "result"])
    return step


def _open_step(dossier, unit, handler, now, due_at):
    seq = (dossier.steps.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    return ProcessStep.objects.create(dossier=dossier, seq=seq, unit=unit, handler=handler,
                                      handler_name=handler.display_name if handler else "", given_at=now, due_at=due_at)


def _resolve_assignee(dossier, username):
    if not username:
        return None
    assignee = User.objects.filter(username=username, is_active=True).select_related("office").first()
    if assignee is None or assignee.is_read_only or not (
        assignee.office_id == dossier.office_id or assignee.office_id == dossier.office.parent_id
    ):
        raise DomainError(errors.ASSIGNEE_INVALID, f"Không thể giao hồ sơ cho “{username}”: "
                          "người này không thuộc đơn vị giải quyết hồ sơ.", status=400)
    return assignee


@transaction.atomic
def dossier_start(*, actor: User, dossier: Dossier, assignee: str | None = None) -> Dossier:
    """The desk hands the dossier to the processing department (a row of the process-control slip)."""
    _require_writer(actor)
    dossier = _lock(dossier)
    _check_from(dossier, "start", (Status.RECEIVED,))
    handler = _resolve_assignee(dossier, assignee)
    now = timezone.now()
    _close_open_step(dossier, now)
    _open_step(dossier, PROCESSING_UNIT, handler, now, dossier.legal_due_at)
    old = dossier.status
    dossier.status = Status.PROCESSING
    dossier.assignee = handler
    dossier.save(update_fields=["status", "assignee", "updated_at"])
    record_event(dossier, actor=actor, action="start", from_status=old, to_status=dossier.status,
                 note=f"Chuyển {PROCESSING_UNIT}" + (f" – {handler.display_name}" if handler else ""),
                 data={"assignee": handler.username if handler else None})
    return dossier


@transaction.atomic
def dossier_handover(*, actor: User, dossier: Dossier, unit: str, assignee: str | None = None, note: str = ""):
    """Hand a dossier in processing to another unit or officer: closes the current step, opens the next."""
    _require_writer(actor)
    dossier = _lock(dossier)
    _check_from(dossier, "handover", (Status.PROCESSING,))
    if not (unit or "").strip():
        raise DomainError(errors.REASON_REQUIRED, "Vui lòng ghi đơn vị nhận hồ sơ.", status=400)
    handler = _resolve_assignee(dossier, assignee)
    now = timezone.now()
    _close_open_step(dossier, now)
    _open_step(dossier, unit.strip(), handler, now, dossier.legal_due_at)
    dossier.assignee = handler or dossier.assignee
    dossier.save(update_fields=["assignee", "updated_at"])
    record_event(dossier, actor=actor, action="handover", from_status=dossier.status, to_status=dossier.status,
                 note=f"Chuyển {unit.strip()}" + (f" – {handler.display_name}" if handler else "") +
                 (f": {note}" if note else ""))
    return dossier


@transaction.atomic
def dossier_request_supplement(*, actor: User, dossier: Dossier, reason: str, documents: list[str]) -> Dossier:
    """At most `max_supplement_requests` (default once, Decree 61/2018) written request listing every missing
    paper; the legal clock stops until the papers arrive."""
    _require_writer(actor)
    dossier = _lock(dossier)
    _check_from(dossier, "request-supplement", (Status.RECEIVED, Status.PROCESSING))
    if dossier.supplement_count >= versions.version_of(dossier).max_supplement_requests:
        raise DomainError(errors.SUPPLEMENT_ALREADY_REQUESTED,
                          "Hồ sơ đã được yêu cầu bổ sung; theo quy định chỉ yêu cầu bổ sung một lần.", status=409)
    now = timezone.now()
    versions.check_supplement_window(dossier, now)
    documents = [d.strip() for d in documents or [] if d and d.strip()]
    if not (reason or "").strip() or not documents:
        raise DomainError(errors.REASON_REQUIRED,
                          "Phiếu yêu cầu bổ sung phải nêu lý do và liệt kê đầy đủ giấy tờ cần bổ sung.", status=400)
    used = calendar.working_time_between(dossier.clock_started_at, now, dossier.office)
    SupplementRequest.objects.create(dossier=dossier, number=dossier.supplement_count + 1, requested_at=now,
                                     requested_by=actor, reason=reason.strip(), documents=documents, clock_used=used)
    old = dossier.status
    dossier.status, dossier.paused_at = Status.AWAITING_SUPPLEMENT, now
    dossier.supplement_count += 1
    dossier.save(update_fields=["status", "paused_at", "supplement_count", "updated_at"])
    record_event(dossier, actor=actor, action="request-supplement", from_status=old, to_status=dossier.status,
                 note=reason.strip(), data={"documents": documents})
    return dossier


@transaction.atomic
def dossier_supplement_received(*, actor: User, dossier: Dossier, in_person: bool | None = None) -> Dossier:
    """The papers arrived: the clock restarts from zero (default) or resumes with the time left, per procedure."""
    _require_writer(actor)
    dossier = _lock(dossier)
    _check_from(dossier, "supplement-received", (Status.AWAITING_SUPPLEMENT,))
    now = timezone.now()
    request = dossier.supplement_requests.order_by("-number").first()
    request.fulfilled_at = now
    request.save(update_fields=["fulfilled_at"])
    if versions.version_of(dossier).supplement_clock == Procedure.SupplementClock.RESUME:
        total = calendar.working_time_between(dossier.clock_started_at, dossier.legal_due_at, dossier.office)
        remaining = max(total - (request.clock_used or timezone.timedelta()), timezone.timedelta())
        dossier.clock_started_at = calendar.clock_start(now, dossier.office)
        dossier.legal_due_at = calendar.add_working_time(dossier.clock_started_at, remaining, dossier.office)
        dossier.apologise_by = calendar.apologise_by(dossier.legal_due_at, dossier.office)
    else:
        _set_clock(dossier, now)
    ProcessStep.objects.filter(dossier=dossier, done_at__isnull=True).update(due_at=dossier.legal_due_at)
    # The applicant is given a new appointment with the supplement receipt; never earlier than the one promised.
    dossier.appointment_at = max(dossier.legal_due_at, dossier.appointment_at or dossier.legal_due_at)
    old = dossier.status
    dossier.status, dossier.paused_at, dossier.due_state = Status.PROCESSING, None, ""
    dossier.save()
    if in_person if in_person is not None else dossier.channel == Channel.DIRECT:
        _count_trip(dossier, Trip.Purpose.SUPPLEMENT, actor, now)
    record_event(dossier, actor=actor, action="supplement-received", from_status=old, to_status=dossier.status,
                 note="Nhận hồ sơ bổ sung", data={"legal_due_at": dossier.legal_due_at.isoformat(),
                                                  "clock": versions.version_of(dossier).supplement_clock})
    return dossier


@transaction.atomic
def dossier_resolve(*, actor: User, dossier: Dossier, outcome: str, result_summary: str = "") -> Dossier:
    _require_writer(actor)
    dossier = _lock(dossier)
    _check_from(dossier, "resolve", (Status.PROCESSING,))
    if outcome not in Outcome.values:
        raise DomainError("OUTCOME_INVALID", "Kết quả phải là “approved” (chấp thuận) hoặc “rejected” (không chấp thuận).",
                          status=400)
    if outcome == Outcome.REJECTED and not (result_summary or "").strip():
        raise DomainError(errors.REASON_REQUIRED, "Không chấp thuận thì phải nêu rõ lý do bằng văn bản.", status=400)
    now = timezone.now()
    _close_open_step(dossier, now)
    _open_step(dossier, DESK_UNIT, dossier.received_by, now, dossier.appointment_at)
    old = dossier.status
    dossier.status, dossier.resolved_at = Status.RESOLVED, now
    dossier.outcome, dossier.result_summary = outcome, (result_summary or "").strip()
    dossier.save(update_fields=["status", "resolved_at", "outcome", "result_summary", "updated_at"])
    record_event(dossier, actor=actor, action="resolve", from_status=old, to_status=dossier.status,
                 note=f"{Outcome(outcome).label}" + (f": {dossier.result_summary}" if dossier.result_summary else ""),
                 data={"outcome": outcome, "timeliness": timeliness(now, dossier.legal_due_at)})
    return dossier


@transaction.atomic
def dossier_return(*, actor: User, dossier: Dossier, returned_to: str = "", in_person: bool | None = None) -> Dossier:
    _require_writer(actor)
    dossier = _lock(dossier)
    _check_from(dossier, "return", (Status.RESOLVED,))
    now = timezone.now()
    _close_open_step(dossier, now)
    old = dossier.status
    dossier.status, dossier.returned_at, dossier.closed_at = Status.RETURNED, now, now
    dossier.returned_to = (returned_to or dossier.applicant_name)[:200]
    dossier.save(update_fields=["status", "returned_at", "closed_at", "returned_to", "updated_at"])
    if in_person if in_person is not None else dossier.channel == Channel.DIRECT:
        _count_trip(dossier, Trip.Purpose.COLLECTION, actor, now)
    record_event(dossier, actor=actor, action="return", from_status=old, to_status=dossier.status,
                 note=f"Trả kết quả cho {dossier.returned_to}")
    return dossier


@transaction.atomic
def dossier_refuse(*, actor: User, dossier: Dossier, reason: str) -> Dossier:
    """Refusal with written reasons (Form 03). From `submitted` it is a refusal at intake (not received)."""
    _require_writer(actor)
    dossier = _lock(dossier)
    _check_from(dossier, "refuse", (Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING))
    if not (reason or "").strip():
        raise DomainError(errors.REASON_REQUIRED, "Từ chối phải nêu rõ lý do.", status=400)
    now = timezone.now()
    _close_open_step(dossier, now)
    old = dossier.status
    dossier.status, dossier.closed_at, dossier.result_summary = Status.REFUSED, now, reason.strip()
    if old != Status.SUBMITTED:
        dossier.resolved_at = now  # refused after acceptance counts as resolved (DOMAIN.md §6)
    dossier.save(update_fields=["status", "closed_at", "result_summary", "resolved_at", "updated_at"])
    record_event(dossier, actor=actor, action="refuse", from_status=old, to_status=dossier.status, note=reason.strip(),
                 data={"at_intake": old == Status.SUBMITTED})
    return dossier


@transaction.atomic
def dossier_withdraw(*, actor: User, dossier: Dossier, reason: str) -> Dossier:
    _require_writer(actor)
    dossier = _lock(dossier)
    _check_from(dossier, "withdraw", OPEN_STATUSES)
    if not (reason or "").strip():
        raise DomainError(errors.REASON_REQUIRED, "Vui lòng ghi lý do rút hồ sơ.", status=400)
    now = timezone.now()
    _close_open_step(dossier, now)
    old = dossier.status
    dossier.status, dossier.closed_at = Status.WITHDRAWN, now
    dossier.save(update_fields=["status", "closed_at", "updated_at"])
    record_event(dossier, actor=actor, action="withdraw", from_status=old, to_status=dossier.status, note=reason.strip())
    return dossier


ACTION_LABELS = {
    "accept": pgettext_lazy("action", "Tiếp nhận"), "start": pgettext_lazy("action", "Chuyển xử lý"), "handover": pgettext_lazy("action", "Chuyển bước xử lý"),
    "request-supplement": pgettext_lazy("action", "Yêu cầu bổ sung"), "supplement-received": pgettext_lazy("action", "Nhận bổ sung"), "resolve": pgettext_lazy("action", "Có kết quả"),
    "return": pgettext_lazy("action", "Trả kết quả"), "refuse": pgettext_lazy("action", "Từ chối"), "withdraw": pgettext_lazy("action", "Rút hồ sơ"),
}
# How each event of the history reads on the dossier page.
EVENT_LABELS = {
    **ACTION_LABELS, "receive": _("Tiếp nhận hồ sơ"), "pull": _("Nhận từ Cổng DVCQG"),
    "apology": _("Phát hành phiếu xin lỗi"), "apology-draft": _("Dự thảo phiếu xin lỗi"),
    "recompute-deadline": _("Tính lại hạn giải quyết"),
}
ACTION_FROM = {
    "accept": (Status.SUBMITTED,), "start": (Status.RECEIVED,), "handover": (Status.PROCESSING,),
    "request-supplement": (Status.RECEIVED, Status.PROCESSING), "supplement-received": (Status.AWAITING_SUPPLEMENT,),
    "resolve": (Status.PROCESSING,), "return": (Status.RESOLVED,),
    "refuse": (Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING), "withdraw": OPEN_STATUSES,
}


def run_action(action: str, *, actor, dossier, body: dict) -> Dossier:
    """One lifecycle action by name (CONTRACTS.md §1.3), as the API and the dossier page call it."""
    if action == "accept":
        return dossier_accept(actor=actor, dossier=dossier)
    if action == "start":
        return dossier_start(actor=actor, dossier=dossier, assignee=body.get("assignee") or None)
    if action == "handover":
        return dossier_handover(actor=actor, dossier=dossier, unit=body["unit"],
                                assignee=body.get("assignee") or None, note=body["note"])
    if action == "request-supplement":
        return dossier_request_supplement(actor=actor, dossier=dossier, reason=body["reason"],
                                          documents=body["documents"])
    if action == "supplement-received":
        return dossier_supplement_received(actor=actor, dossier=dossier, in_person=body["in_person"])
    if action == "resolve":
        return dossier_resolve(actor=actor, dossier=dossier, outcome=body["outcome"],
                               result_summary=body["result_summary"])
    if action == "return":
        return dossier_return(actor=actor, dossier=dossier, returned_to=body["returned_to"],
                              in_person=body["in_person"])
    if action == "refuse":
        return dossier_refuse(actor=actor, dossier=dossier, reason=body["reason"])
    if action == "withdraw":
        return dossier_withdraw(actor=actor, dossier=dossier, reason=body["reason"])
    raise DomainError("UNKNOWN_ACTION", f"Không có thao tác “{action}”.", status=404)


def allowed_actions(dossier, user) -> list[str]:
    """The actions the user can take on the dossier now (drives the buttons on the dossier page)."""
    if not can_write(user):
        return []
    actions = [a for a, allowed in ACTION_FROM.items() if dossier.status in allowed]
    if "request-supplement" in actions and not versions.supplement_allowed(dossier, timezone.now()):
        actions.remove("request-supplement")
    return actions


def recompute_open_deadlines(*, dates) -> int:
    """The calendar changed on `dates`: recompute the legal due moment of open dossiers whose clock spans
    one of them. Appointments already promised to a citizen are never moved (DOMAIN.md, STYLE.md)."""
    if not dates:
        return 0
    start = timezone.make_aware(datetime.combine(min(dates), time.min))
    end = timezone.make_aware(datetime.combine(max(dates), time.max))
    # Only open dossiers whose clock runs across a changed day; a resumed clock is not recomputed from its start.
    candidates = (Dossier.objects.filter(status__in=[Status.RECEIVED, Status.PROCESSING], legal_due_at__gte=start,
                                         clock_started_at__lte=end)
                  .exclude(supplement_count__gt=0, rule_version__supplement_clock=Procedure.SupplementClock.RESUME)
                  .select_related("procedure", "office", "rule_version").order_by("pk"))
    if not candidates.exists():
        return 0
    with calendar.pinned():
        return _recompute(candidates)


def _recompute(candidates) -> int:
    changed = 0
    for dossier in candidates.iterator(chunk_size=500):
        version = versions.version_of(dossier)
        due = calendar.due_at_for_limit(dossier.clock_started_at, version.time_limit_value, version.time_limit_unit,
                                        dossier.office, version.same_day_cutoff)
        if due != dossier.legal_due_at:
            with transaction.atomic():
                old_due = dossier.legal_due_at
                Dossier.objects.filter(pk=dossier.pk).update(
                    legal_due_at=due, apologise_by=calendar.apologise_by(due, dossier.office))
                ProcessStep.objects.filter(dossier=dossier, done_at__isnull=True).update(due_at=due)
                dossier.legal_due_at = due
                record_event(dossier, actor=None, action="recompute-deadline", from_status=dossier.status,
                             to_status=dossier.status, note="Lịch làm việc thay đổi: tính lại hạn giải quyết",
                             data={"old": old_due.isoformat(), "new": due.isoformat()})
            changed += 1
    return changed

