"""The history import (CONTRACTS.md §1.1, cases.history, `manage.py import_history`) and the services' historical
moments (`at=`): dossiers of the past replayed at their moments under the rule version and the calendar then in
force; bad lines rejected with their number and reason while the rest goes on; a second import adds nothing; the
API no longer back-dates."""
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.utils import timezone

from cases import services, versions
from cases.history import history_import, history_line
from cases.models import ApologySlip, Dossier, DossierEvent, Status
from core.errors import DomainError
from notifications.models import OutboxMessage
from reports.selectors import report_tthc

from .conftest import local

pytestmark = pytest.mark.django_db

HN = "000.00.01.G13"  # the electronic agency code of BHXH Hà Nội (office 01) in the test data


def _applicant(n, **extra):
    return {"name": f"Nguyễn Văn Thử {n}", "kind": "citizen", "id_number": f"0010850123{n:02d}",
            "phone": "0912345678", "email": "", "address": "Cầu Giấy, Hà Nội", **extra}


def _line(n, events, procedure="1.009020", channel="direct", office="01", **extra):
    return history_line(office=office, procedure=procedure, channel=channel, applicant=_applicant(n),
                        events=events, summary=f"Hồ sơ cũ {n}", **extra)


def _ev(at, action, actor="tiepnhan.hn", **body):
    return {"at": at, "action": action, "actor": actor, **body}


def _by_applicant(n) -> Dossier:
    return Dossier.objects.get(applicant_id_number=f"0010850123{n:02d}")


@pytest.fixture
def two_day_version(procedures):
    """1.009022 (6 working days in the catalogue) had 2 working days from 01/04/2025 to 31/05/2025."""
    procedure = procedures["1.009022"]
    versions.procedure_version_create(procedure=procedure, valid_from=date(2025, 4, 1),
                                      time_limit_value=Decimal(2), time_limit_unit="working_days")
    versions.procedure_version_create(procedure=procedure, valid_from=date(2025, 6, 1),
                                      time_limit_value=Decimal(6), time_limit_unit="working_days")
    return procedure


def good_lines():
    return [
        # 1. desk, under the 2-working-day version of April 2025: due Sat 26/04 09:00 (a make-up working day).
        _line(1, [_ev(local(2025, 4, 24, 9, 0), "receive"),
                  _ev(local(2025, 4, 24, 10, 0), "start", assignee="chuyenvien.hn"),
                  _ev(local(2025, 4, 25, 15, 0), "resolve", "chuyenvien.hn", outcome="approved",
                      result_summary="Đủ điều kiện"),
                  _ev(local(2025, 4, 28, 9, 0), "return", channel="counter")], procedure="1.009022"),
        # 2. postal, 5 working days: due Mon 09/06 09:00, resolved late on Tue 10/06.
        _line(2, [_ev(local(2025, 6, 2, 9, 0), "receive"),
                  _ev(local(2025, 6, 2, 11, 0), "start"),
                  _ev(local(2025, 6, 10, 10, 0), "resolve", "chuyenvien.hn", outcome="approved"),
                  _ev(local(2025, 6, 11, 9, 0), "return", channel="postal")], procedure="1.009003", channel="postal"),
        # 3. online: arrives submitted, accepted an hour later (the clock starts then), withdrawn.
        _line(3, [_ev(local(2025, 6, 3, 8, 0), "receive"),
                  _ev(local(2025, 6, 3, 9, 0), "accept"),
                  _ev(local(2025, 6, 3, 10, 0), "start"),
                  _ev(local(2025, 6, 5, 14, 0), "withdraw", reason="Người nộp xin rút hồ sơ")], channel="online"),
        # 4. supplement within the window, the clock restarts from the papers (Mon 09/06 09:00 + 10 days).
        _line(4, [_ev(local(2025, 6, 2, 9, 0), "receive"),
                  _ev(local(2025, 6, 2, 10, 0), "start"),
                  _ev(local(2025, 6, 4, 9, 0), "request-supplement", "chuyenvien.hn", reason="Thiếu giấy tờ",
                      documents=["Bản sao sổ BHXH"]),
                  _ev(local(2025, 6, 9, 9, 0), "supplement-received", in_person=True),
                  _ev(local(2025, 6, 20, 9, 0), "resolve", "chuyenvien.hn", outcome="approved"),
                  _ev(local(2025, 6, 23, 10, 0), "return")], code=f"{HN}-250602-0042"),
        # 5. an apology by the director, then resolved after the legal due moment: still late.
        _line(5, [_ev(local(2025, 6, 2, 9, 30), "receive"),
                  _ev(local(2025, 6, 2, 10, 0), "start"),
                  _ev(local(2025, 6, 5, 9, 0), "apology", "giamdoc.hn", reason="Cần xác minh quá trình đóng",
                      new_appointment_at=local(2025, 6, 12, 9, 0)),
                  _ev(local(2025, 6, 11, 9, 0), "resolve", "chuyenvien.hn", outcome="approved")],
              procedure="1.009003"),
    ]


