"""The deadline stages of DOMAIN.md §3, §2.5 and §2.1 (issue 10), named with concrete dates: due soon one working
day before the must-apologise-by moment, a missed new appointment, an online dossier late to accept, a PAKN item
forwarded late; each marked by the one scan, notified once, listed and counted with the same predicate; and the
scan's statement count constant between 100 and 10,000 dossiers (PostgreSQL)."""
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import deadlines
from cases.models import Dossier, DueMark, DueState, Status
from cases.selectors import desk_summary, overdue_desk
from cases.services.scan import scan_overdue
from notifications.models import OutboxMessage
from reports.selectors import dashboard, oversight

from .conftest import local

pytestmark = pytest.mark.django_db


def _state(d) -> str:
    return DueMark.objects.filter(dossier_id=d.pk).values_list("stage", flat=True).first() or ""


def _alerted(d, kind) -> set[str]:
    """Who was told (in the run's notice, one per officer) that `d` entered the stage of `kind`."""
    stage = kind.removeprefix("dossier.")
    return {m.recipient_user.username for m in OutboxMessage.objects.filter(kind="dossier.due_notice", channel="officer")
            if d.code in m.payload.get(stage, [])}


def test_a_scan_one_working_day_before_must_apologise_by_marks_due_soon_and_notifies(receive, cast):
    # 5 working days from Mon 02/03/2026 09:00: due Mon 09/03 09:00, must apologise by Fri 06/03 09:00.
    d = receive("1.009003", at=local(2026, 3, 2, 9, 0))
    assert (d.legal_due_at, d.apologise_by) == (local(2026, 3, 9, 9, 0), local(2026, 3, 6, 9, 0))
    assert scan_overdue(now=local(2026, 3, 5, 8, 59)).due_soon == []  # more than one working day before
    result = scan_overdue(now=local(2026, 3, 5, 9, 0))  # Thu 05/03 09:00: one working day before
    assert result.due_soon == [d.code] and _state(d) == DueState.DUE_SOON
    assert _alerted(d, "dossier.due_soon") == {"tiepnhan.hn"}
    assert scan_overdue(now=local(2026, 3, 5, 10, 0)).notifications == 0  # once
    # After the must-apologise-by moment without an issued slip: apology due, notified once more.
    result = scan_overdue(now=local(2026, 3, 6, 9, 1))
    assert result.apology_due == [d.code] and _alerted(d, "dossier.apology_due") == {"tiepnhan.hn"}
    desk = overdue_desk(user=cast["director_hn"], now=local(2026, 3, 6, 9, 1))
    assert [x.code for x in desk["apology_due"]] == [d.code] and desk["counts"]["apology_due"] == 1


def test_a_missed_new_appointment_is_marked_and_alerted_to_the_officer_and_the_director(receive, cast, as_user):
    # 2 working days from Tue 03/03/2026 09:00: due Thu 05/03 09:00; an apology moved the appointment to Mon 09/03.
    d = receive("1.009001", at=local(2026, 3, 3, 9, 0), channel="online")
    Dossier.objects.filter(pk=d.pk).update(status=Status.PROCESSING, assignee=cast["processor_hn"],
                                           reschedule_count=1, appointment_at=local(2026, 3, 9, 9, 0))
    assert scan_overdue(now=local(2026, 3, 9, 9, 0)).overdue == [d.code]  # the new appointment not yet passed
    result = scan_overdue(now=local(2026, 3, 9, 9, 1))
    assert result.appointment_missed == [d.code] and _state(d) == DueState.APPOINTMENT_MISSED
    assert _alerted(d, "dossier.appointment_missed") == {"chuyenvien.hn", "giamdoc.hn", "phogiamdoc.hn"}
    desk = overdue_desk(user=cast["director_hn"], now=local(2026, 3, 9, 9, 1))
    assert [x.code for x in desk["appointment_missed"]] == [d.code] and desk["counts"]["appointment_missed"] == 1
    assert desk["overdue_apologised"] == []  # listed once, in its own (first) list
    api = as_user(cast["director_hn"])
    assert api.get(f"/api/v1/dossiers/{d.code}/").json()["due_stage"] == "appointment_missed"
    listed = api.get("/api/v1/dossiers/", {"due_stage": "appointment_missed"}).json()
    assert [r["code"] for r in listed["results"]] == [d.code]
    assert api.get("/api/v1/dossiers/", {"due_stage": "overdue"}).json()["count"] == 0
    row = next(r for r in oversight(user=cast["legal"], first=date(2026, 3, 1), last=date(2026, 3, 31))
               if r["office"] == "01")
    assert row["appointments_missed"] >= 1


