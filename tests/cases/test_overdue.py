"""The deadline scan (cases.services.scan): due soon / overdue around public holidays, clearing, idempotent
notifications, concurrency on PostgreSQL, the command and the task, and the overdue desk page."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Dossier, DueMark, DueState, Status
from cases.selectors import overdue_desk
from cases.services.scan import scan_overdue
from feedback.deadlines import due_soon_until as feedback_due_soon_until
from notifications.models import OutboxMessage

from .conftest import local, run_concurrently

pytestmark = pytest.mark.django_db


@pytest.fixture
def tet(receive, cast):
    """Dossiers of Hà Nội around Tết 2026 (days off Mon 16 – Fri 20/02/2026)."""
    d = {
        # 2 working days (online procedure 1.009001)
        "A": receive("1.009001", at=local(2026, 2, 10, 9, 0), channel="online"),   # due Thu 12/02 09:00
        "B": receive("1.009001", at=local(2026, 2, 11, 10, 0), channel="online"),  # due Fri 13/02 10:00
        "C": receive("1.009001", at=local(2026, 2, 12, 14, 0), channel="online"),  # due Mon 23/02 14:00 (Tết)
        "D": receive("1.009001", at=local(2026, 2, 13, 9, 0), channel="online"),   # due Tue 24/02 09:00
        # 5 working days (1.009003)
        "E": receive("1.009003", at=local(2026, 2, 12, 8, 0)),                      # due Thu 26/02 08:00
        "F": receive("1.009001", at=local(2026, 2, 10, 9, 30), channel="online"),  # awaiting the applicant
        "G": receive("1.009001", at=local(2026, 2, 10, 9, 45), channel="online"),  # resolved already
    }
    Dossier.objects.filter(pk=d["A"].pk).update(status=Status.PROCESSING, assignee=cast["processor_hn"])
    Dossier.objects.filter(pk=d["F"].pk).update(status=Status.AWAITING_SUPPLEMENT)
    Dossier.objects.filter(pk=d["G"].pk).update(status=Status.RESOLVED, resolved_at=local(2026, 2, 11, 9, 0))
    return {k: Dossier.objects.get(pk=v.pk) for k, v in d.items()}


def _states():
    """Open marks by code (cases.DueMark)."""
    return dict(DueMark.objects.filter(closed=False).values_list("dossier__code", "stage"))


def _marked(tet):
    codes = {v.code: k for k, v in tet.items()}
    return {codes[c]: s for c, s in _states().items() if s}


def test_deadlines_of_the_scenario_cross_tet(tet):
    assert tet["C"].legal_due_at == local(2026, 2, 23, 14, 0)
    assert tet["C"].apologise_by == local(2026, 2, 13, 14, 0)
    assert tet["D"].legal_due_at == local(2026, 2, 24, 9, 0)
    assert tet["D"].apologise_by == local(2026, 2, 23, 9, 0)
    assert tet["E"].legal_due_at == local(2026, 2, 26, 8, 0)


def test_scan_during_tet_marks_exactly_the_expected_set(tet):
    result = scan_overdue(now=local(2026, 2, 18, 10, 0))
    # Without Tết, C would be overdue (due Mon 16); the holiday keeps it within time, but its must-apologise-by
    # moment (Fri 13/02 14:00) has passed: apology due. D's (Mon 23/02 09:00) is one working day away: due soon.
    assert _marked(tet) == {"A": "overdue", "B": "overdue", "C": "apology_due", "D": "due_soon"}
    assert sorted(result.overdue) == sorted([tet["A"].code, tet["B"].code])
    assert result.due_soon == [tet["D"].code] and result.apology_due == [tet["C"].code]


def test_scan_after_tet_moves_dossiers_on(tet):
    scan_overdue(now=local(2026, 2, 18, 10, 0))
    scan_overdue(now=local(2026, 2, 23, 9, 30))  # D's apologise-by (Mon 09:00) has passed; C's due (14:00) not
    assert _marked(tet) == {"A": "overdue", "B": "overdue", "C": "apology_due", "D": "apology_due"}
    result = scan_overdue(now=local(2026, 2, 23, 14, 0))  # exactly the due moment: not yet late
    assert result.overdue == []
    result = scan_overdue(now=local(2026, 2, 23, 14, 1))
    assert result.overdue == [tet["C"].code]
    assert _marked(tet) == {"A": "overdue", "B": "overdue", "C": "overdue", "D": "apology_due"}
    scan_overdue(now=local(2026, 2, 24, 8, 0))  # E's must-apologise-by (Wed 25/02 08:00) one working day away
    assert _marked(tet) == {"A": "overdue", "B": "overdue", "C": "overdue", "D": "apology_due", "E": "due_soon"}
    scan_overdue(now=local(2026, 2, 25, 8, 1))
    assert _marked(tet) == {"A": "overdue", "B": "overdue", "C": "overdue", "D": "overdue", "E": "apology_due"}


def test_scan_around_30_april_and_1_may(receive):
    # Tue 28/04/2026 10:00 + 2 working days: Wed 29 (1), Thu 30/04 and Fri 01/05 off, weekend → Mon 04/05 10:00.
    d = receive("1.009001", at=local(2026, 4, 28, 10, 0), channel="online")
    assert (d.legal_due_at, d.apologise_by) == (local(2026, 5, 4, 10, 0), local(2026, 4, 29, 10, 0))
    # A 2-day dossier is due soon from its receipt: its must-apologise-by moment is one working day away.
    assert scan_overdue(now=local(2026, 4, 28, 10, 0)).due_soon == [d.code]
    assert scan_overdue(now=local(2026, 4, 29, 10, 0)).apology_due == []  # the moment itself has not passed
    assert scan_overdue(now=local(2026, 5, 2, 9, 0)).apology_due == [d.code]
    assert scan_overdue(now=local(2026, 5, 4, 10, 1)).overdue == [d.code]


def test_scan_clears_marks_that_no_longer_hold(tet):
    scan_overdue(now=local(2026, 2, 18, 10, 0))
    # The applicant is asked for papers: the clock stops, the mark goes.
    Dossier.objects.filter(pk=tet["A"].pk).update(status=Status.AWAITING_SUPPLEMENT)
    # A calendar change moved C's deadline later: neither due soon nor overdue any more.
    Dossier.objects.filter(pk=tet["C"].pk).update(legal_due_at=local(2026, 2, 27, 14, 0),
                                                  apologise_by=local(2026, 2, 26, 14, 0))
    result = scan_overdue(now=local(2026, 2, 18, 10, 5))
    assert result.cleared == 2
    assert _marked(tet) == {"B": "overdue", "D": "due_soon"}


def test_a_calendar_override_reschedules_the_legal_due_and_the_scan_follows(tet, after_commit):
    from datetime import date

    from workcal.models import CalendarOverride

    scan_overdue(now=local(2026, 2, 18, 10, 0))
    assert _marked(tet)["B"] == "overdue"
    # Fri 13/02/2026 declared a day off: B (received Wed 11/02 10:00, 2 days) is now due Mon 23/02 10:00.
    with after_commit():  # the recompute runs in a Celery task once the override commits
        CalendarOverride.objects.create(date=date(2026, 2, 13), kind="off", note="thử nghiệm")
    b = Dossier.objects.get(pk=tet["B"].pk)
    assert b.legal_due_at == local(2026, 2, 23, 10, 0)
    result = scan_overdue(now=local(2026, 2, 18, 10, 5))
    assert tet["B"].code in result.apology_due  # overdue → apology due (its apologise-by, Thu 12/02, has passed)
    assert _marked(tet)["B"] == "apology_due"


def test_running_twice_changes_nothing_and_notifies_nobody_twice(tet, cast):
    now = local(2026, 2, 18, 10, 0)
    first = scan_overdue(now=now)
    officer = OutboxMessage.objects.filter(kind="dossier.due_notice")
    digests = OutboxMessage.objects.filter(kind="dossier.due_digest")
    # One notice per officer for the run: the assignee of A; the office's reception officer for the unassigned
    # B, C and D, all four in one notice.
    assert first.notifications == 2 and officer.count() == 2
    notices = {m.recipient_user.username: m for m in officer}
    assert set(notices) == {"chuyenvien.hn", "tiepnhan.hn"}
    assert notices["chuyenvien.hn"].payload["overdue"] == [tet["A"].code]
    assert notices["chuyenvien.hn"].dossier_code == tet["A"].code  # a notice of one dossier links it
    desk = notices["tiepnhan.hn"]
    assert (desk.payload["overdue"], desk.payload["apology_due"], desk.payload["due_soon"]) == (
        [tet["B"].code], [tet["C"].code], [tet["D"].code])
    assert desk.channel == "officer" and desk.dossier_code == ""
    assert desk.subject == "Hồ sơ quá hạn, sắp đến hạn: 1 quá hạn, 1 sắp đến hạn, 1 phải gửi phiếu xin lỗi"
    # One digest per director / deputy of the office for this run, listing the codes.
    assert {m.recipient_user.username for m in digests} == {"giamdoc.hn", "phogiamdoc.hn"}
    for m in digests:
        assert sorted(m.payload["overdue"]) == sorted([tet["A"].code, tet["B"].code])
        assert m.payload["due_soon"] == [tet["D"].code] and m.payload["apology_due"] == [tet["C"].code]
        assert tet["A"].code in m.body and "Quá hạn (2)" in m.body
    states = _states()

    second = scan_overdue(now=now)
    assert (second.overdue, second.due_soon, second.cleared, second.notifications, second.digests) == ([], [], 0, 0, 0)
    assert _states() == states
    assert officer.count() == 2 and digests.count() == 2
    # The same run replayed (a retried task) writes nothing new either.
    DueMark.objects.filter(dossier_id=tet["D"].pk).delete()
    scan_overdue(now=now, run_key=first.run_key)
    assert digests.count() == 2 and officer.count() == 2


def test_a_dossier_that_becomes_overdue_again_after_its_deadline_moved_is_notified_again(tet):
    def told_overdue():
        return sum(tet["B"].code in m.payload["overdue"] for m in OutboxMessage.objects.filter(kind="dossier.due_notice"))

    scan_overdue(now=local(2026, 2, 18, 10, 0))
    before = told_overdue()
    Dossier.objects.filter(pk=tet["B"].pk).update(legal_due_at=local(2026, 2, 18, 11, 0),
                                                  apologise_by=local(2026, 2, 13, 11, 0))
    scan_overdue(now=local(2026, 2, 18, 10, 30))  # now due soon
    scan_overdue(now=local(2026, 2, 18, 11, 1))  # overdue against the new deadline
    assert (before, told_overdue()) == (1, 2)


def test_the_scan_is_a_constant_number_of_queries(receive):
    def queries_for(n, day):
        for i in range(n):
            receive("1.009001", at=local(2026, 3, day, 9, i), channel="online")
        with CaptureQueriesContext(connection) as ctx:
            scan_overdue(now=local(2026, 3, day + 7, 9, 0))
        return len(ctx.captured_queries)

    assert queries_for(2, 2) == queries_for(15, 3)


def test_command_and_task_run_one_scan(tet):
    from io import StringIO

    out = StringIO()
    call_command("scan_overdue", "--now", "2026-02-18T10:00:00", stdout=out)
    assert "2 newly overdue, 1 newly due soon" in out.getvalue()
    from cases.tasks import scan_overdue as task

    assert task.name == "cases.tasks.scan_overdue"
    result = task.apply().get()
    assert result["skipped"] is False  # today every open dossier of the scenario is overdue
    assert _marked(tet) == {"A": "overdue", "B": "overdue", "C": "overdue", "D": "overdue", "E": "overdue"}


def test_feedback_due_soon_threshold_is_one_working_day():
    assert feedback_due_soon_until(local(2026, 2, 12, 10, 0)) == local(2026, 2, 13, 10, 0)
    assert feedback_due_soon_until(local(2026, 2, 13, 10, 0)) == local(2026, 2, 23, 10, 0)  # over Tết
    assert feedback_due_soon_until(local(2026, 2, 18, 10, 0)) == local(2026, 2, 24, 0, 0)  # during Tết


def test_the_scan_marks_feedback_items(offices):
    from feedback.models import FeedbackItem

    if FeedbackItem._meta.db_table not in connection.introspection.table_names():
        pytest.skip("feedback tables are not migrated yet")
    base = dict(office=offices["01"], title="Phản ánh", received_at=local(2026, 2, 2, 9, 0))
    late = FeedbackItem.objects.create(code="PAKN.1", due_at=local(2026, 2, 12, 9, 0), **base)
    soon = FeedbackItem.objects.create(code="PAKN.2", due_at=local(2026, 2, 23, 9, 0), **base)
    later = FeedbackItem.objects.create(code="PAKN.3", due_at=local(2026, 2, 25, 9, 0), **base)
    done = FeedbackItem.objects.create(code="PAKN.4", due_at=local(2026, 2, 12, 9, 0), status="closed", **base)
    result = scan_overdue(now=local(2026, 2, 18, 10, 0))
    assert result.feedback == {"overdue": 1, "due_soon": 1, "cleared": 0}
    states = dict(FeedbackItem.objects.values_list("pk", "due_state"))
    assert states == {late.pk: "overdue", soon.pk: "due_soon", later.pk: "", done.pk: ""}


# --- concurrency (PostgreSQL) ----------------------------------------------------------------------------

@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lock", [True, False], ids=["advisory-lock", "conditional-update-only"])
def test_concurrent_scans_mark_and_notify_each_dossier_once(receive, cast, lock):
    dossiers = [receive("1.009001", at=local(2026, 3, 2, 8, i), channel="online") for i in range(40)]
    Dossier.objects.filter(pk__in=[d.pk for d in dossiers[::2]]).update(assignee=cast["processor_hn"])
    now = local(2026, 3, 10, 9, 0)

    results, errors = run_concurrently(4, lambda i: scan_overdue(now=now, run_key=f"run-{i}", lock=lock))
    assert errors == []
    codes = [c for r in results for c in r.overdue]
    assert sorted(codes) == sorted(d.code for d in dossiers)  # each dossier marked by exactly one run
    assert set(DueMark.objects.values_list("stage", flat=True)) == {DueState.OVERDUE}
    assert DueMark.objects.count() == len(dossiers)
    officer = [c for p in OutboxMessage.objects.filter(kind="dossier.due_notice").values_list("payload", flat=True)
               for c in p["overdue"]]
    assert sorted(officer) == sorted(d.code for d in dossiers)  # every dossier in exactly one notice
    for user in ("giamdoc.hn", "phogiamdoc.hn"):
        listed = [c for p in OutboxMessage.objects.filter(kind="dossier.due_digest", recipient_user__username=user)
                  .values_list("payload", flat=True) for c in p["overdue"]]
        assert sorted(listed) == sorted(d.code for d in dossiers)  # every code in exactly one digest


# --- the overdue desk ------------------------------------------------------------------------------------

def _client(client, user):
    client.force_login(user)
    return client


def test_overdue_desk_shows_the_lists_and_counts(tet, cast, client):
    from cases.services import apology

    slip = apology.apology_slip_draft(actor=cast["processor_hn"], dossier=tet["C"], reason="Chờ xác minh",
                                      new_appointment_at=local(2027, 3, 3, 9, 0))
    response = _client(client, cast["director_hn"]).get(reverse("cases:overdue"))
    assert response.status_code == 200
    html = response.content.decode()
    for key in ("A", "B", "C", "D", "E"):  # today all five open dossiers are overdue
        assert reverse("cases:detail", kwargs={"code": tet[key].code}) in html
    assert tet["F"].code not in html and tet["G"].code not in html
    assert "Ký và phát hành" in html
    assert reverse("cases:apology_sign", kwargs={"code": tet["C"].code, "pk": slip.pk}) in html
    assert "12/02/2026 09:00" in html  # A's legal due moment, dd/mm/yyyy HH:MM local time
    ctx = response.context
    assert ctx["counts"]["overdue"] == 5 and ctx["counts"]["overdue_not_apologised"] == 5
    assert ctx["counts"]["drafts"] == 1
    assert {r["procedure__code"]: r["overdue"] for r in ctx["per_procedure"]} == {"1.009001": 4, "1.009003": 1}
    assert {r["name"]: r["overdue"] for r in ctx["per_officer"]} == {"chuyenvien.hn": 1, "Chưa giao cán bộ xử lý": 4}


def test_overdue_desk_as_of_a_moment_and_scoped(tet, cast):
    data = overdue_desk(user=cast["director_hn"], now=local(2026, 2, 18, 10, 0))
    assert [d.code for d in data["overdue_not_apologised"]] == [tet["A"].code, tet["B"].code]
    assert [d.code for d in data["apology_due"]] == [tet["C"].code]
    assert [d.code for d in data["due_soon"]] == [tet["D"].code]
    other = overdue_desk(user=cast["director_hcm"], now=local(2026, 2, 18, 10, 0))
    assert other["counts"]["overdue"] == 0 and other["overdue_not_apologised"] == []


def test_overdue_desk_query_count_does_not_grow_with_dossiers(receive, cast, client):
    client.force_login(cast["director_hn"])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("cases:overdue")).status_code == 200
        return len(ctx.captured_queries)

    receive("1.009001", at=local(2026, 3, 2, 9, 0), channel="online")
    few = count()
    for i in range(12):
        receive("1.009003" if i % 2 else "1.009001", at=local(2026, 3, 3, 9, i), channel="online")
    assert count() == few


@pytest.mark.parametrize("who,status", [("director_hn", 200), ("deputy_hn", 200), ("processor_hn", 200),
                                        ("admin", 200), ("reception_hn", 403), ("legal", 403)])
def test_overdue_desk_roles(cast, client, who, status):
    client.force_login(cast[who])
    assert client.get(reverse("cases:overdue")).status_code == status


def test_overdue_desk_needs_login(client, db):
    response = client.get(reverse("cases:overdue"))
    assert response.status_code == 302 and "dang-nhap" in response["Location"]
