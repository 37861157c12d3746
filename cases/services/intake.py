"""Intake (DOMAIN.md §2.1): a complete dossier received at the desk or by post, Form 02/03 at the desk when
nothing is received, and the acceptance of an online dossier pulled from the national portal."""
import uuid
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from core.models import Office, User

from .. import budgets, checklist, events, numbering, papers as dossier_papers, versions, visits
from ..errors import DomainError, DossierError
from ..events import DossierAction
from ..models import (
    Channel,
    Dossier,
    IntakeGuidance,
    Procedure,
    ProcessStep,
    ContactChannel,
    ResultDelivery,
    Source,
    Status,
    Trip,
)
from ..validators import validate_date_of_birth, validate_si_number
from .common import (
    DESK_UNIT,
    EARLIEST_RECEIPT_YEAR,
    _check_from,
    _lock,
    _moment,
    _require_office_in_scope,
    _require_writer,
    _set_clock,
)


def next_dossier_code(office: Office, day) -> str:
    """`<agency code>-<YYMMDD>-<NNNN>`, gap-free per office and day (Circular 01/2018 Art. 19).

    One upsert that increments and returns the counter; its row lock is held until the intake transaction
    commits, so concurrent intakes at one office are serialised and a rolled-back intake gives its number back.
    """
    if not office.agency_code:
        raise DomainError(DossierError.OFFICE_HAS_NO_AGENCY_CODE, office=office.name)
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


def _checked_documents(version, documents) -> list[dict]:
    """The ticked checklist items as stored (cases.checklist); None = not checked (history import, demo)."""
    if documents is None:
        return []
    chosen, missing, unknown = checklist.resolve(checklist.items_of(version), list(documents))
    if unknown:
        raise DomainError(DossierError.DOCUMENT_UNKNOWN, items="; ".join(unknown))
    if missing:
        raise DomainError(DossierError.DOCUMENTS_MISSING, items="; ".join(missing))
    return chosen


def _checked_details(details: dict) -> dict:
    """The SI number, date of birth and result delivery taken at intake, checked as the form and API check them."""
    out = {"social_insurance_number": "", "date_of_birth": None, "result_delivery": "", "postal_address": ""}
    checks = {"social_insurance_number": (gettext("Mã số BHXH"), validate_si_number),
              "date_of_birth": (gettext("Ngày sinh"), validate_date_of_birth)}
    for name, (label, validate) in checks.items():
        if details.get(name):
            try:
                out[name] = validate(details[name])
            except ValidationError as exc:
                raise DomainError(DossierError.INTAKE_DETAIL_INVALID, field=label, error=exc.messages[0]) from exc
    delivery = details.get("result_delivery") or ""
    if delivery and delivery not in ResultDelivery.values:
        raise DomainError(DossierError.RETURN_CHANNEL_INVALID, channels=", ".join(ResultDelivery.values))
    address = (details.get("postal_address") or "").strip()
    if delivery == ResultDelivery.POSTAL and not address:
        raise DomainError(DossierError.POSTAL_ADDRESS_REQUIRED)
    out["result_delivery"], out["postal_address"] = delivery, address if delivery == ResultDelivery.POSTAL else ""
    # The applicant's messages (issue 12, cases.contact): the preferred channel and an opt-out.
    preferred = details.get("contact_channel") or ""
    if preferred not in ContactChannel.values:
        raise DomainError(DossierError.CONTACT_CHANNEL_INVALID, channels="sms, zalo, email")
    out["contact_channel"], out["messages_opt_out"] = preferred, bool(details.get("messages_opt_out"))
    return out


