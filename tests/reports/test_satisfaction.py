"""Satisfaction in the director's officer view and in the Legal Department's oversight (issue 12)."""
import pytest
import time_machine
from django.urls import reverse

from cases import services
from cases.models import Rating
from cases.services.rating import dossier_rate
from tests.cases.conftest import local

pytestmark = pytest.mark.django_db


def _rated(receive, cast, level, id_number, officer="reception_hn", processor="processor_hn", assignee="chuyenvien.hn"):
    with time_machine.travel(local(2026, 11, 2, 9, 0), tick=False):
        d = receive(at=local(2026, 11, 2, 8, 0), officer=officer, id_number=id_number)
        d = services.dossier_start(actor=cast[officer], dossier=d, assignee=assignee)
        d = services.dossier_resolve(actor=cast[processor], dossier=d, outcome="approved")
    return dossier_rate(dossier=d, level=level, source=Rating.Source.DESK, actor=cast[officer])


def test_the_directors_officer_view_counts_ratings_per_officer_with_percentages(receive, cast, client, time_machine):
    time_machine.move_to(local(2026, 11, 20, 9, 0), tick=False)
    for i, level in enumerate(["satisfied", "satisfied", "satisfied", "dissatisfied"]):
        _rated(receive, cast, level, f"00108501234{i}")
    client.force_login(cast["director_hn"])
    response = client.get(reverse("reports:dashboard"))
    rows = {r["username"]: r for r in response.context["satisfaction"]}
    assert rows["tiepnhan.hn"]["total"] == 4 and rows["tiepnhan.hn"]["satisfied_rate"] == 75.0
    assert rows["chuyenvien.hn"]["dissatisfied"] == 1 and rows["chuyenvien.hn"]["dissatisfied_rate"] == 25.0
    html = response.content.decode()
    assert "Mức độ hài lòng của người dân theo cán bộ" in html and "75,0%" in html


def test_oversight_shows_satisfaction_per_province(receive, cast, client, time_machine):
    time_machine.move_to(local(2026, 11, 20, 9, 0), tick=False)
    _rated(receive, cast, "acceptable", "001085012340")
    _rated(receive, cast, "satisfied", "079085012341", officer="reception_hcm", processor="director_hcm",
           assignee=None)
    client.force_login(cast["legal"])
    response = client.get(reverse("reports:oversight"), {"from": "01/11/2026", "to": "30/11/2026"})
    rows = {r["office"]: r["satisfaction"] for r in response.context["rows"]}
    assert rows["01"]["total"] == 1 and rows["01"]["acceptable"] == 1 and rows["01"]["satisfied_rate"] == 0.0
    assert rows["79"]["satisfied_rate"] == 100.0
    assert "Mức độ hài lòng của người dân theo tỉnh" in response.content.decode()
