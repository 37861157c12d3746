"""Online dossiers waiting (DOMAIN.md §2.1): waiting time on the list, accept / refuse several at once."""
import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from cases import services
from cases.models import Dossier, DossierEvent, Status

from .conftest import local

pytestmark = pytest.mark.django_db
APPLICANT = {"name": "Trần Thị Bình", "id_number": "001190000001", "phone": "0912345678"}


@pytest.fixture
def waiting(cast, procedures, offices):
    """Three dossiers from the portal: Mon 02/11/2026 09:00, Tue 03/11 09:00 and Wed 04/11/2026 09:00."""
    return [services.dossier_submit_online(actor=cast["reception_hn"], procedure=procedures["1.009020"],
                                           applicant={**APPLICANT, "id_number": f"00119000000{i}"},
                                           office=offices["01"], submitted_at=local(2026, 11, 2 + i, 9, 0))
            for i in range(3)]


def _client(client, user):
    client.force_login(user)
    return client


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_list_of_submitted_dossiers_shows_their_waiting_time_oldest_first(client, cast, waiting):
    with time_machine.travel(local(2026, 11, 4, 17, 0), tick=False):
        html = _client(client, cast["reception_hn"]).get(
            reverse("cases:list"), {"status": "submitted", "sort": "waiting"}).content.decode()
    codes = [d.code for d in waiting]
    assert html.index(codes[0]) < html.index(codes[1]) < html.index(codes[2])  # the longest waiting first
    # Working hours since arrival: Mon 09:00 → Wed 17:00 = 6.5 + 8 + 8; Tue → 14.5; Wed → 6.5.
    for hours in ("22.5", "14.5", "6.5"):
        assert f'class="num waited">{hours}<' in html.replace(",", "."), hours
    assert 'name="code"' in html and 'value="accept"' in html


def test_two_accepted_at_once_and_one_already_accepted_by_someone_else_is_reported(client, cast, waiting):
    first, second, third = waiting
    services.dossier_accept(actor=cast["reception_hn"], dossier=second)  # another officer, a moment earlier
    before = DossierEvent.objects.filter(action="accept").count()
    response = _client(client, cast["reception_hn"]).post(reverse("cases:bulk"), {
        "decision": "accept", "code": [first.code, second.code, third.code]})
    assert response.status_code == 302
    statuses = dict(Dossier.objects.filter(pk__in=[d.pk for d in waiting]).values_list("code", "status"))
    assert set(statuses.values()) == {Status.RECEIVED}
    assert DossierEvent.objects.filter(action="accept").count() == before + 2  # one event per dossier accepted
    text = _messages(response)
    assert any("Đã tiếp nhận 2 hồ sơ" in m and first.code in m and third.code in m for m in text), text
    assert any(m.startswith(f"Hồ sơ {second.code}:") and "Đã tiếp nhận" in m for m in text), text


def test_refusing_several_needs_one_reason_for_all(client, cast, waiting):
    c = _client(client, cast["reception_hn"])
    codes = [d.code for d in waiting[:2]]
    response = c.post(reverse("cases:bulk"), {"decision": "refuse", "code": codes, "reason": " "})
    assert Dossier.objects.filter(code__in=codes, status=Status.SUBMITTED).count() == 2
    assert any("lý do" in m for m in _messages(response))
    response = c.post(reverse("cases:bulk"), {"decision": "refuse", "code": codes, "reason": "Sai thẩm quyền"})
    refused = Dossier.objects.filter(code__in=codes, status=Status.REFUSED)
    assert refused.count() == 2 and {d.result_summary for d in refused} == {"Sai thẩm quyền"}
    assert any("Đã từ chối 2 hồ sơ" in m for m in _messages(response))


def test_only_who_may_receive_decides_in_bulk_and_only_in_scope(client, cast, waiting):
    response = _client(client, cast["processor_hn"]).post(reverse("cases:bulk"),
                                                          {"decision": "accept", "code": [waiting[0].code]})
    assert response.status_code == 403
    response = _client(client, cast["reception_hcm"]).post(reverse("cases:bulk"),
                                                           {"decision": "accept", "code": [waiting[0].code]})
    assert Dossier.objects.get(pk=waiting[0].pk).status == Status.SUBMITTED
    assert any("không tìm thấy" in m for m in _messages(response))
