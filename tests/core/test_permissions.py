"""Who may do what (core.permissions): every capability × every role × own / other office against one explicit
table; the menu shows exactly the pages a user can open; the report and dashboard APIs are gated like their
pages; a role that may not act gets 403 before its body is read."""
import pathlib
import re

import pytest
from django.template import Context, Template
from django.urls import reverse

from core import permissions
from core.context_processors import NAVIGATION, menu_for
from core.models import Role, User
from tests.cases.conftest import local

pytestmark = pytest.mark.django_db

ROLES = ["reception_hn", "processor_hn", "director_hn", "deputy_hn", "legal", "admin"]
T, F = True, False

# capability → {role: (own office = Hà Nội 01, other office = Hồ Chí Minh 79)}; legal and admin see every office.
EXPECTED = {
    #                     reception   processor   director    deputy      legal       admin
    "write":              [(T, T),    (T, T),     (T, T),     (T, T),     (F, F),     (T, T)],
    "view_dossiers":      [(T, T),    (T, T),     (T, T),     (T, T),     (T, T),     (T, T)],
    "view_feedback":      [(T, T),    (T, T),     (T, T),     (T, T),     (T, T),     (T, T)],
    "view_calendar":      [(T, T),    (T, T),     (T, T),     (T, T),     (T, T),     (T, T)],
    "view_desk":          [(T, T),    (T, T),     (F, F),     (F, F),     (F, F),     (T, T)],
    "receive":            [(T, F),    (F, F),     (F, F),     (F, F),     (F, F),     (T, T)],
    "view_tracking_book": [(T, T),    (F, F),     (T, T),     (T, T),     (F, F),     (T, T)],
    "view_overdue_desk":  [(F, F),    (T, T),     (T, T),     (T, T),     (F, F),     (T, T)],
    "view_dashboard":     [(F, F),    (F, F),     (T, T),     (T, T),     (F, F),     (T, T)],
    "view_reports":       [(F, F),    (F, F),     (T, T),     (T, T),     (T, T),     (T, T)],
    "view_oversight":     [(F, F),    (F, F),     (F, F),     (F, F),     (T, T),     (T, T)],
    "view_sync_health":   [(F, F),    (F, F),     (T, T),     (T, T),     (F, F),     (T, T)],
    "process":            [(T, F),    (T, F),     (T, F),     (T, F),     (F, F),     (T, T)],
    "resolve":            [(F, F),    (T, F),     (T, F),     (T, F),     (F, F),     (T, T)],
    "approve_result":     [(F, F),    (F, F),     (T, F),     (T, F),     (F, F),     (T, T)],
    "draft_apology":      [(T, F),    (T, F),     (T, F),     (T, F),     (F, F),     (T, T)],
    "sign_apology":       [(F, F),    (F, F),     (T, F),     (T, F),     (F, F),     (F, F)],
    "see_personal_data":  [(T, F),    (T, F),     (T, F),     (T, F),     (F, F),     (T, T)],
    "handle_feedback":    [(T, F),    (T, F),     (T, F),     (T, F),     (F, F),     (T, T)],
    "approve_feedback":   [(F, F),    (F, F),     (T, F),     (T, F),     (F, F),     (F, F)],
    "edit_legal_basis":   [(F, F),    (F, F),     (F, F),     (F, F),     (T, T),     (T, T)],
    "announce_calendar_year": [(F, F), (F, F),    (F, F),     (F, F),     (F, F),     (T, T)],
    "close_report":       [(F, F),    (F, F),     (T, F),     (T, F),     (F, F),     (T, T)],
    "attach_papers":      [(T, F),    (T, F),     (T, F),     (T, F),     (F, F),     (T, T)],
    "attach_result":      [(F, F),    (T, F),     (T, F),     (T, F),     (F, F),     (T, T)],
    "read_papers":        [(T, F),    (T, F),     (T, F),     (T, F),     (F, F),     (T, T)],
}


def test_the_table_names_every_capability():
    assert set(EXPECTED) == set(permissions.CAPABILITIES)


def test_every_capability_for_every_role_in_own_and_other_office(cast, offices):
    own, other = offices["01"], offices["79"]
    wrong = []
    for name, row in EXPECTED.items():
        cap = permissions.capability(name)
        for who, (want_own, want_other) in zip(ROLES, row):
            user = cast[who]
            got = (cap(user, own), cap(user, other))
            if got != (want_own, want_other):
                wrong.append(f"{name} × {who}: got {got}, expected {(want_own, want_other)}")
            # Without an office the answer is the role's: may it do this in its own office?
            if cap(user) != want_own:
                wrong.append(f"{name} × {who} (no office): got {cap(user)}, expected {want_own}")
            # The named function is the registered capability.
            assert getattr(permissions, f"can_{name}")(user, own) == got[0]
    assert not wrong, "\n".join(wrong)


