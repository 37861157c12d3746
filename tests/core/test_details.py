"""Trustworthy details (issue 12): every history line and action label in Vietnamese and English, phones as people
write them, PUBLIC_BASE_URL in `make run`, the admin in Vietnamese with its own header, a favicon."""
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from cases import services
from cases.events import DossierAction
from feedback.events import FeedbackAction
from tests.cases.conftest import local
from tests.factories import FeedbackItemFactory

pytestmark = pytest.mark.django_db

RAW = re.compile(r"^[a-z]+(-[a-z]+)*$")


@pytest.mark.parametrize("choices", [DossierAction, FeedbackAction])
def test_every_history_action_reads_in_vietnamese_and_in_english(choices):
    for action in choices:
        vi = str(action.label)
        with translation.override("en"):
            en = str(choices(action.value).label)
        assert not RAW.match(vi) and vi != action.value, action
        assert en != vi and not RAW.match(en), f"{action.value}: no English label ({vi})"


def test_the_pakn_history_shows_labels_not_raw_actions(as_user, cast, client, offices):
    """The issue: PAKN history showed `classify`, `assign`, `draft-answer`, `approve`, `publish` raw."""
    item = FeedbackItemFactory(code="PAKN.20261102.0001", office=offices["01"])
    officer, director = as_user(cast["reception_hn"]), None
    url = f"/api/v1/feedback/{item.pk}/actions/"
    officer.post(url + "classify/", {"category": "conduct"}, format="json")
    officer.post(url + "assign/", {"assignee": "chuyenvien.hn"}, format="json")
    officer.post(url + "draft-answer/", {"answer": "Đã xác nhận."}, format="json")
    director = as_user(cast["director_hn"])
    director.post(url + "approve/", {}, format="json")
    director.post(url + "publish/", {"public": True}, format="json")
    client.force_login(cast["director_hn"])
    html = client.get(reverse("feedback:detail", kwargs={"pk": item.pk})).content.decode()
    timeline = html[html.index('class="timeline"'):]
    for raw, label in [("classify", "Phân loại"), ("assign", "Giao xử lý"), ("draft-answer", "Dự thảo trả lời"),
                       ("approve", "Duyệt trả lời"), ("publish", "Trả lời, công khai")]:
        assert f"· {raw}" not in timeline and label in timeline, raw
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        html = client.get(reverse("feedback:detail", kwargs={"pk": item.pk}), HTTP_ACCEPT_LANGUAGE="en").content
    assert "· classify" not in html.decode()


def test_the_dossier_history_shows_labels_not_raw_actions(receive, cast, client):
    with time_machine.travel(local(2026, 3, 2, 9, 0), tick=False):
        d = receive(at=local(2026, 3, 2, 8, 0))
        d = services.dossier_start(actor=cast["reception_hn"], dossier=d, assignee="chuyenvien.hn")
        services.dossier_resolve(actor=cast["processor_hn"], dossier=d, outcome="approved")
    client.force_login(cast["reception_hn"])
    html = client.get(reverse("cases:detail", kwargs={"code": d.code})).content.decode()
    timeline = html[html.index('class="timeline"'):]
    assert not re.search(r"· (receive|start|resolve)\b", timeline)
    assert "Chuyển xử lý" in timeline and "Có kết quả" in timeline


def test_phones_read_as_people_write_them_and_masking_still_applies(receive, cast, client):
    from core.phones import display_phone

    assert display_phone("+84983456789") == "0983 456 789"
    assert display_phone("+842438561234") == "024 3856 1234"
    assert display_phone("+849*****678") == "09** *** 678"  # masked, still grouped
    with time_machine.travel(local(2026, 3, 2, 9, 0), tick=False):
        d = receive(at=local(2026, 3, 2, 8, 0), phone="0983456789")
    client.force_login(cast["reception_hn"])
    html = client.get(reverse("cases:detail", kwargs={"code": d.code})).content.decode()
    assert "0983 456 789" in html and "+84983456789" not in html
    client.force_login(cast["legal"])
    html = client.get(reverse("cases:detail", kwargs={"code": d.code})).content.decode()
    assert "0983 456 789" not in html and "+8498" not in html


