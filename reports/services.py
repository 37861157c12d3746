"""Writes of the reports: closing a month (chốt số liệu, DOMAIN.md §6)."""
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from core import permissions
from core.errors import DomainError
from core.models import Office, User

from .errors import ReportError
from .models import ReportClosure
from .selectors import Period, month_bounds, report_tthc


@transaction.atomic
def report_month_close(*, actor: User, office: Office, month: date) -> ReportClosure:
    """Store form 06 of `office` for `month` as it stands now (as of the month's end), with who closed it and when."""
    permissions.require(actor, "close_report", office)
    first, last = month_bounds(month)
    now = timezone.now()
    if Period.of(first, last).end > now:
        raise DomainError(ReportError.MONTH_NOT_OVER, month=f"{first:%m/%Y}")
    if ReportClosure.objects.filter(office=office, month=first).exists():
        raise DomainError(ReportError.MONTH_CLOSED, month=f"{first:%m/%Y}")
    figures = report_tthc(user=actor, first=first, last=last, office=office)
    try:
        with transaction.atomic():
            return ReportClosure.objects.create(office=office, month=first, figures=figures, closed_by=actor,
                                                closed_by_name=actor.display_name, closed_at=now)
    except IntegrityError:  # two directors pressed at once: one closes, the other is told
        raise DomainError(ReportError.MONTH_CLOSED, month=f"{first:%m/%Y}") from None