def test_the_province_director_signs_for_its_grassroots_office_but_not_the_reverse(cast, offices, receive):
    grassroots = receive(officer="reception_cg", at=local(2025, 6, 2, 9, 0))
    assert grassroots.office.code == "01.005"
    assert permissions.can_sign_apology(cast["director_hn"], grassroots)
    assert permissions.can_approve_feedback(cast["deputy_hn"], grassroots.office)
    assert not permissions.can_sign_apology(cast["director_hcm"], grassroots)
    grassroots_director = User.objects.create_user("giamdoc.caugiay", role=Role.DIRECTOR, office=offices["01.005"])
    assert not permissions.can_sign_apology(grassroots_director, offices["01"])


def test_a_superuser_is_an_administrator_whatever_its_role_field(cast, offices):
    boss = User.objects.create_superuser("boss", "b@c.d", "pw", role=Role.LEGAL)
    assert permissions.role_of(boss) == Role.ADMIN
    assert permissions.can_write(boss) and permissions.can_view_oversight(boss) and permissions.can_receive(boss)


def test_anonymous_and_inactive_users_may_do_nothing(cast, offices):
    from django.contrib.auth.models import AnonymousUser

    inactive = cast["director_hn"]
    inactive.is_active = False
    for user in (AnonymousUser(), inactive):
        assert [n for n, cap in permissions.CAPABILITIES.items() if cap(user) or cap(user, offices["01"])] == []


def test_an_unknown_capability_name_fails_loudly():
    with pytest.raises(KeyError, match="unknown capability"):
        permissions.capability("view_reprots")
    with pytest.raises(KeyError):
        permissions.HasCapability("nope")
    assert permissions.capability("can_view_reports") is permissions.capability("view_reports")


def test_assignees_are_active_writers_of_the_office_or_the_province_above(cast, offices):
    own, child, other = offices["01"], offices["01.005"], offices["79"]
    assert permissions.can_be_assigned(cast["processor_hn"], own)
    assert permissions.can_be_assigned(cast["processor_hn"], child)
    assert not permissions.can_be_assigned(cast["processor_hn"], other)
    assert not permissions.can_be_assigned(cast["legal"], own)
    assert not permissions.can_be_assigned(cast["admin"], own)  # no office: not an officer of the unit


# --- the menu and the pages agree -------------------------------------------------------------------------

@pytest.mark.parametrize("who", ROLES)
def test_the_menu_shows_exactly_the_pages_the_user_can_open(client, cast, who):
    user = cast[who]
    client.force_login(user)
    shown = {url for _label, url in menu_for(user)}
    for label, name, capability in NAVIGATION:
        url = reverse(name)
        status = client.get(url).status_code
        expected = 200 if url in shown else 403
        assert status == expected, f"{who}: {label} ({url}) answered {status}, menu says {expected}"
        assert (url in shown) == EXPECTED[capability][ROLES.index(who)][0]
    page = client.get(reverse("cases:list")).content.decode()
    assert [m for m in re.findall(r'<a href="([^"]+)"', page) if m in {reverse(n) for _l, n, _c in NAVIGATION}] \
        [:len(shown)] == [url for _label, url in menu_for(user)]


def test_a_wrong_url_name_in_the_menu_fails_loudly(cast, monkeypatch):
    from django.urls import NoReverseMatch

    from core import context_processors

    monkeypatch.setattr(context_processors, "NAVIGATION", [*NAVIGATION, ("Typo", "cases:nope", "view_dossiers")])
    with pytest.raises(NoReverseMatch):
        context_processors.menu_for(cast["reception_hn"])


def test_each_role_lands_on_a_page_it_may_open(client, cast):
    for who in ROLES:
        client.force_login(cast[who])
        response = client.get(reverse("home"))
        assert response.status_code == 302, who
        assert client.get(response["Location"]).status_code == 200, who


@pytest.mark.parametrize("url,capability", [("/api/v1/reports/tthc/?from=2025-06-01&to=2025-06-30", "view_reports"),
                                            ("/api/v1/dashboard/", "view_dashboard")])
def test_report_and_dashboard_apis_are_gated_like_their_pages(as_user, cast, url, capability):
    for who in ROLES:
        response = as_user(cast[who]).get(url)
        expected = 200 if EXPECTED[capability][ROLES.index(who)][0] else 403
        assert response.status_code == expected, (who, response.content[:200])
        if expected == 403:
            assert response.json()["code"] == "ROLE_NOT_ALLOWED"


# --- 403 before the body is read (CONTRACTS.md) ------------------------------------------------------------

@pytest.mark.parametrize("who,code", [("processor_hn", "ROLE_NOT_ALLOWED"), ("director_hn", "ROLE_NOT_ALLOWED"),
                                      ("legal", "ROLE_NOT_ALLOWED")])