@transaction.atomic
def dossier_receive(*, actor: User, procedure: Procedure, applicant: dict, channel: str, summary: str = "",
                    office: Office | None = None, received_at: datetime | None = None,
                    code: str | None = None, documents: list | None = None, papers: list | None = None,
                    **details) -> Dossier:
    """Receive a complete dossier at the desk (or by post): code, legal clock, appointment, Form 01, trip.

    `received_at` is a moment of the past only for the history import and the demo (the API keeps it within a few
    minutes of now); `code` is a code kept from the previous software (cases.history checks its format and that
    it is free), otherwise the next code of the receipt day.

    `documents` are the checklist items handed in (names or 0-based indexes of the rule version's list, see
    cases.checklist): every required one must be there; None skips the check (history, demo). `details` may
    give `social_insurance_number`, `date_of_birth`, `result_delivery` and `postal_address` (for `postal`),
    `contact_channel` (sms/zalo/email, blank = every channel) and `messages_opt_out`. `papers` are the scanned
    copies handed in, [(checklist index, uploaded file)], stored in the same transaction (cases.papers)."""
    unknown = set(details) - {"social_insurance_number", "date_of_birth", "result_delivery", "postal_address",
                              "contact_channel", "messages_opt_out"}
    if unknown:
        raise TypeError(f"dossier_receive() got unexpected keyword arguments {sorted(unknown)}")
    _require_writer(actor)
    office = office or actor.office
    if office is None:
        raise DomainError(DossierError.USER_WITHOUT_OFFICE)
    _require_office_in_scope(actor, office)
    if not procedure.active:
        raise DomainError(DossierError.PROCEDURE_INACTIVE)
    if procedure.channels and channel not in procedure.channels:
        raise DomainError(DossierError.CHANNEL_NOT_OFFERED, channel=Channel(channel).label)
    now = timezone.now()
    received_at = received_at or now
    if received_at > now + timezone.timedelta(minutes=5):
        raise DomainError(DossierError.RECEIVED_IN_FUTURE)
    received_at = min(received_at, now)  # a few minutes of clock skew is tolerated, never kept
    if received_at.year < EARLIEST_RECEIPT_YEAR:
        raise DomainError(DossierError.RECEIVED_TOO_EARLY, year=EARLIEST_RECEIPT_YEAR)
    version = versions.version_for_receipt(procedure, received_at)
    versions.check_taking(version, received_at)
    handed_in, checked = _checked_documents(version, documents), _checked_details(details)

    dossier = Dossier(
        code=code or next_dossier_code(office, timezone.localtime(received_at).date()),
        office=office, procedure=procedure, rule_version=version, status=Status.RECEIVED, channel=channel, source=Source.DESK,
        applicant_name=applicant["name"], applicant_kind=applicant.get("kind", "citizen"),
        applicant_id_number=applicant["id_number"], applicant_phone=applicant.get("phone", ""),
        applicant_email=applicant.get("email", ""), applicant_address=applicant.get("address", ""),
        summary=summary, submitted_at=received_at, received_at=received_at, received_by=actor,
        documents=handed_in, **checked,
    )
    _set_clock(dossier, received_at)
    dossier.appointment_at = dossier.legal_due_at
    dossier.trip_count = visits.visits_before_intake(dossier, received_at)  # Form 02/03 visits (DOMAIN.md §2.6)
    at_desk = channel == Channel.DIRECT
    dossier.trip_count += 1 if at_desk else 0  # this visit, counted in the row as it is written
    dossier.save()
    ProcessStep.objects.create(dossier=dossier, seq=1, unit=DESK_UNIT, handler=actor, handler_name=actor.display_name,
                               given_at=received_at, due_at=budgets.desk_due_at(received_at, office, version),
                               done_at=None)
    if at_desk:
        Trip.objects.create(dossier=dossier, office=office, procedure=procedure, officer=actor, at=received_at,
                            applicant_id_number=dossier.applicant_id_number, purpose=Trip.Purpose.INTAKE)
    numbering.allocate(kind="receipt", key=f"receipt:{dossier.pk}", office=office, at=received_at,  # Form 01's "Số"
                       fresh=True)
    events.dossier_received(dossier, actor=actor, at=received_at, channel=channel)
    dossier_papers.store_at_intake(dossier=dossier, actor=actor, papers=papers)
    return dossier


