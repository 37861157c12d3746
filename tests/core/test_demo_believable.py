"""A believable demo (issue 12): officers work in office hours on working days, the online dossiers are from the
last weeks, and the national-portal stand-in feeds a few dossiers a day, not thousands."""
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from tests.cases.conftest import local

pytestmark = pytest.mark.django_db


def _inside_office_hours(moment, office) -> bool:
    from workcal import calendar

    local_moment = timezone.localtime(moment)
    return (calendar.is_working_day(local_moment.date())
            and any(start <= local_moment.time() <= end for start, end in office.hours()))


@pytest.mark.parametrize("seeded_at", [local(2026, 12, 4, 3, 30), local(2026, 12, 6, 23, 0), local(2026, 12, 2, 10, 0)])
def test_every_demo_event_of_an_officer_falls_inside_office_hours_on_a_working_day(no_cast, seeded_at):
    """The issue: 54 of 131 demo resolutions fell between 01:00 and 05:59 and 23 on weekends. Whatever the hour
    seed_demo runs at (a night, a Sunday, a morning), no officer's event is outside office hours."""
    from cases.models import DossierEvent

    with time_machine.travel(seeded_at, tick=False):
        call_command("seed_demo")
    events = DossierEvent.objects.filter(actor__isnull=False).select_related("dossier__office")
    assert events.filter(action="resolve").count() > 50
    outside = [(e.action, f"{timezone.localtime(e.at):%a %d/%m %H:%M}") for e in events
               if not _inside_office_hours(e.at, e.dossier.office)]
    assert outside == []


def test_the_demo_online_dossiers_are_from_the_last_weeks(no_cast):
    from cases.models import Dossier
    from feedback.models import FeedbackItem

    call_command("seed_demo")
    online = Dossier.objects.filter(source="national_portal", portal_payload__isnull=False)
    assert online.count() == 5
    month_ago = timezone.now() - timedelta(days=30)
    assert all(month_ago < d.submitted_at <= timezone.now() for d in online), [d.submitted_at for d in online]
    assert all(f"-{timezone.localtime(d.submitted_at):%y%m%d}-" in d.code for d in online)
    assert FeedbackItem.objects.filter(received_at__lt=month_ago).count() == 0
    call_command("seed_demo")
    assert Dossier.objects.filter(source="national_portal", portal_payload__isnull=False).count() == 5  # idempotent


def test_the_demo_months_report_online_dossiers(no_cast):
    """The issue: November showed 0 online dossiers. The demo's weeks carry dossiers filed on the portal and
    accepted at the desk, so the month's form 06 has an online column."""
    from datetime import date

    from cases.models import Dossier
    from core.models import User
    from reports.selectors import report_tthc

    call_command("seed_demo")
    today = timezone.localdate()
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)  # last month and this one
    director = User.objects.get(username="giamdoc.hn")
    report = report_tthc(user=director, first=first, last=today)
    assert report["totals"]["received_online"] > 5, report["totals"]
    assert Dossier.objects.filter(channel="online", received_at__date__gte=date(2026, 1, 1)).exists()


def test_the_portal_stand_in_feeds_a_few_dossiers_a_day_dated_in_the_last_weeks():
    """The issue: 2,002 dossiers waiting after 20 minutes of `make run`, all dated May 2020."""
    from portal.sandbox import Sandbox
    from portal.sandbox_stream import recent_base

    start = recent_base(14)
    sandbox = Sandbox(interval=86400 // 3, invalid_every=0, live_from=start)
    now = datetime.now()
    count = sandbox.count("dossier", "000.00.01.G13")
    assert 3 * 14 <= count <= 3 * 21 + 3  # three a day since the Monday of the week two weeks ago
    stream = sandbox.streams["dossier"]
    first, last = stream.item("000.00.01.G13", 0), stream.item("000.00.01.G13", count - 1)
    assert datetime.strptime(first["NgayNopHoSo"], "%Y%m%d%H%M%S") >= now - timedelta(days=22)
    assert datetime.strptime(last["NgayNopHoSo"], "%Y%m%d%H%M%S") <= now
    later = Sandbox(interval=86400 // 3, invalid_every=0, live_from=start)
    later.started -= 20 * 60  # twenty minutes of wall time change nothing: the feed follows the calendar
    assert later.count("dossier", "000.00.01.G13") == count
