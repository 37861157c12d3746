"""Date filters of the API bounded to a sane range: years 2000–2100 and an offset within ±14:00, then read in
UTC. Outside it a moment is a 400, never a database error (PostgreSQL refuses a −21:54 offset; SQLite overflows
converting 0001-01-01 to UTC)."""
import re
from datetime import UTC, date, timedelta

from django import forms
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField

from ..listing import EARLIEST_YEAR, LATEST_YEAR

MAX_OFFSET = timedelta(hours=14)
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class BoundedIsoDateTimeField(IsoDateTimeField):
    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        offset = value.utcoffset()
        if offset is not None and abs(offset) > MAX_OFFSET:
            raise forms.ValidationError("Múi giờ phải trong khoảng −14:00 đến +14:00.", code="offset")
        if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            raise forms.ValidationError(f"Năm phải từ {EARLIEST_YEAR} đến {LATEST_YEAR}.", code="year")
        return value.astimezone(UTC) if offset is not None else value


class BoundedIsoDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = BoundedIsoDateTimeField


class DayOrMomentField(BoundedIsoDateTimeField):
    """A day (`2026-12-03`, what the page's date fields send: the whole local day, cases.filtering) or a moment
    (ISO 8601, with its offset)."""

    def to_python(self, value):
        if isinstance(value, str) and DAY.match(value.strip()):
            try:
                day = date.fromisoformat(value.strip())
            except ValueError as exc:
                raise forms.ValidationError("Ngày không hợp lệ.", code="invalid") from exc
            if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
                raise forms.ValidationError(f"Năm phải từ {EARLIEST_YEAR} đến {LATEST_YEAR}.", code="year")
            return day
        return super().to_python(value)


class DayOrMomentFilter(filters.IsoDateTimeFilter):
    field_class = DayOrMomentField
