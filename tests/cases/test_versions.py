"""Rule versions (DOMAIN.md §8), the supplement window (§2.3) and procedures that stopped taking dossiers (§4)."""
import importlib
from datetime import date, time
from decimal import Decimal

import pytest
from django.test import Client

from cases import recompute, services, versions
from cases.models import Dossier, Procedure, ProcedureVersion, Status
from core.errors import DomainError
from reports.selectors import report_tthc

from .conftest import local

pytestmark = pytest.mark.django_db


def _admin_client(cast):
    client = Client()
    client.force_login(cast["admin"])
    return client


def _version_form(procedure, valid_from, **changes):
    data = {"procedure": procedure.pk, "valid_from": valid_from, "time_limit_value": "10",
            "time_limit_unit": "working_days", "supplement_clock": "restart", "supplement_window_days": "3",
            "max_supplement_requests": "1", "max_reschedules": "1", "max_returns": "2", "same_day_cutoff": "",
            "desk_handover_cutoff": "15:00", "return_to_desk_days": "0.5", "documents": "[]", "legal_basis": "",
            "stops_taking_at_0": "", "stops_taking_at_1": ""}
    data.update(changes)
    return data


# --- the case: editing a time limit in the admin never moves a received dossier's due ---------------

def test_a_time_limit_edit_in_the_admin_keeps_the_due_of_a_received_dossier(receive, cast, procedures, time_machine):
    procedure = procedures["1.009013"]  # 10 working days
    time_machine.move_to(local(2026, 11, 3, 9, 0), tick=False)
    # Tue 03/11/2026 09:00 + 10 working days → Tue 17/11/2026 09:00 (with 4 days it would be Mon 09/11/2026).
    dossier = receive("1.009013", at=local(2026, 11, 3, 9, 0))
    assert dossier.legal_due_at == local(2026, 11, 17, 9, 0)
    first = dossier.rule_version

    time_machine.move_to(local(2026, 11, 4, 10, 0), tick=False)
    admin = _admin_client(cast)
    # The version in use is read-only in the admin: no change, no delete.
    assert admin.post(f"/admin/cases/procedureversion/{first.pk}/change/",
                      _version_form(procedure, "2015-01-01", time_limit_value="4")).status_code == 403
    assert admin.post(f"/admin/cases/procedureversion/{first.pk}/delete/", {"post": "yes"}).status_code == 403
    # A new version may not start on a day a dossier was already received under the old one.
    refused = admin.post("/admin/cases/procedureversion/add/", _version_form(procedure, "2026-11-03",
                                                                            time_limit_value="4"))
    assert refused.status_code == 200 and "phiên bản mới phải áp dụng" in refused.content.decode()
    # The edit: 4 working days from Wed 04/11/2026.
    added = admin.post("/admin/cases/procedureversion/add/", _version_form(procedure, "2026-11-04",
                                                                          time_limit_value="4"))
    assert added.status_code == 302, added.content.decode()[:2000]
    assert procedure.versions.count() == 2

    # A calendar change recomputes open deadlines: with the dossier's own version, so nothing moves.
    recompute.recompute_open_deadlines(dates=[date(2026, 11, 10)])
    dossier.refresh_from_db()
    assert dossier.rule_version == first and first.time_limit_value == 10
    assert dossier.legal_due_at == local(2026, 11, 17, 9, 0)
    first.refresh_from_db()
    assert first.time_limit_value == 10

    # A dossier received on Thu 05/11/2026 is under the new version: + 4 working days → Wed 11/11/2026.
    time_machine.move_to(local(2026, 11, 5, 9, 0), tick=False)
    later = receive("1.009013", at=local(2026, 11, 5, 9, 0))
    assert later.rule_version.valid_from == date(2026, 11, 4)
    assert later.legal_due_at == local(2026, 11, 11, 9, 0)
    # The catalogue's processing_days follows the version in force today.
    procedure.refresh_from_db()
    assert procedure.processing_days == 4


