"""Errors of the calendar."""


class CalendarRangeError(ValueError):
    """A date outside the years the calendar can cover (workcal.rules.MIN_YEAR–MAX_YEAR)."""

    code = "CALENDAR_OUT_OF_RANGE"
