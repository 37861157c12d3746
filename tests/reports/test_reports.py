"""Form 06 (DOMAIN.md §6): a query over the dossiers whose identities hold in every row and in the totals."""
from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from io import BytesIO

from cases import services
from cases.models import Dossier, Status
from reports.selectors import COLUMNS, report_tthc

from tests.cases.conftest import local

pytestmark = pytest.mark.django_db

PERIOD = {"first": date(2025, 6, 1), "last": date(2025, 6, 30)}


def _identities(row):
    assert row["received_total"] == row["received_online"] + row["received_direct_postal"] + row["carried_over"]
    assert row["received_total"] == row["resolved_total"] + row["withdrawn"] + row["in_progress_total"]
    assert row["resolved_total"] == row["resolved_early"] + row["resolved_on_time"] + row["resolved_late"]
    assert row["in_progress_total"] == row["in_progress_within"] + row["in_progress_overdue"]


@pytest.fixture
def june(cast, receive, procedures, offices):
    """A month of work at Hà Nội for procedure 1.009020 (10 working days), with one of each case."""
    officer = cast["reception_hn"]

    def act(at, fn, dossier, **kw):
        actor = cast["processor_hn"] if fn is services.dossier_resolve else officer  # separation of duties
        with time_machine.travel(at, tick=False):
            return fn(actor=actor, dossier=dossier, **kw)

    # carried over from May, resolved early in June
    d = receive(at=local(2025, 5, 26, 9, 0))
    d = act(local(2025, 5, 27, 9, 0), services.dossier_start, d)
    act(local(2025, 6, 3, 9, 0), services.dossier_resolve, d, outcome="approved")            # due 09/06 → early
    # received and resolved in May: not in the June report at all
    d = receive(at=local(2025, 5, 5, 9, 0))
    d = act(local(2025, 5, 6, 9, 0), services.dossier_start, d)
    act(local(2025, 5, 7, 9, 0), services.dossier_resolve, d, outcome="approved")
    # received in June directly, resolved on the due day (on time)
    d = receive(at=local(2025, 6, 2, 9, 0))                                                  # due Mon 16/06 09:00
    d = act(local(2025, 6, 3, 9, 0), services.dossier_start, d)
    act(local(2025, 6, 16, 8, 0), services.dossier_resolve, d, outcome="approved")
    # received online in June, resolved late
    d = receive(at=local(2025, 6, 2, 10, 0), channel="online")                              # due 16/06 10:00
    d = act(local(2025, 6, 3, 9, 0), services.dossier_start, d)
    act(local(2025, 6, 20, 9, 0), services.dossier_refuse, d, reason="Không đủ điều kiện")  # refused after acceptance
    # received in June, withdrawn in June
    d = receive(at=local(2025, 6, 10, 9, 0))
    act(local(2025, 6, 11, 9, 0), services.dossier_withdraw, d, reason="Rút")
    # received in June, still open at the end and overdue (due 30/06 09:00 < 01/07 00:00)
    receive(at=local(2025, 6, 16, 9, 0))
    # received in June, still open and within time
    receive(at=local(2025, 6, 27, 9, 0))
    # refused at intake from the portal (never received)
    portal = Dossier.objects.create(code="000.00.01.G13-250605-0001", office=offices["01"],
                                    procedure=procedures["1.009020"], status=Status.SUBMITTED, channel="online",
                                    source="national_portal", applicant_name="B", applicant_id_number="001085012345")
    act(local(2025, 6, 5, 9, 0), services.dossier_refuse, portal, reason="Sai đối tượng")
    # received in July: not in June
    receive(at=local(2025, 7, 1, 9, 0))


def test_form_06_counts_each_case_in_its_column(june, cast):
    report = report_tthc(user=cast["director_hn"], **PERIOD)
    assert len(report["rows"]) == 1
    row = report["rows"][0]
    expected = {"received_total": 6, "received_online": 1, "received_direct_postal": 4, "carried_over": 1,
                "resolved_total": 3, "resolved_early": 1, "resolved_on_time": 1, "resolved_late": 1,
                "withdrawn": 1, "in_progress_total": 2, "in_progress_within": 1, "in_progress_overdue": 1,
                "refused_at_intake": 1}
    assert {k: row[k] for k in COLUMNS} == expected
    _identities(row)
    _identities(report["totals"])
    assert (row["office"], row["procedure"], row["field"]) == ("01", "1.009020", "Chế độ BHXH")


def test_report_is_scoped_and_hcm_sees_nothing_of_hanoi(june, cast):
    assert report_tthc(user=cast["director_hcm"], **PERIOD)["rows"] == []
    assert report_tthc(user=cast["legal"], **PERIOD)["totals"]["received_total"] == 6


