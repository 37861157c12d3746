"""Rule versions of the procedures (DOMAIN.md §8): which version is in force at a moment, and how a new one is
made. Every deadline of a dossier is computed from `dossier.rule_version`, never from the live Procedure row.

* In force at a moment = the version with the latest `valid_from` ≤ the moment's local date (Asia/Ho_Chi_Minh).
* A version that a dossier uses is frozen: the admin shows it read-only; a change of rules is a new version
  from a date, never before the latest version in use (that would change the rules of received dossiers).
* `Procedure.processing_days` and the other rule columns of the Procedure row are a mirror of the version in
  force today, kept for `GET /procedures/` (CONTRACTS.md) and for old readers; they are re-synced whenever a
  version is created (`procedure_version_create`). Nothing computes a deadline from them.
"""
from __future__ import annotations

import csv
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .errors import DomainError, DossierError
from .models import Procedure, ProcedureVersion, TimeLimitUnit

FIRST_VALID_FROM = date(2015, 1, 1)  # the first version of the seeded catalogue: "since always"
DOCUMENTS = Path(settings.BASE_DIR) / "fixtures" / "documents.csv"
ORIGINAL_CHOICES = {"original", "copy", "either"}
# The rule columns a version carries that the Procedure row mirrors.
MIRRORED = ("supplement_clock", "max_supplement_requests", "max_reschedules", "same_day_cutoff")


def _local_date(moment) -> date:
    if isinstance(moment, datetime):
        return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
    return moment


# --- reads ----------------------------------------------------------------------------------------------

def version_in_force(procedure: Procedure, at) -> ProcedureVersion | None:
    """The version of `procedure` in force at `at` (a moment or a date): the latest valid_from ≤ its local date."""
    return (ProcedureVersion.objects.filter(procedure=procedure, valid_from__lte=_local_date(at))
            .order_by("-valid_from").first())


def version_for_receipt(procedure: Procedure, at) -> ProcedureVersion:
    """The version a dossier received at `at` is received under; a procedure created without versions (by a
    script or a test) gets its first version from its own row, as the data migration did for the catalogue."""
    version = version_in_force(procedure, at)
    if version is None and not ProcedureVersion.objects.filter(procedure=procedure).exists():
        version = first_version_from_row(procedure)
    if version is None:
        raise DomainError(DossierError.PROCEDURE_NOT_IN_FORCE, procedure=procedure.code,
                          day=f"{_local_date(at):%d/%m/%Y}")
    return version


def check_taking(version: ProcedureVersion, at) -> None:
    """Refuse a new dossier (intake, accept of a pulled one) after the version stopped taking dossiers."""
    if version.stops_taking_at is not None and at >= version.stops_taking_at:
        raise DomainError(DossierError.PROCEDURE_CLOSED, procedure=version.procedure.code,
                          since=f"{timezone.localtime(version.stops_taking_at):%d/%m/%Y %H:%M}")


def version_of(dossier) -> ProcedureVersion:
    """The dossier's rule version (set at receipt or accept). A dossier saved without one (old rows written
    before versions, or a submitted one) is given the version in force at its receipt."""
    if dossier.rule_version_id is None:
        version = version_for_receipt(dossier.procedure, dossier.received_at or dossier.submitted_at or timezone.now())
        type(dossier).objects.filter(pk=dossier.pk, rule_version__isnull=True).update(rule_version=version)
        dossier.rule_version = version
    return dossier.rule_version


def supplement_window_closes_at(dossier) -> datetime:
    """The last moment a supplement request may go out (DOMAIN.md §2.3): `supplement_window_days` working days
    after receipt (the same clock time; 0 = that day's closing), and never after the legal due moment."""
    from workcal import calendar

    version = version_of(dossier)
    window = calendar.legal_due_at(dossier.received_at, version.supplement_window_days, dossier.office)
    return min(window, dossier.legal_due_at) if dossier.legal_due_at else window


def supplement_allowed(dossier, at) -> bool:
    """Whether a supplement request is still allowed at `at` (count and window), for the page's buttons."""
    if dossier.received_at is None:
        return False
    version = version_of(dossier)
    return dossier.supplement_count < version.max_supplement_requests and at <= supplement_window_closes_at(dossier)


def check_supplement_window(dossier, at) -> None:
    """Refuse a supplement request after its window: the office must apologise instead (DOMAIN.md §2.3, §2.5).
    A supplement can never turn a late dossier into one on time."""
    closes = supplement_window_closes_at(dossier)
    if at > closes:
        days = version_of(dossier).supplement_window_days
        raise DomainError(DossierError.SUPPLEMENT_WINDOW_PASSED, days=days,
                          closes=f"{timezone.localtime(closes):%d/%m/%Y %H:%M}",
                          extra={"closes_at": timezone.localtime(closes).isoformat()})


