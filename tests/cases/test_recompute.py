"""The calendar-change recompute (cases.recompute): every clock mode, set-based, told to the directors, and
never moving an appointment or a rule version (DOMAIN.md §3, §8)."""
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.forms.models import model_to_dict

from cases import recompute, services, versions
from cases.models import Dossier, ProcedureVersion, ProcessStep, SupplementRequest
from notifications.models import OutboxMessage
from workcal import years
from workcal.models import CalendarOverride, CalendarYear

from .conftest import local

pytestmark = pytest.mark.django_db


def _resume_mode(dossier):
    ProcedureVersion.objects.filter(pk=versions.version_of(dossier).pk).update(supplement_clock="resume")
    dossier.refresh_from_db()


def _supplement(cast, dossier, requested, fulfilled=None):
    with time_machine.travel(requested, tick=False):
        dossier = services.dossier_request_supplement(actor=cast["reception_hn"], dossier=dossier,
                                                      reason="Thiếu giấy tờ", documents=["Sổ BHXH"])
    if fulfilled:
        with time_machine.travel(fulfilled, tick=False):
            dossier = services.dossier_supplement_received(actor=cast["reception_hn"], dossier=dossier)
    return dossier


@pytest.fixture
def resumed(receive, cast):
    """10 working days from Mon 02/06/2025 09:00 (due Mon 16/06), paused Wed 04/06 09:00 → Mon 09/06 09:00 with
    the clock resuming: 16 h used, 64 h left from Mon 09/06 09:00 → due Thu 19/06/2025 09:00."""
    dossier = receive(at=local(2025, 6, 2, 9, 0))
    _resume_mode(dossier)
    dossier = _supplement(cast, dossier, local(2025, 6, 4, 9, 0), local(2025, 6, 9, 9, 0))
    assert dossier.legal_due_at == local(2025, 6, 19, 9, 0)
    return dossier


@pytest.mark.parametrize("day_off", [date(2025, 6, 10), date(2025, 6, 3)], ids=["after-the-resume", "before-the-pause"])
def test_a_calendar_change_moves_the_deadline_of_a_dossier_whose_clock_resumed_after_a_supplement(
        resumed, day_off, after_commit):
    """The issue's case: due Thu 19/06/2025 stayed; a day off inside its running clock (after the resume, or
    before the pause: less time used, the same limit) makes it Fri 20/06/2025."""
    promised = resumed.appointment_at
    with after_commit():
        CalendarOverride.objects.create(date=day_off, kind="off", note="Nghỉ bù")
    resumed.refresh_from_db()
    assert resumed.legal_due_at == local(2025, 6, 20, 9, 0)
    assert resumed.apologise_by == local(2025, 6, 19, 9, 0)
    assert resumed.appointment_at == promised
    event = resumed.events.get(action="recompute-deadline")
    assert event.legal_due_at == local(2025, 6, 20, 9, 0) and event.to_status == resumed.status
    assert {k: datetime.fromisoformat(v) for k, v in event.data.items()} == {
        "old": local(2025, 6, 19, 9, 0), "new": local(2025, 6, 20, 9, 0)}
    # The open step is still the desk's: its own budget (the day of receipt's closing) does not follow the legal
    # due moment (DOMAIN.md §2.2; processing steps do, see test_budgets).
    assert set(ProcessStep.objects.filter(dossier=resumed, done_at__isnull=True).values_list("due_at", flat=True)) \
        == {local(2025, 6, 2, 17, 0)}


def test_a_day_off_during_the_pause_moves_nothing(resumed):
    CalendarOverride.objects.create(date=date(2025, 6, 5), kind="off")
    assert recompute.recompute_open_deadlines(dates=[date(2025, 6, 5)]) == 0
    resumed.refresh_from_db()
    assert resumed.legal_due_at == local(2025, 6, 19, 9, 0)


