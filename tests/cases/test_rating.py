"""The applicant's satisfaction (issue 12, CONTRACTS.md `rating`): at the desk, on the public status page, from the
link in the result message; once per dossier; on the dossier API; each rating an event."""
import re

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from cases import services
from cases.models import Rating
from notifications.models import OutboxMessage

from .conftest import local

pytestmark = pytest.mark.django_db


def _resolved(receive, cast):
    with time_machine.travel(local(2026, 3, 2, 9, 0), tick=False):
        d = receive(at=local(2026, 3, 2, 8, 0))
        d = services.dossier_start(actor=cast["reception_hn"], dossier=d, assignee="chuyenvien.hn")
        return services.dossier_resolve(actor=cast["processor_hn"], dossier=d, outcome="approved")


def test_the_desk_records_one_rating_per_dossier_and_the_detail_api_shows_it(receive, cast, as_user):
    d = _resolved(receive, cast)
    api = as_user(cast["reception_hn"])
    url = f"/api/v1/dossiers/{d.code}/rating/"
    assert api.post(url, {"level": "great"}, format="json").status_code == 400
    created = api.post(url, {"level": "satisfied", "comment": "Cán bộ hướng dẫn tận tình"}, format="json")
    assert created.status_code == 201 and created.json()["level"] == "satisfied"
    again = api.post(url, {"level": "dissatisfied"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "RATING_EXISTS"
    rating = api.get(f"/api/v1/dossiers/{d.code}/").json()["rating"]
    assert rating["level"] == "satisfied" and rating["comment"] == "Cán bộ hướng dẫn tận tình"
    assert rating["source"] == "desk"
    stored = Rating.objects.get(dossier=d)
    assert stored.receiving_officer == cast["reception_hn"] and stored.processing_officer == cast["processor_hn"]
    assert d.events.filter(action="rate").count() == 1


def test_a_dossier_without_a_result_cannot_be_rated_yet(receive, cast, as_user):
    with time_machine.travel(local(2026, 3, 2, 9, 0), tick=False):
        d = receive(at=local(2026, 3, 2, 8, 0))
    response = as_user(cast["reception_hn"]).post(f"/api/v1/dossiers/{d.code}/rating/", {"level": "satisfied"},
                                                  format="json")
    assert response.status_code == 409 and response.json()["code"] == "RATING_NOT_YET"
    assert as_user(cast["legal"]).post(f"/api/v1/dossiers/{d.code}/rating/", {"level": "satisfied"},
                                       format="json").status_code == 403


def test_the_public_rating_needs_the_applicants_phone(receive, cast):
    d = _resolved(receive, cast)
    public = APIClient()
    url = f"/api/v1/public/dossiers/{d.code}/rating/"
    assert public.post(url + "?phone=0999999999", {"level": "acceptable"}, format="json").status_code == 404
    created = public.post(url + "?phone=0912 345 678", {"level": "acceptable"}, format="json")
    assert created.status_code == 201 and Rating.objects.get(dossier=d).source == "public"
    assert d.events.get(action="rate").actor_name == "Người nộp hồ sơ"


def test_the_public_rating_is_throttled_like_the_public_lookup(receive, cast, settings):
    from django.core.cache import cache

    cache.clear()
    d = _resolved(receive, cast)
    public = APIClient()
    codes = [public.post(f"/api/v1/public/dossiers/{d.code}/rating/?phone=0999999999", {"level": "satisfied"},
                         format="json").status_code for _ in range(35)]
    assert codes.count(404) == 30 and codes[-1] == 429
    cache.clear()


def test_the_public_status_page_and_the_desk_page_offer_the_rating(receive, cast, client):
    d = _resolved(receive, cast)
    page = client.get(reverse("cases:public_lookup"), {"ma": d.code, "dt": "0912345678"}).content.decode()
    assert 'name="level" value="satisfied"' in page and reverse("cases:public_rate") in page
    r = client.post(reverse("cases:public_rate"), {"ma": d.code, "dt": "0912345678", "level": "dissatisfied",
                                                   "comment": "Chờ lâu"})
    assert r.status_code == 302 and Rating.objects.get(dossier=d).level == "dissatisfied"
    page = client.get(reverse("cases:public_lookup"), {"ma": d.code, "dt": "0912345678"}).content.decode()
    assert 'name="level"' not in page and "Không hài lòng" in page
    client.force_login(cast["reception_hn"])
    desk = client.get(reverse("cases:detail", kwargs={"code": d.code})).content.decode()
    assert "Không hài lòng" in desk and "Chờ lâu" in desk


def test_the_desk_screen_takes_the_rating_at_collection(receive, cast, client):
    d = _resolved(receive, cast)
    client.force_login(cast["reception_hn"])
    page = client.get(reverse("cases:detail", kwargs={"code": d.code})).content.decode()
    assert reverse("cases:rate", kwargs={"code": d.code}) in page
    client.post(reverse("cases:rate", kwargs={"code": d.code}), {"level": "satisfied"})
    assert Rating.objects.get(dossier=d).recorded_by == cast["reception_hn"]


def test_the_result_message_carries_a_rating_link_that_needs_no_phone(receive, cast, client, settings):
    settings.PUBLIC_BASE_URL = "https://motcua.baohiemxahoi.gov.vn"
    d = _resolved(receive, cast)
    sms = OutboxMessage.objects.get(dossier_code=d.code, kind="dossier.resolve", channel="sms")
    link = re.search(r"https://motcua\.baohiemxahoi\.gov\.vn(/danh-gia/\S+/)", sms.body).group(1)
    assert 'value="acceptable"' in client.get(link).content.decode()
    assert client.get(link.replace("/danh-gia/", "/danh-gia/x")).status_code == 404  # a forged link
    r = client.post(link, {"level": "acceptable", "comment": ""})
    assert r.status_code == 200 and Rating.objects.get(dossier=d).source == "link"