@transaction.atomic
def dossier_submit_online(*, actor: User, procedure: Procedure, applicant: dict, office: Office, submitted_at: datetime,
                          summary: str = "", code: str | None = None) -> Dossier:
    """An online dossier filed on the national portal at `submitted_at`, as the history import brings it in:
    `submitted` (no legal clock yet) until its `accept` event; its source is the national portal."""
    _require_writer(actor)
    _require_office_in_scope(actor, office)
    submitted_at = _moment(submitted_at)
    if submitted_at.year < EARLIEST_RECEIPT_YEAR:
        raise DomainError(DossierError.RECEIVED_TOO_EARLY, year=EARLIEST_RECEIPT_YEAR)
    dossier = Dossier.objects.create(
        code=code or next_dossier_code(office, timezone.localtime(submitted_at).date()),
        office=office, procedure=procedure, status=Status.SUBMITTED, channel=Channel.ONLINE,
        source=Source.NATIONAL_PORTAL, applicant_name=applicant["name"],
        applicant_kind=applicant.get("kind", "citizen"), applicant_id_number=applicant["id_number"],
        applicant_phone=applicant.get("phone", ""), applicant_email=applicant.get("email", ""),
        applicant_address=applicant.get("address", ""), summary=summary, submitted_at=submitted_at,
    )
    events.dossier_submitted(dossier, actor=actor, at=submitted_at)
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
        raise DomainError(DossierError.REASON_REQUIRED)
    now = timezone.now()
    # Form 02 at the desk picks the missing papers from the checklist of the version in force (indexes or names)
    # or names them in words (issue 12).
    documents, bad = checklist.pick(checklist.items_of(versions.version_in_force(procedure, now)), documents or [])
    if bad:
        raise DomainError(DossierError.DOCUMENT_NOT_IN_CHECKLIST, items=", ".join(bad))
    if kind == IntakeGuidance.Kind.SUPPLEMENT and not documents:
        raise DomainError(DossierError.SUPPLEMENT_DOCUMENTS_REQUIRED)
    # The same numbering as the dossiers' Form 02 and Form 03 (cases.numbering): 3/2026/YCBS-BHXH-HN.
    slip_kind = "supplement" if kind == IntakeGuidance.Kind.SUPPLEMENT else "refusal"
    number = numbering.allocate(kind=slip_kind, key=f"guidance:{uuid.uuid4().hex}", office=office, at=now)
    guidance = IntakeGuidance.objects.create(
        kind=kind, number=number, office=office,
        procedure=procedure, issued_at=now, issued_by=actor, applicant_name=applicant["name"],
        applicant_id_number=applicant["id_number"], applicant_phone=applicant.get("phone", ""),
        applicant_email=applicant.get("email", ""), applicant_address=applicant.get("address", ""),
        reason=reason.strip(), documents=documents,
    )
    Trip.objects.create(dossier=None, office=office, procedure=procedure, officer=actor, at=now,
                        applicant_id_number=guidance.applicant_id_number, purpose=Trip.Purpose.GUIDANCE)
    return guidance


@transaction.atomic
def dossier_accept(*, actor: User, dossier: Dossier, at: datetime | None = None) -> Dossier:
    """An online dossier from the national portal is accepted: the legal clock starts now."""
    _require_writer(actor)
    dossier = _lock(dossier)
    transition = _check_from(dossier, DossierAction.ACCEPT)
    now = _moment(at, dossier)
    dossier.rule_version = versions.version_for_receipt(dossier.procedure, now)
    versions.check_taking(dossier.rule_version, now)
    old = dossier.status
    dossier.status, dossier.received_at, dossier.received_by = transition.target, now, actor
    _set_clock(dossier, now)
    dossier.appointment_at = dossier.legal_due_at
    dossier.trip_count = visits.visits_before_intake(dossier, now)  # the Form 02/03 visits before it (§2.6)
    dossier.save()
    ProcessStep.objects.create(dossier=dossier, seq=1, unit=DESK_UNIT, handler=actor, handler_name=actor.display_name,
                               given_at=now, due_at=budgets.desk_due_at(now, dossier.office, dossier.rule_version))
    numbering.allocate(kind="receipt", key=f"receipt:{dossier.pk}", office=dossier.office, at=now)  # Form 01's "Số"
    events.dossier_accepted(dossier, actor=actor, from_status=old, at=now)
    return dossier
