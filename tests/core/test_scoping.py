import pytest

from core.models import Office, User
from core.permissions import can_write
from core.scoping import scope_to_user, visible_offices

pytestmark = pytest.mark.django_db


def test_province_staff_see_their_province_and_its_grassroots_offices(cast):
    codes = set(visible_offices(cast["reception_hn"]).values_list("code", flat=True))
    assert codes == {"01", "01.005", "01.006"}


def test_grassroots_staff_see_only_their_office(cast):
    assert set(visible_offices(cast["reception_cg"]).values_list("code", flat=True)) == {"01.005"}


def test_legal_department_and_admin_see_every_office_but_legal_cannot_write(cast):
    assert visible_offices(cast["legal"]).count() == Office.objects.count()
    assert visible_offices(cast["admin"]).count() == Office.objects.count()
    assert not can_write(cast["legal"]) and can_write(cast["reception_hn"])


def test_scope_applies_to_any_office_bound_queryset(cast):
    hn_sees = set(scope_to_user(User.objects.all(), cast["reception_hn"]).values_list("username", flat=True))
    assert "tiepnhan.hcm" not in hn_sees and "giamdoc.hn" in hn_sees


def test_offices_api_lists_the_tree(as_user, cast):
    data = as_user(cast["reception_hn"]).get("/api/v1/offices/?page_size=500").json()
    by_code = {o["code"]: o for o in data["results"]}
    assert by_code["00"]["level"] == "central"
    assert by_code["01"]["parent"] == "00" and by_code["01.005"]["parent"] == "01"
    assert len([o for o in data["results"] if o["level"] == "province"]) == 34
