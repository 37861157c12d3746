"""After a portal outage the pushes wait out their back-off (capped at OUTBOX_BACKOFF_MAX); the first one the
portal accepts again releases the others at once, each handed to the `sync` queue's task (issue 13 item 11)."""
from datetime import timedelta

import pytest
from django.utils import timezone

from cases import services as cases_services
from cases.models import Dossier, Status
from notifications.delivery import deliver
from notifications.models import OutboxMessage
from portal import services
from portal.models import Kind

pytestmark = pytest.mark.django_db


def test_the_first_push_accepted_after_an_outage_releases_the_waiting_ones_at_once(sandbox, hanoi, cast,
                                                                                     after_commit):
    sandbox.script("LayDanhSachHoSo", fixture="dossiers_page_1.json")
    services.sync_office(office=hanoi, kinds=(Kind.DOSSIER,))
    for dossier in Dossier.objects.filter(office=hanoi, status=Status.SUBMITTED).order_by("code")[:3]:
        cases_services.dossier_accept(actor=cast["reception_hn"], dossier=dossier)
    first, *waiting = OutboxMessage.objects.filter(channel="portal").order_by("pk")
    later = timezone.now() + timedelta(minutes=5)
    OutboxMessage.objects.filter(pk__in=[m.pk for m in waiting]).update(state="failed", attempts=9,
                                                                        next_attempt_at=later)
    with after_commit():
        assert deliver(first.pk) is True
    assert set(OutboxMessage.objects.filter(channel="portal").values_list("state", flat=True)) == {"sent"}
    pushed = {p["data"][0]["MaHoSo"] for p in sandbox.state()["pushes"] if p["service"] == "CapNhatTienDoHoSoMC"}
    assert len(pushed) == 3
