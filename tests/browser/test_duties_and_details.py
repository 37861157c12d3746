"""Issue 12 in headless Chromium: separation of duties (the reception officer's refusal, the director's approval of
the result) and the apology signed only after its confirmation page shows what the citizen will be sent; the menu
on one line at 1366 px for every role. Screenshots of each step go to artifacts/ (created here, ignored by git)."""
from datetime import datetime, time
from pathlib import Path

import pytest

from tests.browser.test_desk import ARGS, browser, login  # noqa: F401 - the shared Chromium fixture
from tests.cases.conftest import local

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"issue12-{name}.png"), full_page=True)


@pytest.fixture
def dossier(receive, cast):
    """A dossier received by tiepnhan.hn and assigned to chuyenvien.hn, whose rules ask for the approval of the
    head of the processing unit before the result."""
    from cases import services
    from cases.models import ProcedureVersion

    d = receive(at=local(2026, 11, 23, 9, 0))
    d = services.dossier_start(actor=cast["reception_hn"], dossier=d, assignee="chuyenvien.hn")
    ProcedureVersion.objects.filter(pk=d.rule_version_id).update(result_approval_required=True)
    return d


def test_director_through_the_separation_of_duties_and_the_apology_with_its_confirmation(browser, live_server,
                                                                                          dossier):
    from django.utils import timezone

    from cases.models import ApologySlip, Dossier
    from workcal import calendar

    url = f"{live_server.url}/ho-so/{dossier.code}/"
    # The reception officer who received it has no "Có kết quả" button; forcing the form is refused, with the reason.
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    login(page, live_server, "tiepnhan.hn", "pw-tiepnhan.hn")
    page.goto(url)
    assert page.locator(f'form[action$="/thao-tac/resolve/"]').count() == 0
    with page.expect_navigation():
        page.evaluate("""(action) => { const f = document.createElement('form'); f.method = 'post'; f.action = action;
            const t = document.createElement('input'); t.name = 'csrfmiddlewaretoken';
            t.value = document.querySelector('[name=csrfmiddlewaretoken]').value; f.appendChild(t);
            const o = document.createElement('input'); o.name = 'outcome'; o.value = 'approved'; f.appendChild(o);
            document.body.appendChild(f); f.submit(); }""", f"/ho-so/{dossier.code}/thao-tac/resolve/")
    assert "cán bộ tiếp nhận không tự giải quyết hồ sơ mình tiếp nhận" in page.inner_text(".messages")
    shot(page, "1-reception-refused")
    assert Dossier.objects.get(pk=dossier.pk).status == "processing"
    page.close()

    # The director approves the result (the rule version asks for it), then apologises with a confirmation step.
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    login(page, live_server, "giamdoc.hn", "pw-giamdoc.hn")
    page.goto(url)
    assert "yêu cầu trưởng phòng nghiệp vụ duyệt kết quả" in page.inner_text("#duyet-ket-qua")
    with page.expect_navigation():
        page.click('form[action$="/thao-tac/approve-result/"] button')
    assert "Trưởng phòng nghiệp vụ đã duyệt kết quả" in page.inner_text("#duyet-ket-qua")
    shot(page, "2-director-approved")

    current = timezone.localtime(Dossier.objects.get(pk=dossier.pk).appointment_at).date()
    new_day = calendar.add_working_days(max(current, timezone.localdate()), 3)
    page.fill("#apology-reason", "Cần xác minh quá trình đóng BHXH tại đơn vị cũ.")
    page.fill("#apology-date", f"{datetime.combine(new_day, time(9, 0)):%Y-%m-%dT%H:%M}")
    with page.expect_navigation():
        page.click('#phieu-xin-loi button[value="issue"]')
    assert "Xác nhận ký và phát hành phiếu xin lỗi" in page.inner_text("h1")
    sent = page.inner_text("#tin-nhan-se-gui")
    assert f"Hen tra ket qua moi: {new_day:%d/%m/%Y} 09:00" in sent  # the SMS, word for word
    assert "0912 345 678" in sent and "anh@example.vn" in sent
    assert not ApologySlip.objects.exists()  # nothing issued, nothing sent yet
    shot(page, "3-apology-confirmation")
    with page.expect_navigation():
        page.click("#xac-nhan-ky")
    slip = ApologySlip.objects.get()
    assert slip.state == "issued" and slip.signed_by.username == "giamdoc.hn"
    assert slip.number_label in page.inner_text(".messages")
    shot(page, "4-apology-issued")


@pytest.mark.parametrize("username", ["tiepnhan.hn", "chuyenvien.hn", "giamdoc.hn", "phogiamdoc.hn", "phapche",
                                      "admin"])
def test_the_menu_fits_one_line_at_1366_px_for_every_role(browser, live_server, cast, username):
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    login(page, live_server, username, f"pw-{username}")
    page.goto(f"{live_server.url}/ho-so/")
    tops = page.eval_on_selector_all(".topbar a, .topbar button", "els => els.map(e => e.getBoundingClientRect().top)")
    bar = page.eval_on_selector(".topbar", "e => e.getBoundingClientRect().height")
    overflow = page.eval_on_selector(".mainnav", "e => e.scrollWidth - e.clientWidth")
    shot(page, f"nav-{username}")
    assert max(tops) - min(tops) < 12 and bar < 64 and overflow <= 0, (tops, bar, overflow)