def _submitted(receive, at):
    d = receive("1.009001", at=at, channel="online")
    Dossier.objects.filter(pk=d.pk).update(status=Status.SUBMITTED, submitted_at=at, received_at=None,
                                           legal_due_at=None, apologise_by=None, appointment_at=None)
    return Dossier.objects.get(pk=d.pk)


def test_an_online_dossier_waiting_more_than_a_working_day_is_late_to_accept(receive, cast, as_user, time_machine):
    d = _submitted(receive, local(2026, 11, 2, 9, 0))  # Mon 02/11/2026 09:00
    fresh = _submitted(receive, local(2026, 11, 3, 8, 0))
    assert scan_overdue(now=local(2026, 11, 3, 9, 0)).late_to_accept == []  # exactly 8 working hours: not late
    result = scan_overdue(now=local(2026, 11, 3, 9, 1))
    assert result.late_to_accept == [d.code] and _state(d) == DueState.LATE_TO_ACCEPT and _state(fresh) == ""
    assert _alerted(d, "dossier.late_to_accept") == {"tiepnhan.hn"}
    assert scan_overdue(now=local(2026, 12, 1, 9, 0)).late_to_accept == [fresh.code]  # d stays marked, once
    assert _alerted(d, "dossier.late_to_accept") == {"tiepnhan.hn"}
    time_machine.move_to(local(2026, 12, 1, 9, 0), tick=False)
    waiting = desk_summary(user=cast["reception_hn"])["waiting"]
    assert [x.code for x in waiting[:2]] == [d.code, fresh.code] and waiting[0].late
    # 02/11 09:00 → 01/12 09:00: 20 working days (Tue 24/11/2026, Vietnam Culture Day, is off).
    assert waiting[0].waiting_label == "20 ngày 0 giờ làm việc"
    assert dashboard(user=cast["director_hn"])["tiles"]["late_to_accept"] == 2
    api = as_user(cast["director_hn"])
    listed = api.get("/api/v1/dossiers/", {"due_stage": "late_to_accept"}).json()
    assert sorted(r["code"] for r in listed["results"]) == sorted([d.code, fresh.code])
    row = next(r for r in oversight(user=cast["legal"], first=date(2026, 11, 1), last=date(2026, 11, 30))
               if r["office"] == "01")
    assert row["late_to_accept"] == 2
    # Accepted: the clock starts, the mark goes at the next scan.
    Dossier.objects.filter(pk=d.pk).update(status=Status.RECEIVED, received_at=local(2026, 12, 1, 9, 0),
                                           legal_due_at=local(2026, 12, 3, 9, 0),
                                           apologise_by=local(2026, 12, 2, 9, 0))
    scan_overdue(now=local(2026, 12, 1, 9, 5))
    assert _state(d) == DueState.DUE_SOON


