"""The sync health page: directors, deputies and administrators only, scoped to their offices; the quarantine
list with its "Thử lại" button. Never a 500."""
import pytest
from django.urls import reverse

from notifications.services import outbox_enqueue
from portal import services
from portal.models import Kind, QuarantinedItem

pytestmark = pytest.mark.django_db
URL = "/dong-bo/"


@pytest.fixture
def pulled(sandbox, hanoi):
    sandbox.script("LayDanhSachHoSo", fixture="dossiers_page_bad.json")
    services.sync_office(office=hanoi, kinds=(Kind.DOSSIER,))


def test_url_name():
    assert reverse("portal:health") == URL


def test_anonymous_is_sent_to_log_in(client):
    assert client.get(URL).status_code == 302


@pytest.mark.parametrize("who", ["reception_hn", "processor_hn", "legal"])
def test_other_roles_are_refused(client, cast, who):
    client.force_login(cast[who])
    assert client.get(URL).status_code == 403


def test_director_sees_their_province_figures_and_quarantine(client, cast, pulled, hanoi):
    client.force_login(cast["director_hn"])
    response = client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert "BHXH thành phố Hà Nội" in page and "BHXH cơ sở Cầu Giấy" in page
    assert "Hồ Chí Minh" not in page
    row = next(r for r in response.context["rows"] if r["office"] == hanoi)
    assert (row["stored"], row["already"], row["quarantined"]) == (2, 0, 8)
    assert row["last_pull_dossier"] is not None and row["healthy"]
    assert response.context["quarantine_total"] == 8
    assert "Thử lại" in page and "không có trong danh mục thủ tục" in page


def test_director_of_another_province_does_not_see_hanoi_quarantine(client, cast, pulled):
    client.force_login(cast["director_hcm"])
    response = client.get(URL)
    assert response.status_code == 200 and response.context["quarantine_total"] == 0


def test_last_error_and_failed_pushes_in_plain_words(client, cast, hanoi, settings, offices):
    settings.NATIONAL_PORTAL_URL = "http://127.0.0.1:9"
    settings.NATIONAL_PORTAL_RETRIES = 0
    message, _ = outbox_enqueue(channel="portal", kind="pakn.answer", idempotency_key="x", office=hanoi,
                                payload={"madonvi": hanoi.agency_code, "answer": {"MaPAKN": "P"}})
    services.sync_office(office=hanoi, kinds=(Kind.PAKN,))
    client.force_login(cast["admin"])
    response = client.get(URL)
    row = next(r for r in response.context["rows"] if r["office"] == hanoi)
    assert row["push_failed"] == 1 and not row["healthy"]
    assert "Không kết nối được tới Cổng DVCQG" in row["last_error"]
    assert "Có lỗi" in response.content.decode()


def test_retry_button(client, cast, pulled, hanoi):
    from cases.models import Dossier, Procedure

    Procedure.objects.create(code="9.999999", name="Thủ tục mới", field="Thu", processing_days=3)
    item = QuarantinedItem.objects.get(code="000.00.01.G13-200521-0003")
    client.force_login(cast["director_hn"])
    response = client.post(reverse("portal:quarantine-retry", args=[item.pk]), follow=True)
    assert response.status_code == 200 and "Đã lưu" in response.content.decode()
    assert Dossier.objects.filter(code=item.code).exists()
    still_bad = QuarantinedItem.objects.get(code="000.00.01.G13-200521-0005")
    response = client.post(reverse("portal:quarantine-retry", args=[still_bad.pk]), follow=True)
    assert "Vẫn chưa hợp lệ" in response.content.decode()


def test_retry_outside_scope_is_404(client, cast, pulled):
    item = QuarantinedItem.objects.first()
    client.force_login(cast["director_hcm"])
    assert client.post(reverse("portal:quarantine-retry", args=[item.pk])).status_code == 404
    assert client.get(reverse("portal:quarantine-retry", args=[item.pk])).status_code == 405


def test_admin_pages_and_retry_action(client, cast, pulled):
    client.force_login(cast["admin"])
    for name in ("quarantineditem", "synccursor", "syncrun"):
        assert client.get(f"/admin/portal/{name}/").status_code == 200
    items = list(QuarantinedItem.objects.values_list("pk", flat=True))
    response = client.post("/admin/portal/quarantineditem/", {"action": "retry", "_selected_action": items},
                           follow=True)
    assert response.status_code == 200 and "vẫn chưa hợp lệ" in response.content.decode()
    assert client.get("/admin/feedback/feedbackitem/").status_code == 200


def test_sync_page_shows_the_push_backlog_its_age_and_the_oldest_unacknowledged_change(
        client, cast, sandbox, receive, hanoi, time_machine):
    from datetime import timedelta

    from django.utils import timezone

    from portal import push

    time_machine.move_to(timezone.now() - timedelta(hours=2), tick=False)
    first = receive("1.009020")
    receive("1.009020")
    time_machine.move_to(timezone.now() + timedelta(hours=2), tick=False)
    sandbox.fault("busy", service="DongBoHoSoMC", times=10)
    push.push_office(office=hanoi)  # the portal is down: both stay unacknowledged
    client.force_login(cast["director_hn"])
    page = client.get(URL).content.decode()
    row = page.split(f'<span class="muted">{hanoi.agency_code}</span>', 1)[1].split("</tr>", 1)[0]
    backlog = row.split('class="backlog">', 1)[1].split("</td>", 1)[0]
    assert "2 thay đổi của 2 hồ sơ" in backlog and "2 giờ" in backlog
    assert first.code in backlog and "bận" in backlog  # the oldest change and why it is not through
    assert page.count('class="backlog"') >= 2  # a row per office, the others without backlog
