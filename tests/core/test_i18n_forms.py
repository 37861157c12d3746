"""The forms and messages an officer sees all day are English when English is chosen (the language cookie),
and still Vietnamese by default."""
import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation


pytestmark = pytest.mark.django_db

VIETNAMESE_LETTERS = re.compile(r"[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.I)
INTAKE = "/ho-so/tiep-nhan/"
BAD_ID = {"channel": "direct", "applicant_kind": "citizen",
          "applicant_name": "Nguyễn Văn Ánh", "applicant_id_number": "12345", "decision": "receive"}


@pytest.fixture(autouse=True)
def _back_to_vietnamese():
    """A request in English leaves English active in this thread; later tests expect the default."""
    yield
    translation.deactivate()


def _labels(page):
    return [re.sub(r"<[^>]+>|\s+", " ", text).strip() for text in re.findall(r"<label[^>]*>(.*?)</label>", page, re.S)]


def _post_bad_id(client, procedures):  # noqa: F811
    return client.post(INTAKE, {**BAD_ID, "procedure": procedures["1.009020"].pk})


def test_intake_page_in_english(client, cast, procedures):  # noqa: F811
    client.force_login(cast["reception_hn"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(INTAKE).content.decode()
    assert '<html lang="en">' in page
    labels = _labels(page)
    for label in ("Procedure", "Intake channel", "Applicant type", "Applicant&#x27;s full name / organisation name",
                  "Citizen ID card number or tax code", "Phone", "Email", "Address", "Check result",
                  "Dossier complete – receive", "Incomplete – request a supplement (Form 02)"):
        assert label in labels, (label, labels)
    vietnamese = [label for label in labels if VIETNAMESE_LETTERS.search(label)]
    assert not vietnamese, f"labels still in Vietnamese: {vietnamese}"
    assert "— Select a procedure —" in page and "Chọn thủ tục" not in page
    for text in ("Thủ tục", "Kênh tiếp nhận", "Loại đối tượng", "Số CCCD/CMND hoặc mã số thuế", "Kết quả kiểm tra"):
        assert f">{text}</label>" not in page
    assert "Vietnam Social Security" in page and "Bảo hiểm xã hội Việt Nam" not in page


def test_bad_id_number_message_in_english(client, cast, procedures):  # noqa: F811
    client.force_login(cast["reception_hn"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = _post_bad_id(client, procedures)
    page = response.content.decode()
    assert response.status_code == 400
    assert "The ID number must have 12 digits (citizen ID card) or 9 digits (old ID card)." in page
    assert "Số định danh" not in page


def test_bad_id_number_message_stays_vietnamese_by_default(client, cast, procedures):  # noqa: F811
    client.force_login(cast["reception_hn"])
    response = _post_bad_id(client, procedures)
    page = response.content.decode()
    assert response.status_code == 400 and '<html lang="vi">' in page
    assert "Số định danh phải gồm 12 chữ số (CCCD) hoặc 9 chữ số (CMND)." in page
    assert ">Thủ tục</label>" in page and "Bảo hiểm xã hội Việt Nam" in page


def test_every_validator_message_is_translated():
    """cases.validators marks each message; every one has an English translation in the catalogue."""
    tree = ast.parse(Path(settings.BASE_DIR, "cases", "validators.py").read_text(encoding="utf-8"))
    marked = [node.args[0].value for node in ast.walk(tree)
              if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_"
              and node.args and isinstance(node.args[0], ast.Constant)]
    assert len(marked) >= 7
    with translation.override("en"):
        untranslated = [m for m in marked if translation.gettext(m) == m]
    assert not untranslated


def test_period_form_errors_in_english(cast):
    from reports.forms import PeriodForm

    with translation.override("en"):
        form = PeriodForm({"from": "02/01/2025", "to": "01/01/2025", "office": "XX"}, user=cast["director_hn"])
        assert not form.is_valid()
        assert form.errors["end"] == ["“To” must be after “From”."]
        assert form.errors["office"] == ["No office with code “XX” in your scope."]
        assert PeriodForm({"from": "31/02/2025"}, user=cast["director_hn"]).errors["start"] == [
            "Invalid date (dd/mm/yyyy)."]
    form = PeriodForm({"from": "02/01/2025", "to": "01/01/2025", "office": "XX"}, user=cast["director_hn"])
    assert not form.is_valid()
    assert form.errors["office"] == ["Không có đơn vị mã “XX” trong phạm vi của bạn."]


def test_weekday_names_and_lockout_message_in_english():
    from core.views import LOCKED_MESSAGE
    from workcal.grid import WEEKDAY_HEADERS, WEEKDAYS

    with translation.override("en"):
        assert [str(d) for d in WEEKDAYS] == ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                                             "Sunday"]
        assert [translation.gettext(h) for h in WEEKDAY_HEADERS] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        assert str(LOCKED_MESSAGE) == "Too many failed sign-in attempts. Please try again in 15 minutes."
    assert str(WEEKDAYS[6]) == "Chủ nhật"
    assert str(LOCKED_MESSAGE) == "Bạn đã đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút."


def test_dossier_heading_says_dossier_in_english(client, cast, receive):  # noqa: F811
    dossier = receive()
    client.force_login(cast["reception_hn"])
    url = reverse("cases:detail", kwargs={"code": dossier.code})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert f'<h1 style="flex:1">Dossier {dossier.code}</h1>' in client.get(url).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    assert f'<h1 style="flex:1">Hồ sơ {dossier.code}</h1>' in client.get(url).content.decode()


def test_dashboard_chart_legends_in_english(client, cast):
    client.force_login(cast["director_hn"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("reports:dashboard")).content.decode()
    for label in ("Received", "Resolved", "Overdue"):
        assert f'{{label: "{label}", data' in page, label
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    page = client.get(reverse("reports:dashboard")).content.decode()
    assert '{label: "Tiếp nhận", data' in page and '{label: "Giải quyết", data' in page


def test_dossier_actions_and_history_in_english(client, cast, receive):
    dossier = receive()
    client.force_login(cast["reception_hn"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/ho-so/{dossier.code}/").content.decode()
    assert "Send for processing</button>" in page and "Withdraw</button>" in page
    assert "Dossier received" in page or "Receive dossier" in page  # the history line of the intake
    response = client.post(f"/ho-so/{dossier.code}/thao-tac/start/", follow=True)
    assert "Done: Send for processing." in response.content.decode()
