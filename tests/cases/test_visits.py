"""The applicant's visits for one matter (DOMAIN.md §2.6, cases.visits)."""
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from cases import services
from cases.models import Trip
from reports.selectors import officers_return_trips, oversight

from .conftest import local

pytestmark = pytest.mark.django_db
APPLICANT = {"name": "Nguyễn Văn Ánh", "id_number": "001085012345", "phone": "0912345678"}


def _through(cast, d, *, supplement_at_counter: bool, collect: str | None = "counter"):
    officer = cast["reception_hn"]
    with time_machine.travel(local(2026, 11, 2, 10, 0), tick=False):
        d = services.dossier_start(actor=officer, dossier=d)
    if supplement_at_counter:
        with time_machine.travel(local(2026, 11, 3, 9, 0), tick=False):
            d = services.dossier_request_supplement(actor=officer, dossier=d, reason="Thiếu", documents=["Tờ khai"])
        with time_machine.travel(local(2026, 11, 5, 9, 0), tick=False):
            d = services.dossier_supplement_received(actor=officer, dossier=d, in_person=True)
    with time_machine.travel(local(2026, 11, 12, 9, 0), tick=False):
        d = services.dossier_resolve(actor=cast["processor_hn"], dossier=d, outcome="approved")
    if collect:
        with time_machine.travel(local(2026, 11, 12, 15, 0), tick=False):
            d = services.run_action("return", actor=officer, dossier=d,
                                    body={"returned_to": "", "in_person": None, "channel": collect})
    return d


def _detail(as_user, cast, d):
    return as_user(cast["director_hn"]).get(f"/api/v1/dossiers/{d.code}/").json()


def test_intake_one_supplement_and_collection_at_the_counter_are_3_visits_not_flagged(receive, cast, as_user):
    d = _through(cast, receive(at=local(2026, 11, 2, 9, 0)), supplement_at_counter=True)
    body = _detail(as_user, cast, d)
    assert (body["visits"], body["over_visit_limit"]) == (3, False)  # came back twice: within the law
    officers = officers_return_trips(user=cast["director_hn"], since=date(2026, 10, 1))
    assert all(o["over_two_trips"] == 0 for o in officers)


def test_turned_away_twice_with_form_02_then_received_and_collected_is_4_visits_flagged(receive, cast, as_user,
                                                                                         procedures):
    officer = cast["reception_hn"]
    for day in (local(2026, 10, 20, 9, 0), local(2026, 10, 27, 9, 0)):  # within the 30 days before intake
        with time_machine.travel(day, tick=False):
            services.intake_guidance_issue(actor=officer, kind="supplement", procedure=procedures["1.009020"],
                                           applicant=APPLICANT, reason="Thiếu giấy tờ", documents=["Sổ BHXH"])
    with time_machine.travel(local(2026, 9, 1, 9, 0), tick=False):  # too long before: not this matter
        services.intake_guidance_issue(actor=officer, kind="refusal", procedure=procedures["1.009020"],
                                       applicant=APPLICANT, reason="Không đủ điều kiện", documents=[])
    d = _through(cast, receive(at=local(2026, 11, 2, 9, 0)), supplement_at_counter=False)
    body = _detail(as_user, cast, d)
    assert (body["visits"], body["over_visit_limit"]) == (4, True)
    officers = officers_return_trips(user=cast["director_hn"], since=date(2026, 10, 1))
    assert [o["over_two_trips"] for o in officers if o["username"] == officer.username] == [1]
    with time_machine.travel(local(2026, 11, 20, 9, 0), tick=False):
        row = [r for r in oversight(user=cast["legal"], first=date(2026, 11, 1), last=date(2026, 11, 30))
               if r["over_two_trips"]]
    assert len(row) == 1 and row[0]["over_two_trips"] == 1

    client = as_user(cast["director_hn"])
    client.force_login(cast["director_hn"])
    html = client.get(reverse("cases:detail", kwargs={"code": d.code})).content.decode()
    for day in ("20/10/2026 09:00", "27/10/2026 09:00", "02/11/2026 09:00", "12/11/2026 15:00"):
        assert day in html, day
    assert "01/09/2026" not in html and "Phải quay lại quá 2 lần" in html


