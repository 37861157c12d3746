import pytest


@pytest.fixture
def calendar_events():
    """Collects the `dates` of every calendar_changed sent during the test."""
    from workcal.signals import calendar_changed

    seen = []

    def listen(sender, dates, **kwargs):
        seen.append(list(dates))

    calendar_changed.connect(listen, dispatch_uid="tests.workcal.listen", weak=False)
    yield seen
    calendar_changed.disconnect(dispatch_uid="tests.workcal.listen")


@pytest.fixture
def override(db):
    """override("2026-03-07", "work", note) → a saved CalendarOverride (the table rebuilds on save)."""
    from datetime import date

    from workcal.models import CalendarOverride

    def make(day, kind, note=""):
        day = date.fromisoformat(day) if isinstance(day, str) else day
        return CalendarOverride.objects.create(date=day, kind=kind, note=note)

    return make