def test_the_procedure_admin_shows_the_rule_columns_read_only_and_offers_a_new_version(cast, procedures):
    procedure = procedures["1.009013"]
    page = _admin_client(cast).get(f"/admin/cases/procedure/{procedure.pk}/change/").content.decode()
    assert 'name="processing_days"' not in page
    assert f"/admin/cases/procedureversion/add/?procedure={procedure.pk}" in page
    form = _admin_client(cast).get(f"/admin/cases/procedureversion/add/?procedure={procedure.pk}").content.decode()
    assert 'name="time_limit_value" value="10' in form


def test_version_in_force_is_the_latest_valid_from_up_to_the_local_date(procedures):
    procedure = procedures["1.009013"]
    ProcedureVersion.objects.create(procedure=procedure, valid_from=date(2026, 7, 1), time_limit_value=7)
    assert versions.version_in_force(procedure, local(2026, 6, 30, 23, 59)).valid_from == date(2015, 1, 1)
    # 30/06 17:30 UTC is already 01/07 00:30 in Hà Nội.
    assert versions.version_in_force(procedure, local(2026, 7, 1, 0, 30)).valid_from == date(2026, 7, 1)


def test_a_half_day_procedure_is_due_one_session_later(receive, procedures, time_machine):
    procedures["1.009040"].versions.update(time_limit_value=Decimal("1"), time_limit_unit="half_days")
    time_machine.move_to(local(2026, 11, 9, 9, 0), tick=False)
    dossier = receive("1.009040", at=local(2026, 11, 9, 9, 0))
    assert dossier.legal_due_at == local(2026, 11, 9, 14, 30)


# --- the supplement window ---------------------------------------------------------------------------------