def version_in_use(version: ProcedureVersion) -> bool:
    return version.pk is not None and version.dossiers.exists()


def time_limit_in_days(version: ProcedureVersion | None):
    """The time limit in working days (for `processing_days`): an int when whole, else a float (0.5)."""
    if version is None:
        return None
    value = version.time_limit_value
    if version.time_limit_unit == TimeLimitUnit.HALF_DAYS:
        value = value / 2
    elif version.time_limit_unit == TimeLimitUnit.WORKING_HOURS:
        value = value / Decimal(8)
    return int(value) if value == int(value) else float(value)


def versions_list(procedure: Procedure):
    return ProcedureVersion.objects.filter(procedure=procedure).order_by("valid_from")


# --- writes ---------------------------------------------------------------------------------------------

def load_documents(path: Path = DOCUMENTS) -> dict[str, list[dict]]:
    """{procedure code: [{"name", "original", "quantity", "required"}, ...]} from fixtures/documents.csv."""
    if not Path(path).exists():
        return {}
    by_code: dict[str, list[dict]] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            original = row["original_or_copy"].strip().lower()
            by_code.setdefault(row["procedure"].strip(), []).append({
                "name": row["document"].strip(),
                "original": original if original in ORIGINAL_CHOICES else "either",
                "quantity": int(row["quantity"] or 1),
                "required": row["required"].strip().lower() == "true",
            })
    return by_code


def first_version_from_row(procedure: Procedure, documents: list[dict] | None = None) -> ProcedureVersion:
    """The first version of a procedure from its catalogue row (valid since FIRST_VALID_FROM)."""
    if documents is None:
        documents = load_documents().get(procedure.code, [])
    version, _ = ProcedureVersion.objects.get_or_create(
        procedure=procedure, valid_from=FIRST_VALID_FROM,
        defaults={"time_limit_value": Decimal(procedure.processing_days or 0),
                  "time_limit_unit": TimeLimitUnit.WORKING_DAYS,
                  "supplement_clock": procedure.supplement_clock,
                  "max_supplement_requests": procedure.max_supplement_requests,
                  "max_reschedules": procedure.max_reschedules,
                  "same_day_cutoff": procedure.same_day_cutoff, "documents": documents})
    return version


def validate_new_version(procedure: Procedure, valid_from: date, exclude_pk=None) -> None:
    """A new version may not start on or before the latest version in use: that would change the rules of
    dossiers already received (every dossier received since then is under a version on or before it)."""
    used = (ProcedureVersion.objects.filter(procedure=procedure, dossiers__isnull=False)
            .exclude(pk=exclude_pk).order_by("-valid_from").values_list("valid_from", flat=True).first())
    if used is not None and valid_from <= used:
        raise DomainError(DossierError.VERSION_IN_USE, day=f"{used:%d/%m/%Y}", extra={"field": "valid_from"})
    # Dossiers received on or after valid_from under an older version would silently change rules.
    later = (procedure.dossiers.filter(rule_version__valid_from__lt=valid_from)
             .filter(received_at__gte=timezone.make_aware(datetime.combine(valid_from, time.min))))
    if later.exists():
        raise DomainError(DossierError.VERSION_AFTER_RECEIPTS, day=f"{valid_from:%d/%m/%Y}",
                          extra={"field": "valid_from"})


def sync_procedure_mirror(procedure: Procedure) -> None:
    """Copy the version in force today onto the Procedure row's rule columns (the list's `processing_days`)."""
    current = version_in_force(procedure, timezone.now())
    if current is None:
        return
    days = time_limit_in_days(current)
    updates = {name: getattr(current, name) for name in MIRRORED}
    if isinstance(days, int):
        updates["processing_days"] = days
    Procedure.objects.filter(pk=procedure.pk).update(**updates)
    for name, value in updates.items():
        setattr(procedure, name, value)


@transaction.atomic
def procedure_version_create(*, procedure: Procedure, valid_from: date, **rules) -> ProcedureVersion:
    """Add a version of `procedure`'s rules from `valid_from` (what an edit of the catalogue does)."""
    Procedure.objects.select_for_update().filter(pk=procedure.pk).first()
    validate_new_version(procedure, valid_from)
    if ProcedureVersion.objects.filter(procedure=procedure, valid_from=valid_from).exists():
        raise DomainError(DossierError.VERSION_EXISTS, day=f"{valid_from:%d/%m/%Y}", extra={"field": "valid_from"})
    base = version_in_force(procedure, valid_from)
    values = {}
    if base is not None:
        for field in ProcedureVersion._meta.concrete_fields:
            if field.name not in ("id", "procedure", "valid_from", "created_at"):
                values[field.name] = getattr(base, field.name)
    values.update(rules)
    version = ProcedureVersion.objects.create(procedure=procedure, valid_from=valid_from, **values)
    sync_procedure_mirror(procedure)
    return version