def test_intake_by_a_role_that_may_not_receive_is_403_before_validation(as_user, cast, who, code):
    response = as_user(cast[who]).post("/api/v1/dossiers/", {"procedure": "no-such"}, format="json")
    assert response.status_code == 403 and response.json()["code"] == code


def test_intake_page_is_403_for_a_role_that_may_not_receive(client, cast):
    client.force_login(cast["director_hn"])
    assert client.get(reverse("cases:intake")).status_code == 403


def test_actions_by_a_read_only_role_are_403_before_validation(as_user, cast, receive):
    dossier = receive(at=local(2025, 6, 2, 9, 0))
    response = as_user(cast["legal"]).post(f"/api/v1/dossiers/{dossier.code}/actions/resolve/",
                                           {"documents": "not-a-list", "in_person": "maybe"}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "READ_ONLY_ROLE"


def test_feedback_actions_by_a_read_only_role_are_403_before_validation(as_user, cast):
    response = as_user(cast["legal"]).post("/api/v1/feedback/1/actions/classify/", {"public": "maybe"},
                                           format="json")
    assert response.status_code == 403 and response.json()["code"] == "READ_ONLY_ROLE"


def test_apology_api_refuses_a_non_signer_before_reading_the_body(as_user, cast, receive):
    dossier = receive(at=local(2025, 6, 2, 9, 0))
    response = as_user(cast["reception_hn"]).post(f"/api/v1/dossiers/{dossier.code}/apology-slips/",
                                                  {"new_appointment_at": "garbage"}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "APOLOGY_SIGNER_REQUIRED"


# --- one masking rule for pages, API and slips --------------------------------------------------------------

@pytest.mark.parametrize("who,full", [("reception_hn", True), ("director_hn", True), ("legal", False),
                                      ("admin", True)])
def test_page_api_and_slip_mask_the_applicant_alike(client, as_user, cast, receive, who, full):
    dossier = receive(at=local(2025, 6, 2, 9, 0))
    shown = "001085012345" if full else "001******345"
    client.force_login(cast[who])
    page = client.get(reverse("cases:detail", kwargs={"code": dossier.code})).content.decode()
    slip = client.get(reverse("cases:receipt", kwargs={"code": dossier.code})).content.decode()
    api = as_user(cast[who]).get(f"/api/v1/dossiers/{dossier.code}/").json()["applicant"]
    assert shown in page and shown in slip and api["id_number"] == shown
    assert ("001085012345" in page) == full and ("001085012345" in slip) == full
    assert (api["address"] != "") == full


def test_lists_mask_the_applicant_even_for_the_handling_office(as_user, cast, receive):
    receive(at=local(2025, 6, 2, 9, 0))
    row = as_user(cast["reception_hn"]).get("/api/v1/dossiers/").json()["results"][0]
    assert row["applicant"]["id_number"] == "001******345"


# --- templates ------------------------------------------------------------------------------------------------

def test_template_filter_and_tag_ask_the_same_capabilities(cast, offices):
    template = Template('{% load capabilities %}{% if user|can:"view_reports" %}R{% endif %}'
                        '{% can_do "sign_apology" office as may_sign %}{% if may_sign %}S{% endif %}')
    rendered = {who: template.render(Context({"user": cast[who], "office": offices["01"]})) for who in ROLES}
    assert rendered == {"reception_hn": "", "processor_hn": "", "director_hn": "RS", "deputy_hn": "RS",
                        "legal": "R", "admin": "R"}


def test_the_apology_panel_offers_signing_only_to_a_signer_of_the_office(client, cast, receive):
    dossier = receive(at=local(2025, 6, 2, 9, 0))
    url = reverse("cases:detail", kwargs={"code": dossier.code})
    sign_button = 'value="issue"'
    for who, shown in (("reception_hn", False), ("director_hn", True), ("admin", False)):
        client.force_login(cast[who])
        page = client.get(url).content.decode()
        assert (sign_button in page) == shown, who
        assert ('name="action" value="draft"' in page) is True, who
    client.force_login(cast["legal"])
    assert 'value="draft"' not in client.get(url).content.decode()


# --- nobody else tests a role -------------------------------------------------------------------------------

ROOT = pathlib.Path(__file__).resolve().parents[2]
ROLE_TEST = re.compile(r"\.role\s*(==|!=|in\b|not in\b)|\bis_signer\b|\bis_read_only\b|\buser\.role\b")


def test_views_apis_and_templates_ask_core_permissions_not_roles():
    files = [p for p in ROOT.glob("*/**/*.py") if re.search(r"(views?|api|context_processors|serializers)", str(p))]
    files += list((ROOT / "templates").rglob("*.html"))
    offenders = [f"{p.relative_to(ROOT)}:{i}" for p in files if ".venv" not in p.parts and "tests" not in p.parts
                 for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if ROLE_TEST.search(line)]
    assert offenders == []
