"""Errors of the calendar."""
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError, ErrorCode


class CalendarError(ErrorCode):
    OUT_OF_RANGE = ("CALENDAR_OUT_OF_RANGE",
                    _("Lịch làm việc chỉ có các năm %(first)s–%(last)s; ngày này nằm ngoài lịch."), 400)


class CalendarRangeError(DomainError):
    """A date outside the years the working-day table covers (settings.WORKCAL_YEARS). Reads never extend
    the table: the API answers 400 with this code, a service refuses the action. `str(exc)` is the message
    in the language active when it is read."""

    def __init__(self, first_year: int, last_year: int):
        super().__init__(CalendarError.OUT_OF_RANGE, first=first_year, last=last_year,
                         extra={"first_year": first_year, "last_year": last_year})
        self.first_year, self.last_year = first_year, last_year


class CalendarNotBuilt(ImproperlyConfigured):
    """The working-day table is empty: `manage.py migrate` (or `manage.py workcal_rebuild`) builds it."""

    def __init__(self):
        super().__init__("workcal: the working-day table is not built; run `manage.py migrate` "
                         "or `manage.py workcal_rebuild`")