def test_a_restarted_clock_counts_only_since_the_restart(receive, cast):
    dossier = receive(at=local(2025, 6, 2, 9, 0))
    dossier = _supplement(cast, dossier, local(2025, 6, 4, 9, 0), local(2025, 6, 9, 9, 0))
    assert dossier.legal_due_at == local(2025, 6, 23, 9, 0)      # 10 working days from Mon 09/06
    CalendarOverride.objects.create(date=date(2025, 6, 3), kind="off")   # before the restart: nothing
    assert recompute.recompute_open_deadlines(dates=[date(2025, 6, 3)]) == 0
    CalendarOverride.objects.create(date=date(2025, 6, 11), kind="off")
    assert recompute.recompute_open_deadlines(dates=[date(2025, 6, 11)]) == 1
    dossier.refresh_from_db()
    assert dossier.legal_due_at == local(2025, 6, 24, 9, 0)


def test_a_paused_resume_mode_dossier_resumes_with_the_time_left_under_the_new_calendar(receive, cast):
    """Paused: the stored pre-pause due and the time used are re-measured, so the resume is exact."""
    dossier = receive(at=local(2025, 6, 2, 9, 0))
    _resume_mode(dossier)
    dossier = _supplement(cast, dossier, local(2025, 6, 4, 9, 0))
    with time_machine.travel(local(2025, 6, 5, 9, 0), tick=False):  # the history is ordered: the change, then the papers
        CalendarOverride.objects.create(date=date(2025, 6, 3), kind="off")   # in the segment already used
        assert recompute.recompute_open_deadlines(dates=[date(2025, 6, 3)]) == 1
    dossier.refresh_from_db()
    assert dossier.status == "awaiting_supplement"
    assert dossier.legal_due_at == local(2025, 6, 17, 9, 0)       # the running clock's due under the new calendar
    assert SupplementRequest.objects.get(dossier=dossier).clock_used == timedelta(hours=8)
    assert dossier.events.get(action="recompute-deadline").to_status == "awaiting_supplement"
    with time_machine.travel(local(2025, 6, 9, 9, 0), tick=False):
        dossier = services.dossier_supplement_received(actor=cast["reception_hn"], dossier=dossier)
    assert dossier.legal_due_at == local(2025, 6, 20, 9, 0)       # 72 h left from Mon 09/06 09:00


def test_the_directors_are_told_what_moved_once_per_run(receive, cast, after_commit):
    moved = [receive(at=local(2025, 6, 2, 9, m)) for m in range(3)]
    receive(at=local(2025, 6, 2, 10, 0), officer="reception_hcm")   # another province: its directors only
    with after_commit():
        CalendarOverride.objects.create(date=date(2025, 6, 10), kind="off")
    messages = OutboxMessage.objects.filter(kind="calendar.deadlines_moved")
    by_user = {m.recipient_user.username: m for m in messages}
    assert {"giamdoc.hn", "phogiamdoc.hn", "giamdoc.hcm"} <= set(by_user)
    hanoi = by_user["giamdoc.hn"]
    assert hanoi.payload["count"] == 3
    assert [m["code"] for m in hanoi.payload["moved"]] == sorted(d.code for d in moved)
    assert f"{moved[0].code}: 16/06/2025 09:00 → 17/06/2025 09:00" in hanoi.body
    assert by_user["giamdoc.hcm"].payload["count"] == 1
    # The same run retried tells nobody twice; a new run with nothing to move sends nothing.
    run = hanoi.payload["run"]
    count = messages.count()
    assert recompute.recompute(dates=[date(2025, 6, 10)], run_key=run).moved == []
    assert OutboxMessage.objects.filter(kind="calendar.deadlines_moved").count() == count
    recompute._tell_directors(recompute.Result(run_key=run, moved=[
        recompute.Moved(moved[0].pk, moved[0].code, moved[0].office_id, "received", moved[0].legal_due_at,
                        moved[0].legal_due_at)]))
    assert OutboxMessage.objects.filter(kind="calendar.deadlines_moved").count() == count


def test_portal_dossiers_moved_queue_their_progress_for_the_national_portal(receive):
    dossier = receive(at=local(2025, 6, 2, 9, 0))
    Dossier.objects.filter(pk=dossier.pk).update(source="national_portal")
    CalendarOverride.objects.create(date=date(2025, 6, 10), kind="off")
    assert recompute.recompute_open_deadlines(dates=[date(2025, 6, 10)]) == 1
    dossier.events.get(action="recompute-deadline")
    message = OutboxMessage.objects.get(kind="dossier.sync", subject="recompute-deadline")
    assert message.channel == "portal" and message.dossier_code == dossier.code
    assert message.payload["progress"]["NgayKetThucTheoQuyDinh"].startswith("20250617")