def test_a_result_sent_by_post_or_online_is_no_visit(receive, cast):
    d = _through(cast, receive(at=local(2026, 11, 2, 9, 0)), supplement_at_counter=False, collect="postal")
    assert d.trip_count == 1 and d.events.get(action="return").data == {"channel": "postal"}
    assert not Trip.objects.filter(dossier=d, purpose=Trip.Purpose.COLLECTION).exists()


def test_the_return_channel_defaults_to_the_dossiers_result_delivery(receive, cast):
    d = receive(at=local(2026, 11, 2, 9, 0))
    d.result_delivery = "online"
    d.save(update_fields=["result_delivery"])
    d = _through(cast, d, supplement_at_counter=False, collect=None)
    d = services.run_action("return", actor=cast["reception_hn"], dossier=d,
                            body={"returned_to": "", "in_person": None})
    assert d.events.get(action="return").data == {"channel": "online"} and d.trip_count == 1


def test_the_api_refuses_an_unknown_return_channel(receive, cast, as_user):
    d = _through(cast, receive(at=local(2026, 11, 2, 9, 0)), supplement_at_counter=False, collect=None)
    response = as_user(cast["reception_hn"]).post(f"/api/v1/dossiers/{d.code}/actions/return/",
                                                  {"channel": "pigeon"}, format="json")
    assert response.status_code == 400
    response = as_user(cast["reception_hn"]).post(f"/api/v1/dossiers/{d.code}/actions/return/",
                                                  {"channel": "counter"}, format="json")
    assert response.status_code == 200 and response.json()["visits"] == 2


def test_the_migration_counts_the_visits_of_existing_dossiers(receive, cast, procedures):
    import importlib

    from django.apps import apps

    from cases.models import Dossier

    with time_machine.travel(local(2026, 10, 27, 9, 0), tick=False):
        services.intake_guidance_issue(actor=cast["reception_hn"], kind="supplement", procedure=procedures["1.009020"],
                                       applicant=APPLICANT, reason="Thiếu giấy tờ", documents=["Sổ BHXH"])
    d = receive(at=local(2026, 11, 2, 9, 0))
    Dossier.objects.filter(pk=d.pk).update(trip_count=0)
    importlib.import_module("cases.migrations.0009_visits").count_visits(apps, None)
    d.refresh_from_db()
    assert d.trip_count == 2  # the Form 02 visit and the intake


def test_an_applicant_back_for_the_same_procedure_within_30_days_of_a_closed_dossier_is_flagged(receive, cast,
                                                                                               client):
    """DOMAIN.md §2.6, second rule: the first dossier was returned on 12/11/2026; the same applicant is back for the
    same procedure on 20/11 (flagged, counted for the officer who received it and in oversight), for another
    procedure on 20/11 (not flagged), and for the same one again on 14/12 — more than 30 days after (not flagged)."""
    first = _through(cast, receive(at=local(2026, 11, 2, 9, 0)), supplement_at_counter=False)
    assert first.closed_at == local(2026, 11, 12, 15, 0)
    back = receive(at=local(2026, 11, 20, 9, 0))
    other = receive("1.009022", at=local(2026, 11, 20, 9, 30))
    with time_machine.travel(local(2026, 12, 14, 9, 0), tick=False):
        later = receive()
    from cases.models import Dossier
    from cases.visits import came_back_q, closed_before

    assert [closed_before(d) for d in (first, back, other, later)] == [None, first, None, None]
    flagged = set(Dossier.objects.filter(came_back_q()).values_list("code", flat=True))
    assert flagged == {back.code}
    officers = {o["username"]: o for o in officers_return_trips(user=cast["director_hn"], since=date(2026, 10, 1))}
    assert officers["tiepnhan.hn"]["came_back"] == 1
    rows = {r["office"]: r for r in oversight(user=cast["legal"], first=date(2026, 11, 1), last=date(2026, 11, 30))}
    assert rows["01"]["came_back"] == 1
    client.force_login(cast["reception_hn"])
    page = client.get(reverse("cases:detail", kwargs={"code": back.code})).content.decode()
    assert "Quay lại trong 30 ngày" in page and first.code in page and "12/11/2026" in page