def test_good_lines_become_dossiers_with_their_events_at_their_moments(two_day_version, cast):
    summary = history_import(good_lines())
    assert (summary.imported, summary.already, summary.rejected) == (5, 0, [])

    april = _by_applicant(1)
    assert april.rule_version.time_limit_value == 2 and april.rule_version.valid_from == date(2025, 4, 1)
    assert april.legal_due_at == local(2025, 4, 26, 9, 0)  # Thu 24/04 + 2 working days (Sat 26/04 is one)
    assert april.code == f"{HN}-250424-0001"  # generated for the receipt day
    assert (april.status, april.resolved_at, april.returned_at) == (
        Status.RETURNED, local(2025, 4, 25, 15, 0), local(2025, 4, 28, 9, 0))
    assert [(e.action, e.at) for e in april.events.order_by("at", "id")] == [
        ("receive", local(2025, 4, 24, 9, 0)), ("start", local(2025, 4, 24, 10, 0)),
        ("resolve", local(2025, 4, 25, 15, 0)), ("return", local(2025, 4, 28, 9, 0))]
    assert april.events.get(action="resolve").data["timeliness"] == "early"
    assert [(s.given_at, s.done_at) for s in april.steps.order_by("seq")][:2] == [
        (local(2025, 4, 24, 9, 0), local(2025, 4, 24, 10, 0)), (local(2025, 4, 24, 10, 0), local(2025, 4, 25, 15, 0))]

    postal = _by_applicant(2)
    assert postal.legal_due_at == local(2025, 6, 9, 9, 0)
    assert postal.events.get(action="resolve").data["timeliness"] == "late"

    online = _by_applicant(3)
    assert (online.channel, online.source, online.status) == ("online", "national_portal", Status.WITHDRAWN)
    assert (online.submitted_at, online.received_at) == (local(2025, 6, 3, 8, 0), local(2025, 6, 3, 9, 0))
    assert list(online.events.order_by("at", "id").values_list("action", flat=True)) == [
        "pull", "accept", "start", "withdraw"]
    assert online.closed_at == local(2025, 6, 5, 14, 0)

    restarted = _by_applicant(4)
    assert restarted.code == f"{HN}-250602-0042"  # kept as is
    request = restarted.supplement_requests.get()
    assert (request.requested_at, request.fulfilled_at) == (local(2025, 6, 4, 9, 0), local(2025, 6, 9, 9, 0))
    assert restarted.legal_due_at == local(2025, 6, 23, 9, 0)  # restarted: 10 working days from Mon 09/06
    # the applicant's visits at their moments: intake, the papers at the counter, collecting the result
    assert list(restarted.trips.order_by("at").values_list("at", flat=True)) == [
        local(2025, 6, 2, 9, 0), local(2025, 6, 9, 9, 0), local(2025, 6, 23, 10, 0)]
    assert restarted.events.get(action="resolve").data["timeliness"] == "early"

    apologised = _by_applicant(5)
    slip = apologised.apology_slips.get()
    assert (slip.state, slip.issued_at, slip.signed_by) == (ApologySlip.State.ISSUED, local(2025, 6, 5, 9, 0),
                                                           cast["director_hn"])
    assert slip.year == 2025 and slip.number == 1
    assert apologised.appointment_at == local(2025, 6, 12, 9, 0)
    assert apologised.legal_due_at == local(2025, 6, 9, 9, 30)  # an apology never moves the legal due moment
    assert apologised.events.get(action="resolve").data["timeliness"] == "late"

    # Form 06 for June 2025 counts them as the history says.
    totals = report_tthc(user=cast["director_hn"], first=date(2025, 6, 1), last=date(2025, 6, 30))["totals"]
    assert {k: totals[k] for k in ("received_online", "received_direct_postal", "carried_over", "resolved_total",
                                   "resolved_early", "resolved_on_time", "resolved_late", "withdrawn",
                                   "in_progress_total")} == {
        "received_online": 1, "received_direct_postal": 3, "carried_over": 0, "resolved_total": 3,
        "resolved_early": 1, "resolved_on_time": 0, "resolved_late": 2, "withdrawn": 1, "in_progress_total": 0}
    april_totals = report_tthc(user=cast["director_hn"], first=date(2025, 4, 1), last=date(2025, 4, 30))["totals"]
    assert (april_totals["received_direct_postal"], april_totals["resolved_early"]) == (1, 1)


def test_the_past_is_told_to_nobody(two_day_version):
    history_import(good_lines())
    assert not OutboxMessage.objects.exists()  # no SMS, e-mail, Zalo or portal progress about 2025


