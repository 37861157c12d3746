"""The deadline scan's marks in their narrow table (cases.DueMark) and its notices, one per officer per run
(issue 14, "the scan near the floor"): what it writes, what it never rewrites, and that its one-statement
PostgreSQL form and its ORM form write the same."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cases.models import Dossier, DueMark, Status
from cases.services.scan import scan_overdue
from notifications.models import OutboxMessage

from .conftest import local

pytestmark = pytest.mark.django_db

NOW = local(2026, 3, 16, 10, 0)  # Mon 16/03/2026 10:00


@pytest.fixture
def floor(receive, cast, offices):
    """Dossiers of Hà Nội (01), Cầu Giấy (01.005, its own reception desk), 01.006 (no desk: its parent's) and
    Hồ Chí Minh (79), in every stage at NOW, some assigned."""
    def make(key, at, office="01", officer="reception_hn", procedure="1.009001", **fields):
        d = receive(procedure, at=at, officer=officer, channel="online" if procedure == "1.009001" else "direct")
        Dossier.objects.filter(pk=d.pk).update(office=offices[office], **fields)
        return key, d

    d = dict([
        make("over_assigned", local(2026, 3, 2, 9, 0), status=Status.PROCESSING, assignee=cast["processor_hn"]),
        make("over_desk", local(2026, 3, 2, 9, 5)),
        make("over_cg", local(2026, 3, 2, 9, 10), office="01.005"),
        make("over_006", local(2026, 3, 2, 9, 15), office="01.006"),
        make("over_hcm", local(2026, 3, 2, 9, 20), office="79", officer="reception_hcm"),
        make("soon_assigned", local(2026, 3, 13, 10, 0), status=Status.PROCESSING, assignee=cast["processor_hn"]),
        make("apology_desk", local(2026, 3, 13, 9, 0)),
        make("missed", local(2026, 3, 2, 9, 30), status=Status.PROCESSING, assignee=cast["processor_hn"],
             reschedule_count=1, appointment_at=local(2026, 3, 13, 9, 0)),
        make("late_online", local(2026, 3, 12, 9, 0), status=Status.SUBMITTED,
             submitted_at=local(2026, 3, 12, 9, 0), received_at=None, legal_due_at=None, apologise_by=None,
             appointment_at=None),
        make("later", local(2026, 3, 16, 9, 0), procedure="1.009003"),
    ])
    return {k: Dossier.objects.get(pk=v.pk) for k, v in d.items()}


def _marks():
    return {(code, stage, closed) for code, stage, closed in
            DueMark.objects.values_list("dossier__code", "stage", "closed")}


def _notices(kind="dossier.due_notice"):
    """{username: {stage: [codes]}} of the run's notices."""
    out = {}
    for m in OutboxMessage.objects.filter(kind=kind).select_related("recipient_user"):
        assert m.recipient_user.username not in out  # one per officer per run
        out[m.recipient_user.username] = {k: v for k, v in m.payload.items() if k != "run" and v}
    return out


def test_the_scan_marks_every_stage_in_the_narrow_table(floor):
    result = scan_overdue(now=NOW)
    c = {k: d.code for k, d in floor.items()}
    assert _marks() == {(c["over_assigned"], "overdue", False), (c["over_desk"], "overdue", False),
                        (c["over_cg"], "overdue", False), (c["over_006"], "overdue", False),
                        (c["over_hcm"], "overdue", False), (c["soon_assigned"], "due_soon", False),
                        (c["apology_desk"], "apology_due", False), (c["missed"], "appointment_missed", False),
                        (c["late_online"], "late_to_accept", False)}
    assert sorted(result.overdue) == sorted(c[k] for k in ("over_assigned", "over_desk", "over_cg", "over_006",
                                                            "over_hcm"))
    # The rest of the code reads the mark as Dossier.due_state.
    assert Dossier.objects.get(pk=floor["missed"].pk).due_state == "appointment_missed"
    assert Dossier.objects.get(pk=floor["later"].pk).due_state == ""
    assert DueMark.objects.get(dossier=floor["missed"]).since == NOW


def test_marking_never_rewrites_the_dossier_row(floor):
    def versions():
        if connection.vendor != "postgresql":  # no row versions: the rows' values
            return {row[0]: row for row in Dossier.objects.values_list("pk", *[f.attname for f in Dossier._meta.concrete_fields])}
        with connection.cursor() as cursor:  # ctid: where the row's current version is (any UPDATE moves it)
            cursor.execute("SELECT id, ctid::text FROM cases_dossier")
            return dict(cursor.fetchall())

    before = versions()
    with CaptureQueriesContext(connection) as ctx:
        scan_overdue(now=NOW)
        Dossier.objects.filter(pk=floor["over_desk"].pk).update(legal_due_at=local(2026, 3, 30, 9, 0),
                                                                apologise_by=local(2026, 3, 27, 9, 0))
        scan_overdue(now=local(2026, 3, 16, 10, 5))  # the mark of over_desk is removed, nothing else moves
    writes = [q["sql"] for q in ctx.captured_queries
              if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE")) and "cases_dossier" in q["sql"]
              and "cases_duemark" not in q["sql"]]
    assert len(writes) == 1 and '"legal_due_at"' in writes[0]  # only the test's own update
    after = versions()
    assert {pk for pk in before if before[pk] != after[pk]} == {floor["over_desk"].pk}
    assert floor["over_desk"].code not in {code for code, *_ in _marks()} and len(_marks()) == 8


def test_one_notice_per_officer_per_run_lists_exactly_its_dossiers(floor):
    result = scan_overdue(now=NOW)
    c = {k: d.code for k, d in floor.items()}
    assert _notices() == {
        # The assignee: its three dossiers, by stage.
        "chuyenvien.hn": {"overdue": [c["over_assigned"]], "due_soon": [c["soon_assigned"]],
                          "appointment_missed": [c["missed"]]},
        # Hà Nội's desk: its unassigned dossiers and those of 01.006, which has no desk of its own.
        "tiepnhan.hn": {"overdue": sorted([c["over_desk"], c["over_006"]]), "apology_due": [c["apology_desk"]],
                        "late_to_accept": [c["late_online"]]},
        "tiepnhan.caugiay": {"overdue": [c["over_cg"]]},
        "tiepnhan.hcm": {"overdue": [c["over_hcm"]]},
        # A missed appointment goes to the leaders at once.
        "giamdoc.hn": {"appointment_missed": [c["missed"]]}, "phogiamdoc.hn": {"appointment_missed": [c["missed"]]},
    }
    assert result.notifications == 6
    # The leaders' digest: their office and the offices under it.
    digest = _notices("dossier.due_digest")
    assert digest["giamdoc.hn"] == digest["phogiamdoc.hn"] == {
        "overdue": sorted(c[k] for k in ("over_assigned", "over_desk", "over_cg", "over_006")),
        "due_soon": [c["soon_assigned"]], "apology_due": [c["apology_desk"]], "appointment_missed": [c["missed"]],
        "late_to_accept": [c["late_online"]]}
    assert digest["giamdoc.hcm"] == {"overdue": [c["over_hcm"]]} and result.digests == 3
    notice = OutboxMessage.objects.get(kind="dossier.due_notice", recipient_user__username="tiepnhan.hn")
    assert notice.subject == ("Hồ sơ quá hạn, sắp đến hạn: 2 quá hạn, 0 sắp đến hạn, 1 phải gửi phiếu xin lỗi, "
                              "1 chậm tiếp nhận trực tuyến")
    assert notice.body.splitlines()[0] == f"Quá hạn (2): {', '.join(sorted([c['over_desk'], c['over_006']]))}"
    assert notice.office.code == "01" and notice.state == "pending"
    # The next run with nothing new tells nobody anything.
    assert scan_overdue(now=NOW).notifications == 0
    assert OutboxMessage.objects.filter(kind="dossier.due_notice").count() == 6


def test_a_notice_lists_sixty_codes_and_counts_the_rest(receive, cast):
    for i in range(63):
        receive("1.009001", at=local(2026, 3, 2, 8, i % 60), channel="online")
    scan_overdue(now=NOW)
    notice = OutboxMessage.objects.get(kind="dossier.due_notice", recipient_user=cast["reception_hn"])
    assert len(notice.payload["overdue"]) == 63
    assert notice.body.startswith("Quá hạn (63): ") and notice.body.endswith(" và 3 hồ sơ khác")
    assert notice.body.count(", ") == 59


def test_an_idle_run_issues_a_constant_small_number_of_statements(receive):
    def idle_statements(n, day):
        for i in range(n):
            receive("1.009001", at=local(2026, 3, day, 9, i), channel="online")
        scan_overdue(now=local(2026, 3, day + 7, 9, 0))
        with CaptureQueriesContext(connection) as ctx:
            result = scan_overdue(now=local(2026, 3, day + 7, 9, 0))
        assert (result.overdue, result.cleared, result.notifications) == ([], 0, 0)
        return len(ctx.captured_queries)

    few = idle_statements(2, 2)
    assert idle_statements(25, 3) == few
    if connection.vendor == "postgresql":
        # BEGIN (here a savepoint), the lock, where the last run stood, the marking statement, the feedback
        # scan's five updates, COMMIT
        assert few <= 10


def test_a_closed_dossier_keeps_its_mark_flagged_closed(floor):
    scan_overdue(now=NOW)
    Dossier.objects.filter(pk=floor["over_desk"].pk).update(status=Status.RESOLVED, resolved_at=NOW)
    result = scan_overdue(now=local(2026, 3, 16, 10, 5))
    mark = DueMark.objects.get(dossier=floor["over_desk"])
    assert (mark.stage, mark.closed, mark.since) == ("overdue", True, NOW)
    assert result.cleared == 0 and Dossier.objects.get(pk=floor["over_desk"].pk).due_state == "overdue"
    # Never looked at again: later runs change nothing and notify nobody about it.
    again = scan_overdue(now=local(2026, 3, 18, 10, 0))
    assert floor["over_desk"].code not in again.overdue
    assert DueMark.objects.get(dossier=floor["over_desk"]).closed


def test_a_withdrawn_dossier_loses_its_mark_at_once(floor):
    from cases.services.lifecycle import dossier_withdraw_elsewhere

    scan_overdue(now=NOW)
    dossier_withdraw_elsewhere(dossier=floor["over_desk"], reason="Rút trên Cổng", actor_name="Người nộp", data={})
    assert not DueMark.objects.filter(dossier=floor["over_desk"]).exists()


def _snapshot():
    marks = _marks()
    messages = sorted((m.kind, m.idempotency_key, m.recipient_user_id, m.office_id, m.dossier_code, m.subject, m.body,
                       m.payload, m.state, m.channel) for m in OutboxMessage.objects.all())
    return marks, messages


@pytest.mark.postgres
def test_the_one_statement_scan_writes_what_the_orm_scan_writes(floor, offices):
    """The PostgreSQL statement (cases.services.scan_sql) against the portable form, run after run: new marks,
    moved stages, a cleared mark, a closed dossier, replays. After its first run, the statement reads only what
    changed (incremental); the portable form reads everything every time."""
    moments = [NOW, local(2026, 3, 16, 10, 5), local(2026, 3, 17, 10, 0), local(2026, 3, 20, 9, 0)]

    def history(sql):
        seen = []
        with transaction.atomic():
            for i, now in enumerate(moments):
                if i == 1:
                    Dossier.objects.filter(pk=floor["over_desk"].pk).update(status=Status.RESOLVED, resolved_at=now)
                    Dossier.objects.filter(pk=floor["over_cg"].pk).update(legal_due_at=local(2026, 4, 1, 9, 0),
                                                                          apologise_by=local(2026, 3, 31, 9, 0))
                result = scan_overdue(now=now, run_key=f"run-{i}", sql=sql)
                replay = scan_overdue(now=now, run_key=f"run-{i}", sql=sql)
                seen.append((result.as_dict() | {"codes": {s: sorted(getattr(result, s)) for s in (
                    "overdue", "due_soon", "apology_due", "appointment_missed", "late_to_accept")}},
                    replay.as_dict(), _snapshot()))
            transaction.set_rollback(True)
        return seen

    orm, sql = history(False), history(True)
    paths = [(run.pop("incremental"), replay.pop("incremental")) for runs in (orm, sql) for run, replay, _ in runs]
    assert sql == orm
    if connection.vendor == "postgresql":
        # the ORM never, the statement after its first run (a day later it reads everything again: FULL_EVERY)
        assert paths == [(False, False)] * 4 + [(False, True), (True, True), (False, True), (False, True)]
    assert sql[0][0]["overdue"] == 5 and sql[1][0]["cleared"] == 1  # the scenario did move
