"""Writes of the reports: closing a month (chốt số liệu, DOMAIN.md §6)."""
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.models import Office, Role, User
from core.scoping import visible_offices

from . import errors
from .models import ReportClosure
from .selectors import Period, month_bounds, report_tthc


def can_close_month(user, office: Office) -> bool:
    """A director or deputy closes the months of their own office (and its grassroots offices); an administrator
    any office. The Legal Department reads, never closes."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.role == Role.ADMIN:
        return True
    return user.role in (Role.DIRECTOR, Role.DEPUTY) and visible_offices(user).filter(pk=office.pk).exists()


@transaction.atomic
def report_month_close(*, actor: User, office: Office, month: date) -> ReportClosure:
    """Store form 06 of `office` for `month` as it stands now (as of the month's end), with who closed it and when."""
    if not can_close_month(actor, office):
        raise DomainError(errors.REPORT_CLOSE_NOT_ALLOWED,
                          _("Chỉ Giám đốc, Phó Giám đốc của đơn vị được chốt số liệu."), status=403)
    first, last = month_bounds(month)
    now = timezone.now()
    if Period.of(first, last).end > now:
        raise DomainError(errors.REPORT_MONTH_NOT_OVER,
                          _("Tháng %(month)s chưa kết thúc, chưa thể chốt số liệu.") % {"month": f"{first:%m/%Y}"},
                          status=409)
    if ReportClosure.objects.filter(office=office, month=first).exists():
        raise DomainError(errors.REPORT_MONTH_CLOSED,
                          _("Số liệu tháng %(month)s của đơn vị đã được chốt.") % {"month": f"{first:%m/%Y}"},
                          status=409)
    figures = report_tthc(user=actor, first=first, last=last, office=office)
    try:
        with transaction.atomic():
            return ReportClosure.objects.create(office=office, month=first, figures=figures, closed_by=actor,
                                                closed_by_name=actor.display_name, closed_at=now)
    except IntegrityError:  # two directors pressed at once: one closes, the other is told
        raise DomainError(errors.REPORT_MONTH_CLOSED,
                          _("Số liệu tháng %(month)s của đơn vị đã được chốt.") % {"month": f"{first:%m/%Y}"},
                          status=409) from None