def test_importing_the_same_file_again_adds_nothing(two_day_version):
    assert history_import(good_lines()).imported == 5
    counted = ["cases.Dossier", "cases.DossierEvent", "cases.ApologySlip", "cases.SupplementRequest",
               "cases.ProcessStep", "cases.Trip", "cases.DailySequence"]
    before = {label: list(apps.get_model(label).objects.values_list("pk", flat=True)) for label in counted}
    again = history_import(good_lines())
    assert (again.imported, again.already, again.rejected) == (0, 5, [])
    assert {label: list(apps.get_model(label).objects.values_list("pk", flat=True)) for label in counted} == before


def _bad_file():
    good = _line(10, [_ev(local(2025, 6, 2, 9, 0), "receive"), _ev(local(2025, 6, 2, 10, 0), "start")])
    return [
        good,                                                                                            # 1
        _line(11, [_ev(local(2025, 6, 2, 9, 0), "receive")], procedure="9.999999"),                      # 2
        _line(12, [_ev(local(2025, 6, 2, 9, 0), "receive"), _ev(local(2025, 6, 3, 10, 0), "start"),
                   _ev(local(2025, 6, 3, 9, 0), "withdraw", reason="Rút")]),                             # 3
        # DOMAIN.md §2.3: received 03/03/2025 with 10 working days (due 17/03); a request on 20/03 is refused.
        _line(13, [_ev(local(2025, 3, 3, 9, 0), "receive"), _ev(local(2025, 3, 3, 10, 0), "start"),
                   _ev(local(2025, 3, 20, 9, 0), "request-supplement", "chuyenvien.hn", reason="Thiếu",
                       documents=["Tờ khai"])]),                                                         # 4
        _line(14, [_ev(local(2025, 6, 2, 9, 0), "receive", "khongco.hn")]),                              # 5
        _line(15, [_ev(local(2025, 6, 2, 9, 0), "receive"), _ev(local(2025, 6, 2, 10, 0), "start"),
                   _ev(local(2025, 6, 5, 9, 0), "apology", "tiepnhan.hn", reason="Chậm",
                       new_appointment_at=local(2025, 6, 20, 9, 0))]),                                   # 6
        '{"office": "01", "procedure": "1.009020", "events": [',                                         # 7
        "",                                                                                              # 8 blank
        _line(16, [_ev(local(2025, 6, 2, 9, 0), "receive")], code="HN-2025-1"),                          # 9
        _line(17, [_ev(local(2025, 6, 4, 9, 0), "receive")]),                                            # 10
    ]


def test_a_bad_line_is_rejected_with_its_number_and_reason_and_the_rest_goes_on(cast):
    summary = history_import(_bad_file())
    assert (summary.imported, summary.already) == (2, 0)
    reasons = dict(summary.rejected)
    assert sorted(reasons) == [2, 3, 4, 5, 6, 7, 9]
    assert reasons[2] == "Không có thủ tục mã “9.999999”."
    assert reasons[3].startswith("sự kiện 3 (withdraw, 03/06/2025 09:00): Thời điểm 03/06/2025 09:00:00 trước sự "
                                 "kiện gần nhất của hồ sơ (03/06/2025 10:00:00)")
    assert "sự kiện 3 (request-supplement" in reasons[4] and "Đã quá thời hạn yêu cầu bổ sung" in reasons[4]
    assert "17/03/2025" not in reasons[4] and "06/03/2025 09:00" in reasons[4]  # the window: 3 working days
    assert reasons[5] == "Không có người dùng “khongco.hn”."
    assert reasons[6].startswith("sự kiện 3 (apology") and "Chỉ Giám đốc hoặc Phó Giám đốc" in reasons[6]
    assert reasons[7].startswith("Dòng không phải JSON hợp lệ")
    assert "không đúng định dạng" in reasons[9]
    # A rejected line leaves nothing behind (its dossier, events and code number rolled back).
    assert set(Dossier.objects.values_list("applicant_id_number", flat=True)) == {"001085012310", "001085012317"}
    assert not DossierEvent.objects.filter(dossier__applicant_id_number="001085012313").exists()
    assert _by_applicant(17).code == f"{HN}-250604-0001"


def test_a_code_held_by_another_dossier_is_a_conflict(cast):
    first = _line(20, [_ev(local(2025, 6, 2, 9, 0), "receive")], code=f"{HN}-250602-0007")
    other = _line(21, [_ev(local(2025, 6, 2, 9, 0), "receive")], code=f"{HN}-250602-0007")
    summary = history_import([first, other, first])
    assert (summary.imported, summary.already) == (1, 1)
    assert summary.rejected == [(2, f"Mã hồ sơ “{HN}-250602-0007” đã được dùng cho một hồ sơ khác (đơn vị hoặc "
                                    "người nộp khác).")]


