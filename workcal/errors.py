"""Errors of the calendar."""
from django.utils.translation import gettext_lazy as _

from core.errors import ErrorCode


class CalendarError(ErrorCode):
    OUT_OF_RANGE = ("CALENDAR_OUT_OF_RANGE", _("Lịch làm việc chỉ hỗ trợ các năm %(first)s–%(last)s."), 400)


class CalendarRangeError(ValueError):
    """A date outside the years the calendar can cover (workcal.rules.MIN_YEAR–MAX_YEAR). `str(exc)` is the
    message in the language active when it is read."""

    error = CalendarError.OUT_OF_RANGE
    code = error.code

    def __init__(self, **params):
        super().__init__(self.error.code)
        self.params = params

    def __str__(self):
        return self.error.format(**self.params)