def test_report_api_json_and_files(june, as_user, cast):
    api = as_user(cast["director_hn"])
    body = api.get("/api/v1/reports/tthc/?from=2025-06-01&to=2025-06-30").json()
    assert body["from"] == "2025-06-01" and body["totals"]["resolved_late"] == 1
    assert set(COLUMNS) <= set(body["rows"][0]) and {"office", "field", "procedure"} <= set(body["rows"][0])
    xlsx = api.get("/api/v1/reports/tthc/?from=01/06/2025&to=30/06/2025&format=xlsx")
    sheet = load_workbook(BytesIO(xlsx.content)).active
    column_a = [c.value for c in sheet["A"]]
    column_b = [c.value for c in sheet["B"]]
    assert "STT" in column_a and "Tổng cộng" in column_b  # the official layout (tests/reports/test_form06.py)
    csv = api.get("/api/v1/reports/tthc/?from=2025-06-01&to=2025-06-30&format=csv").content.decode("utf-8-sig")
    assert "Tổng số tiếp nhận" in csv and "1.009020" in csv
    pdf = api.get("/api/v1/reports/tthc/?from=2025-06-01&to=2025-06-30&format=pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


@pytest.mark.parametrize("query,field", [("from=2025-13-01", "from"), ("from=2025-06-30&to=2025-06-01", "to"),
                                         ("office=79", "office"), ("format=doc", "format")])
def test_report_api_bad_input_is_a_400(as_user, cast, query, field):
    response = as_user(cast["director_hn"]).get(f"/api/v1/reports/tthc/?{query}")
    assert response.status_code == 400 and field in response.json()


def test_report_runs_one_query_whatever_the_rows(cast, receive, as_user):
    api = as_user(cast["director_hn"])
    receive(at=local(2025, 6, 2, 9, 0))

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/api/v1/reports/tthc/?from=2025-06-01&to=2025-06-30").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for code in ("1.009022", "1.009023", "1.009013"):
        for i in range(3):
            receive(code, at=local(2025, 6, 3, 9, i))
    assert count() == few and few > 0


def test_report_page_and_roles(client, cast, june):
    client.force_login(cast["director_hn"])
    page = client.get("/bao-cao/tthc/?from=01/06/2025&to=30/06/2025").content.decode()
    assert "Mẫu 06/VPCP/KSTT" in page and "1.009020" in page
    assert client.get("/bao-cao/tthc/?from=hôm-nay").status_code == 400
    client.force_login(cast["reception_hn"])
    assert client.get("/bao-cao/tthc/").status_code == 403


def test_dashboard_for_the_director(client, as_user, cast, june):
    data = as_user(cast["director_hn"]).get("/api/v1/dashboard/").json()
    assert data["tiles"]["overdue"] == 3 and len(data["trend"]["days"]) == 30
    assert {s["status"] for s in data["status"]} >= {"received", "resolved"}
    client.force_login(cast["director_hn"])
    page = client.get("/bang-dieu-hanh/").content.decode()
    assert "Bảng điều hành" in page and "chart.umd.min.js" in page and "dashboard-data" in page
    assert client.get("/", follow=True).request["PATH_INFO"] == "/bang-dieu-hanh/"


def test_oversight_for_the_legal_department(client, cast, june):
    client.force_login(cast["legal"])
    response = client.get("/giam-sat/?from=01/06/2025&to=30/06/2025")
    page = response.content.decode()
    assert response.status_code == 200 and "BHXH thành phố Hà Nội" in page and "Hồ Chí Minh" in page
    assert client.get("/", follow=True).request["PATH_INFO"] == "/giam-sat/"
    client.force_login(cast["director_hn"])
    assert client.get("/giam-sat/").status_code == 403


def test_identities_hold_for_random_histories_and_periods(cast, receive):
    import random
    from datetime import timedelta

    rng = random.Random(20200520)
    officer = cast["reception_hn"]
    for _ in range(40):
        received = local(2025, 5, 1, 9, 0) + timedelta(days=rng.randint(0, 80), minutes=rng.randint(0, 400))
        d = receive(rng.choice(["1.009020", "1.009022", "1.009014"]), at=received,
                    channel=rng.choice(["direct", "online", "postal"]))
        later = received + timedelta(days=rng.randint(1, 30))
        fate = rng.choice(["open", "processing", "resolve", "return", "refuse", "withdraw"])
        with time_machine.travel(later, tick=False):
            if fate == "withdraw":
                services.dossier_withdraw(actor=officer, dossier=d, reason="Rút")
            elif fate == "refuse":
                services.dossier_refuse(actor=officer, dossier=d, reason="Không đủ điều kiện")
            elif fate != "open":
                d = services.dossier_start(actor=officer, dossier=d)
                if fate in ("resolve", "return"):
                    d = services.dossier_resolve(actor=cast["processor_hn"], dossier=d, outcome="approved")
                if fate == "return":
                    services.dossier_return(actor=officer, dossier=d)
    for first, last in [(date(2025, 5, 1), date(2025, 5, 31)), (date(2025, 6, 1), date(2025, 6, 15)),
                        (date(2025, 6, 16), date(2025, 8, 31)), (date(2025, 7, 4), date(2025, 7, 4))]:
        report = report_tthc(user=cast["legal"], first=first, last=last)
        for row in report["rows"]:
            _identities(row)
        _identities(report["totals"])


def test_form_06_exports_never_turn_a_procedure_name_into_a_formula(cast, receive, as_user, procedures):
    """Issue 13 item 6: names entered in the admin are neutralised in the CSV and the XLSX too."""
    procedure = procedures["1.009020"]
    procedure.name = "=cmd|' /C calc'!A0"
    procedure.save(update_fields=["name"])
    receive(at=local(2025, 6, 2, 9, 0))
    api = as_user(cast["director_hn"])
    csv = api.get("/api/v1/reports/tthc/?from=2025-06-01&to=2025-06-30&format=csv").content.decode("utf-8-sig")
    assert "'=cmd|' /C calc'!A0" in csv and ",=cmd" not in csv
    sheet = load_workbook(BytesIO(api.get("/api/v1/reports/tthc/?from=2025-06-01&to=2025-06-30&format=xlsx")
                                  .content)).active
    names = [sheet.cell(r, 2).value for r in range(1, sheet.max_row + 1)]  # the official layout: column B
    assert "'=cmd|' /C calc'!A0 (1.009020)" in names
    assert not any(str(v).startswith("=") for row in sheet.iter_rows(values_only=True) for v in row if v)