def test_the_admin_speaks_vietnamese_with_its_own_header(client, cast):
    """The issue: the admin said "Apology slips", "Intake guidances" and "Trang quản trị cho Django"."""
    client.force_login(cast["admin"])
    html = client.get("/admin/").content.decode()
    assert "Quản trị hệ thống Một cửa BHXH" in html and "Trang quản trị cho Django" not in html
    assert "Apology slips" not in html and "Intake guidances" not in html
    assert "Phiếu xin lỗi và hẹn lại ngày trả kết quả" in html and "Phiếu hướng dẫn, từ chối tại quầy" in html
    from django.contrib import admin

    english = [f"{m._meta.app_label}.{m.__name__}" for m in admin.site._registry
               if m._meta.app_label not in ("auth", "authtoken")
               and re.fullmatch(r"[a-z ]+", str(m._meta.verbose_name_plural))]
    assert english == []


def test_every_page_has_a_favicon(client, cast):
    client.force_login(cast["reception_hn"])
    html = client.get(reverse("cases:desk")).content.decode()
    assert 'rel="icon"' in html and "favicon.svg" in html
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")


def test_only_one_tab_is_highlighted_on_the_intake_page(client, cast):
    client.force_login(cast["reception_hn"])
    html = client.get(reverse("cases:intake")).content.decode()
    nav = html[html.index('class="mainnav"'):html.index("</nav>")]
    assert nav.count('class="active"') == 1
    assert re.search(r'href="/ho-so/tiep-nhan/"[^>]*class="active"', nav)


def test_chart_bars_are_labelled_with_short_procedure_names_not_codes(client, cast, receive, time_machine):
    from cases.catalogue import short_name

    assert short_name("Hỗ trợ người lao động tạm hoãn thực hiện hợp đồng lao động hoặc nghỉ việc không hưởng "
                      "lương (xác nhận danh sách tham gia BHXH)") == "Hỗ trợ người lao động tạm hoãn thực hiện…"
    assert short_name("Giải quyết hưởng chế độ ốm đau") == "Giải quyết hưởng chế độ ốm đau"
    receive(at=local(2026, 3, 2, 8, 0))  # overdue by now
    client.force_login(cast["director_hn"])
    response = client.get(reverse("reports:dashboard"))
    bars = response.context["data"]["overdue_by_procedure"]
    assert bars and all(bar["short"] and not re.fullmatch(r"[\d.]+", bar["short"]) for bar in bars)
    assert "p.short || p.name" in response.content.decode()


def test_the_deputys_title_never_breaks_ha_noi_across_lines_on_a_slip():
    """The issue: the deputy's title broke "HÀ / NỘI" across lines in the signature block."""
    import io
    from datetime import date

    from pypdf import PdfReader

    from core.documents import Document, Signature
    from core.documents.pdf import keep_place_together, render_pdf
    from core.models import Office

    assert keep_place_together("PHÓ GIÁM ĐỐC BHXH THÀNH PHỐ HÀ NỘI").endswith("THÀNH\u00a0PHỐ\u00a0HÀ\u00a0NỘI")
    office = Office.objects.current().get(code="01")
    for signers in (1, 2, 3):
        doc = Document(office=office, title="PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", day=date(2026, 11, 2),
                       filename="x.pdf", signatures=[Signature(caption="Phó Giám đốc BHXH thành phố Hà Nội",
                                                               prefix="KT. GIÁM ĐỐC", name="Vũ Thị Lan")] * signers)
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(doc))).pages)
        lines = [line.strip() for line in text.replace("\u00a0", " ").splitlines()]
        assert not any(line.endswith("HÀ") for line in lines), lines
        assert any("HÀ NỘI" in line for line in lines)