def test_a_pakn_item_forwarded_on_working_day_6_is_counted_forwarded_late(offices, cast):
    from feedback import deadlines as fd
    from feedback.models import FeedbackItem, Status as FStatus

    received = local(2026, 3, 2, 9, 0)  # Mon 02/03/2026
    forward_due = fd.forward_due_at(received, offices["01"])
    assert forward_due == local(2026, 3, 9, 9, 0)  # 5 working days
    base = dict(office=offices["01"], title="Phản ánh", received_at=received, due_at=fd.answer_due_at(received, offices["01"]),
                forward_due_at=forward_due)
    late = FeedbackItem.objects.create(code="PAKN.20260302.0001", status=FStatus.FORWARDED,
                                       forwarded_at=local(2026, 3, 10, 10, 0), **base)  # Tue 10/03: working day 6
    on_time = FeedbackItem.objects.create(code="PAKN.20260302.0002", status=FStatus.FORWARDED,
                                          forwarded_at=local(2026, 3, 9, 8, 0), **base)  # day 5
    pending = FeedbackItem.objects.create(code="PAKN.20260302.0003", status=FStatus.NEW, **base)
    assert fd.is_forwarded_late(late) and not fd.is_forwarded_late(on_time)
    row = next(r for r in oversight(user=cast["legal"], first=date(2026, 3, 1), last=date(2026, 3, 31))
               if r["office"] == "01")
    assert (row["feedback_forwarded"], row["feedback_forwarded_on_time"], row["feedback_forwarded_late"]) == (2, 1, 1)
    # Still waiting for its forwarding decision: due soon the working day before, then overdue.
    scan_overdue(now=local(2026, 3, 6, 10, 0))
    assert FeedbackItem.objects.get(pk=pending.pk).due_state == DueState.FORWARD_DUE_SOON
    scan_overdue(now=local(2026, 3, 9, 9, 1))
    assert FeedbackItem.objects.get(pk=pending.pk).due_state == DueState.FORWARD_OVERDUE


# --- set-based: a constant number of statements (PostgreSQL: one UPDATE … RETURNING per stage) ---------------

def _bulk(offices, procedures, n, tag):
    """n open dossiers spread over every stage at NOW, built in bulk."""
    office, proc = offices["01"], procedures["1.009001"]
    due = local(2026, 3, 10, 9, 0)
    kinds = [
        dict(status=Status.PROCESSING, legal_due_at=due, apologise_by=local(2026, 3, 9, 9, 0)),  # overdue
        dict(status=Status.PROCESSING, legal_due_at=local(2026, 3, 13, 9, 0), apologise_by=local(2026, 3, 12, 9, 0)),
        dict(status=Status.RECEIVED, legal_due_at=local(2026, 3, 12, 9, 0), apologise_by=local(2026, 3, 11, 9, 0)),
        dict(status=Status.PROCESSING, legal_due_at=due, apologise_by=local(2026, 3, 9, 9, 0), reschedule_count=1,
             appointment_at=local(2026, 3, 11, 8, 0)),  # appointment missed
        dict(status=Status.SUBMITTED, submitted_at=local(2026, 3, 9, 8, 0)),  # late to accept
    ]
    Dossier.objects.bulk_create([
        Dossier(code=f"B{tag}-{i}", office=office, procedure=proc, applicant_name="A", applicant_id_number="1",
                **kinds[i % len(kinds)]) for i in range(n)], batch_size=2000)


@pytest.mark.postgres
@pytest.mark.parametrize("small,large", [(100, 10_000)])
def test_the_scan_statement_count_is_the_same_for_100_and_10000_dossiers(offices, procedures, cast, small, large):
    now = local(2026, 3, 11, 10, 0)

    def statements(n, tag):
        Dossier.objects.all().delete()
        OutboxMessage.objects.all().delete()
        _bulk(offices, procedures, n, tag)
        with CaptureQueriesContext(connection) as ctx:
            result = scan_overdue(now=now)
        marked = sum(len(getattr(result, s)) for s in ("overdue", "due_soon", "apology_due", "appointment_missed",
                                                        "late_to_accept"))
        assert marked == n
        return len(ctx.captured_queries)

    scan_overdue(now=now)  # warm the in-process caches (the calendar table) first
    assert statements(small, "s") == statements(large, "l")
    assert Dossier.objects.filter(deadlines.staged_q(now)).count() == large