def test_an_event_in_the_future_is_rejected(cast):
    soon = timezone.now() + timedelta(days=2)
    summary = history_import([_line(22, [_ev(local(2025, 6, 2, 9, 0), "receive"), _ev(soon, "start")])])
    assert len(summary.rejected) == 1 and "ở tương lai" in summary.rejected[0][1]
    assert not Dossier.objects.exists()


# --- the command -----------------------------------------------------------------------------------------

def _write(tmp_path, lines):
    path = tmp_path / "history.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_the_command_prints_a_summary_and_exits_0_when_everything_is_in(two_day_version, tmp_path, capsys):
    path = _write(tmp_path, good_lines())
    call_command("import_history", path)
    out, err = capsys.readouterr()
    assert out.strip() == "5 imported, 0 already there, 0 rejected"
    assert "import_history: 100%" in err  # the progress bar, on standard error
    call_command("import_history", path, "--no-progress")
    out, err = capsys.readouterr()
    assert out.strip() == "0 imported, 5 already there, 0 rejected" and err == ""


def test_the_command_lists_each_rejected_line_and_exits_1(cast, tmp_path, capsys):
    with pytest.raises(CommandError) as caught:
        call_command("import_history", _write(tmp_path, _bad_file()), "--no-progress")
    assert caught.value.returncode == 1
    out, err = capsys.readouterr()
    assert out.strip() == "2 imported, 0 already there, 7 rejected"
    lines = err.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == ["line 2", "line 3", "line 4", "line 5", "line 6", "line 7",
                                                      "line 9"]
    assert lines[0] == "line 2: Không có thủ tục mã “9.999999”."


def test_the_command_reports_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="history.jsonl"):
        call_command("import_history", str(tmp_path / "history.jsonl"))


# --- the services' historical moments ----------------------------------------------------------------------

def _code(call):
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value.code


def test_a_service_refuses_a_moment_in_the_future_or_before_the_last_event(receive, cast):
    dossier = receive(at=local(2025, 6, 2, 9, 0))
    officer = cast["reception_hn"]
    assert _code(lambda: services.dossier_start(actor=officer, dossier=dossier,
                                                at=timezone.now() + timedelta(hours=1))) == "MOMENT_IN_FUTURE"
    assert _code(lambda: services.dossier_start(actor=officer, dossier=dossier,
                                                at=local(2025, 6, 2, 8, 59))) == "MOMENT_OUT_OF_ORDER"
    started = services.dossier_start(actor=officer, dossier=dossier, at=local(2025, 6, 2, 9, 0))  # same moment: ok
    assert started.events.get(action="start").at == local(2025, 6, 2, 9, 0)
    # a few seconds of clock skew are tolerated and clamped to now
    resolved = services.run_action("withdraw", actor=officer, dossier=started, body={"reason": "Rút"},
                                   at=timezone.now() + timedelta(seconds=30))
    assert resolved.closed_at <= timezone.now()


def test_the_api_takes_no_back_dated_receipt(as_user, cast, procedures):
    api = as_user(cast["reception_hn"])
    body = {"procedure": "1.009020", "channel": "direct",
            "applicant": {"name": "Nguyễn Văn Ánh", "id_number": "001085012345", "kind": "citizen"}}
    response = api.post("/api/v1/dossiers/", {**body, "received_at": "2025-04-24T09:00:00+07:00"}, format="json")
    assert response.status_code == 400
    assert "import_history" in response.json()["received_at"][0]
    assert not Dossier.objects.exists()
    ahead = (timezone.now() + timedelta(minutes=10)).isoformat()
    assert api.post("/api/v1/dossiers/", {**body, "received_at": ahead}, format="json").status_code == 400
    now = timezone.localtime() - timedelta(minutes=2)
    response = api.post("/api/v1/dossiers/", {**body, "received_at": now.isoformat()}, format="json")
    assert response.status_code == 201, response.json()
    assert Dossier.objects.get().received_at == now


def test_action_endpoints_take_no_moment(as_user, cast, receive):
    dossier = receive()
    response = as_user(cast["reception_hn"]).post(f"/api/v1/dossiers/{dossier.code}/actions/start/",
                                                  {"at": "2025-01-02T09:00:00+07:00"}, format="json")
    assert response.status_code == 200, response.json()
    assert dossier.events.get(action="start").at > timezone.now() - timedelta(minutes=1)


def test_history_line_is_one_json_object():
    line = _line(1, [_ev(local(2025, 6, 2, 9, 0), "receive")])
    data = json.loads(line)
    assert data["events"][0]["at"] == "2025-06-02T09:00:00+07:00" and "\n" not in line