def _snapshot():
    dossiers = {d.pk: model_to_dict(d) for d in Dossier.objects.all()}
    steps = {s.pk: model_to_dict(s) for s in ProcessStep.objects.all()}
    return dossiers, steps


def _changed(before, after):
    return {name for pk in before for name in before[pk] if before[pk][name] != after[pk][name]}


def test_an_override_and_an_announced_year_move_only_the_legal_deadlines(receive, cast, after_commit):
    """Every received dossier keeps its rule version and the appointment promised; only legal_due_at,
    apologise_by and the open steps' due move (DOMAIN.md §3, §8)."""
    running = receive(at=local(2025, 6, 2, 9, 0))
    with time_machine.travel(local(2025, 6, 2, 9, 30), tick=False):  # an open processing step: its due follows
        running = services.dossier_start(actor=cast["reception_hn"], dossier=running)
    resumed = receive(at=local(2025, 6, 2, 9, 5))
    _resume_mode(resumed)
    _supplement(cast, resumed, local(2025, 6, 4, 9, 0), local(2025, 6, 9, 9, 0))
    _supplement(cast, receive(at=local(2025, 6, 2, 9, 10)), local(2025, 6, 4, 9, 0))       # paused, restart
    done = services.dossier_start(actor=cast["reception_hn"], dossier=receive(at=local(2025, 6, 2, 9, 15)))
    services.dossier_resolve(actor=cast["processor_hn"], dossier=done, outcome="approved")
    dossiers, steps = _snapshot()
    with after_commit():
        CalendarOverride.objects.create(date=date(2025, 6, 10), kind="off")
    after_dossiers, after_steps = _snapshot()
    assert _changed(dossiers, after_dossiers) == {"legal_due_at", "apologise_by"}
    assert _changed(steps, after_steps) == {"due_at"}
    running.refresh_from_db()
    assert running.legal_due_at == local(2025, 6, 17, 9, 0)

    # Announcing the year: a deadline computed under an older calendar is put right; nothing else moves.
    Dossier.objects.filter(pk=running.pk).update(legal_due_at=local(2025, 6, 19, 9, 0))
    CalendarYear.objects.filter(year=2025).delete()  # provisional until announced below
    dossiers, steps = _snapshot()
    with after_commit():
        years.calendar_year_announce(year=2025, source="Thông báo 1/TB-BNV", source_date=date(2024, 11, 20),
                                     actor=cast["admin"])
    after_dossiers, _ = _snapshot()
    assert _changed(dossiers, after_dossiers) == {"legal_due_at"}   # its apologise_by was already right
    running.refresh_from_db()
    assert running.legal_due_at == local(2025, 6, 17, 9, 0)
    assert all(d["rule_version"] is not None for d in after_dossiers.values())


@pytest.mark.parametrize("n", [10, 60])
def test_the_query_count_does_not_grow_with_the_dossiers(n, receive, cast, django_assert_max_num_queries):
    for i in range(n):
        d = receive(at=local(2025, 6, 2, 9, 0) + timedelta(minutes=i))
        if i % 3 == 0:
            _resume_mode(d)
            _supplement(cast, d, local(2025, 6, 4, 9, 0), local(2025, 6, 9, 9, 0))
        elif i % 3 == 1:
            _supplement(cast, d, local(2025, 6, 4, 9, 0))
    CalendarOverride.objects.create(date=date(2025, 6, 3), kind="off")
    # One page: ~14 statements (the national portal's: one to number the changes, one to queue them), plus 4 per
    # director told (2 here) and the pinned calendar's 2, whatever the number of dossiers (SQLite splits the queue's
    # INSERT at 999 parameters: one more statement from 59 dossiers on).
    with django_assert_max_num_queries(27):
        moved = recompute.recompute_open_deadlines(dates=[date(2025, 6, 3)])
    assert moved == n