def test_a_supplement_request_after_the_due_is_refused_and_the_dossier_counts_late_in_form_06(
        receive, cast, as_user, time_machine):
    officer = cast["reception_hn"]
    time_machine.move_to(local(2025, 3, 3, 9, 0), tick=False)
    dossier = receive("1.009013", at=local(2025, 3, 3, 9, 0))  # 10 working days
    assert dossier.legal_due_at == local(2025, 3, 17, 9, 0)
    time_machine.move_to(local(2025, 3, 4, 9, 0), tick=False)
    dossier = services.dossier_start(actor=officer, dossier=dossier)

    time_machine.move_to(local(2025, 3, 20, 9, 0), tick=False)
    with pytest.raises(DomainError) as exc:
        services.dossier_request_supplement(actor=officer, dossier=dossier, reason="Thiếu", documents=["Tờ khai"])
    assert (exc.value.code, exc.value.status) == ("SUPPLEMENT_WINDOW_PASSED", 409)
    assert "xin lỗi" in exc.value.message
    response = as_user(officer).post(f"/api/v1/dossiers/{dossier.code}/actions/request-supplement/",
                                     {"reason": "Thiếu", "documents": ["Tờ khai"]}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "SUPPLEMENT_WINDOW_PASSED"
    dossier.refresh_from_db()
    assert (dossier.status, dossier.legal_due_at, dossier.supplement_count) == \
        (Status.PROCESSING, local(2025, 3, 17, 9, 0), 0)
    assert "request-supplement" not in services.allowed_actions(dossier, officer)

    time_machine.move_to(local(2025, 3, 21, 9, 0), tick=False)
    services.dossier_resolve(actor=cast["processor_hn"], dossier=dossier, outcome="approved")
    totals = report_tthc(user=cast["admin"], first=date(2025, 3, 1), last=date(2025, 3, 31))["totals"]
    assert (totals["resolved_total"], totals["resolved_late"], totals["resolved_on_time"]) == (1, 1, 0)


def test_the_window_is_three_working_days_from_receipt(receive, cast, time_machine):
    officer = cast["reception_hn"]
    time_machine.move_to(local(2025, 3, 3, 9, 0), tick=False)
    first = receive("1.009013", at=local(2025, 3, 3, 9, 0))
    second = receive("1.009013", at=local(2025, 3, 3, 9, 0))
    time_machine.move_to(local(2025, 3, 6, 9, 0), tick=False)  # Thu: the third working day, same clock time
    assert services.dossier_request_supplement(actor=officer, dossier=first, reason="Thiếu",
                                               documents=["A"]).status == Status.AWAITING_SUPPLEMENT
    time_machine.move_to(local(2025, 3, 6, 9, 1), tick=False)
    with pytest.raises(DomainError) as exc:
        services.dossier_request_supplement(actor=officer, dossier=second, reason="Thiếu", documents=["A"])
    assert exc.value.code == "SUPPLEMENT_WINDOW_PASSED"


def test_no_path_turns_a_late_dossier_into_one_on_time(receive, cast, as_user, time_machine):
    officer = cast["reception_hn"]
    time_machine.move_to(local(2025, 3, 3, 9, 0), tick=False)
    dossier = services.dossier_start(actor=officer, dossier=receive("1.009013", at=local(2025, 3, 3, 9, 0)))
    time_machine.move_to(local(2025, 3, 20, 9, 0), tick=False)
    before = Dossier.objects.values("status", "legal_due_at", "clock_started_at", "resolved_at").get(pk=dossier.pk)
    api = as_user(officer)
    url = f"/api/v1/dossiers/{dossier.code}/"
    # API: the supplement is refused, and the dossier cannot be written directly.
    assert api.post(url + "actions/request-supplement/", {"reason": "Thiếu", "documents": ["A"]},
                    format="json").json()["code"] == "SUPPLEMENT_WINDOW_PASSED"
    assert api.patch(url, {"legal_due_at": "2025-04-30T09:00:00+07:00"}, format="json").status_code == 405
    assert api.put(url, {"legal_due_at": "2025-04-30T09:00:00+07:00"}, format="json").status_code == 405
    # The dossier page's POST: refused with the reason.
    page = Client()
    page.force_login(officer)
    response = page.post(f"/ho-so/{dossier.code}/thao-tac/request-supplement/",
                         {"reason": "Thiếu", "documents": "Tờ khai"}, follow=True)
    assert "Đã quá thời hạn yêu cầu bổ sung" in response.content.decode()
    # The admin: dossiers are read-only there, even for the superuser.
    admin = _admin_client(cast)
    assert admin.post(f"/admin/cases/dossier/{dossier.pk}/change/",
                      {"legal_due_at_0": "30/04/2025", "legal_due_at_1": "09:00"}).status_code == 403
    assert admin.post(f"/admin/cases/dossier/{dossier.pk}/delete/", {"post": "yes"}).status_code == 403
    after = Dossier.objects.values("status", "legal_due_at", "clock_started_at", "resolved_at").get(pk=dossier.pk)
    assert after == before
    assert Dossier.objects.get(pk=dossier.pk).is_overdue


# --- stops taking dossiers (COVID-19 programmes) ------------------------------------------------------------

def test_intake_and_accept_refuse_after_the_version_stopped_taking(receive, cast, procedures, offices, time_machine):
    procedure = procedures["1.009003"]
    procedure.versions.update(stops_taking_at=local(2021, 12, 31, 17, 0))
    time_machine.move_to(local(2021, 12, 30, 9, 0), tick=False)
    old = receive("1.009003", at=local(2021, 12, 30, 9, 0))
    time_machine.move_to(local(2022, 1, 4, 9, 0), tick=False)
    with pytest.raises(DomainError) as exc:
        receive("1.009003", at=local(2022, 1, 4, 9, 0))
    assert exc.value.code == "PROCEDURE_CLOSED" and "ngừng tiếp nhận" in exc.value.message
    pulled = Dossier.objects.create(code="000.00.01.G13-220104-0001", office=offices["01"], procedure=procedure,
                                    status=Status.SUBMITTED, channel="online", source="national_portal",
                                    applicant_name="Công ty A", applicant_id_number="0100109106",
                                    applicant_kind="enterprise")
    with pytest.raises(DomainError) as exc:
        services.dossier_accept(actor=cast["reception_hn"], dossier=pulled)
    assert exc.value.code == "PROCEDURE_CLOSED"
    pulled.refresh_from_db()
    assert pulled.status == Status.SUBMITTED and pulled.rule_version is None
    # The old dossier still runs and is reported.
    services.dossier_start(actor=cast["reception_hn"], dossier=old)
    totals = report_tthc(user=cast["admin"], first=date(2021, 12, 1), last=date(2021, 12, 31))["totals"]
    assert totals["received_total"] == 1


# --- API and page ------------------------------------------------------------------------------------------

def test_versions_api_lists_each_version_as_the_contract_says(as_user, cast, procedures):
    procedure = procedures["1.009001"]
    ProcedureVersion.objects.create(procedure=procedure, valid_from=date(2021, 7, 1), time_limit_value=Decimal("0.5"),
                                    time_limit_unit="working_days", stops_taking_at=local(2022, 12, 31, 17, 0),
                                    legal_basis="Nghị quyết 68/NQ-CP", same_day_cutoff=time(15, 0))
    body = as_user(cast["reception_hn"]).get("/api/v1/procedures/1.009001/versions/").json()
    assert body["count"] == 2
    first, second = body["results"]
    assert set(first) >= {"valid_from", "time_limit", "supplement_clock", "supplement_window_days",
                          "max_supplement_requests", "max_reschedules", "documents", "legal_basis",
                          "stops_taking_at"}
    assert first["valid_from"] == "2015-01-01" and first["time_limit"] == {"value": 2, "unit": "working_days"}
    assert first["documents"][0] == {"name": "Danh sách người lao động tạm hoãn hợp đồng lao động, nghỉ việc không "
                                             "hưởng lương (do người sử dụng lao động lập)",
                                     "original": "original", "quantity": 1, "required": True}
    assert (first["supplement_window_days"], first["max_supplement_requests"], first["stops_taking_at"]) == (3, 1, None)
    assert second["time_limit"] == {"value": 0.5, "unit": "working_days"}
    assert second["stops_taking_at"] == "2022-12-31T17:00:00+07:00"
    assert as_user(cast["reception_hn"]).get("/api/v1/procedures/9.999999/versions/").status_code == 404
    # The catalogue's processing_days is that of the version in force today.
    listing = as_user(cast["reception_hn"]).get("/api/v1/procedures/?page_size=100").json()["results"]
    assert {p["code"]: p["processing_days"] for p in listing}["1.009001"] == 0.5


def test_the_dossier_api_and_page_show_the_rule_version(receive, cast, as_user, time_machine):
    time_machine.move_to(local(2025, 3, 3, 9, 0), tick=False)
    dossier = receive("1.009013", at=local(2025, 3, 3, 9, 0))
    body = as_user(cast["reception_hn"]).get(f"/api/v1/dossiers/{dossier.code}/").json()
    assert body["rule_version"] == {"id": dossier.rule_version_id, "valid_from": "2015-01-01",
                                    "time_limit": {"value": 10, "unit": "working_days"}}
    page = Client()
    page.force_login(cast["reception_hn"])
    html = page.get(f"/ho-so/{dossier.code}/").content.decode()
    assert "Phiên bản áp dụng từ ngày 01/01/2015 · thời hạn giải quyết 10 ngày làm việc" in html


def test_the_data_migration_gives_each_procedure_its_first_version_and_points_dossiers_at_it(offices):
    from django.apps import apps

    procedure = Procedure.objects.get(code="1.009013")  # the catalogue as it stood before versions existed
    procedure.versions.all().delete()
    dossier = Dossier.objects.create(code="X-1", office=offices["01"], procedure=procedure, applicant_name="A",
                                     applicant_id_number="001085012345", received_at=local(2020, 5, 18, 9, 0))
    importlib.import_module("cases.migrations.0006_first_procedure_versions").forwards(apps, None)
    version = procedure.versions.get()
    assert (version.valid_from, version.time_limit_value, version.time_limit_unit) == \
        (date(2015, 1, 1), 10, "working_days")
    assert [d["name"] for d in version.documents] == [
        "Tờ khai tham gia, điều chỉnh thông tin BHXH, BHYT (Mẫu TK1-TS)",
        "Giấy tờ làm căn cứ điều chỉnh (giấy khai sinh, căn cước, quyết định thay đổi thông tin)"]
    dossier.refresh_from_db()
    assert dossier.rule_version == version
