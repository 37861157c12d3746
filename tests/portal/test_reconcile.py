"""What the portal says is kept (CONTRACTS.md §2): the first pull keeps TrangThaiHoSo and NgayTiepNhan; re-served
items and the TraCuuHoSo sweep apply the portal's own changes as events; an officer's decision is never
overwritten; a disagreement is recorded, shown on the dossier and on the sync page. Against the live sandbox."""
import copy
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import services as cases_services
from cases.models import Dossier, DossierEvent
from cases.services.scan import scan_overdue
from core.errors import DomainError
from portal import push, reconcile, services
from portal.client import PortalClient
from portal.models import Disagreement, Kind, PortalLink

from .conftest import fixture_items

pytestmark = pytest.mark.django_db

CODE = "000.00.01.G13-200518-0001"


def _page(**changes):
    """The fixture's first page, with the given items' fields changed: {code: {field: value}}."""
    items = copy.deepcopy(fixture_items("dossiers_page_1.json"))
    for item in items:
        item.update(changes.get(item["MaHoSo"], {}))
    return {"error_code": 0, "message": "Thành công", "result": items}


def _pull(sandbox, office, **changes):
    sandbox.script("LayDanhSachHoSo", reply=_page(**changes))
    (run,) = services.sync_office(office=office, kinds=(Kind.DOSSIER,))
    return run


def test_item_served_withdrawn_is_stored_withdrawn_and_cannot_be_accepted(sandbox, hanoi, cast, as_user):
    """Defect: a pulled dossier was forced to `submitted` whatever its TrangThaiHoSo, and could be accepted."""
    _pull(sandbox, hanoi, **{CODE: {"TrangThaiHoSo": 7, "NgayTiepNhan": "20200518140000"},
                             "000.00.01.G13-200518-0002": {"TrangThaiHoSo": 3}})
    withdrawn = Dossier.objects.get(code=CODE)
    assert withdrawn.status == "withdrawn" and withdrawn.closed_at and withdrawn.received_at is None
    event = withdrawn.events.get()
    assert (event.action, event.to_status, event.actor_name) == ("pull", "withdrawn", "Cổng DVCQG")
    assert Dossier.objects.get(code="000.00.01.G13-200518-0002").status == "refused"
    link = PortalLink.objects.get(pk=withdrawn.pk)
    assert link.portal_status == 7 and timezone.localtime(link.portal_received_at).strftime("%Y%m%d%H%M") == \
        "202005181400"  # the portal's NgayTiepNhan is kept
    reply = as_user(cast["reception_hn"]).post(f"/api/v1/dossiers/{CODE}/actions/accept/", {}, format="json")
    assert reply.status_code == 409
    assert Dossier.objects.get(code=CODE).status == "withdrawn"


def test_portal_received_date_is_sent_back_while_we_have_none(sandbox, hanoi):
    from portal.payload import dossier_object

    _pull(sandbox, hanoi, **{CODE: {"TrangThaiHoSo": 2, "NgayTiepNhan": "20200518140000"}})
    dossier = Dossier.objects.get(code=CODE)
    link = PortalLink.objects.get(pk=dossier.pk)
    assert dossier.status == "submitted"  # an officer still accepts it here
    assert dossier_object(dossier, portal_received_at=link.portal_received_at)["NgayTiepNhan"] == "20200518140000"
    assert Disagreement.objects.filter(dossier=dossier, ours="1", theirs="2", resolved_at__isnull=True).exists()


@pytest.mark.parametrize("how", ["sweep", "pull"])
def test_portal_withdrawal_after_accept_withdraws_ours_with_an_event_and_no_overdue_mark_or_apology(
        sandbox, hanoi, cast, how):
    """Defect: an applicant's withdrawal on the portal after we pulled the dossier was counted "already there";
    our dossier stayed received, went overdue, was reported overdue and could be apologised for."""
    from cases.services import apology

    _pull(sandbox, hanoi)
    dossier = cases_services.dossier_accept(actor=cast["reception_hn"], dossier=Dossier.objects.get(code=CODE))
    push.push_office(office=hanoi)
    sandbox.status(CODE, 7)  # the applicant withdraws on the portal
    if how == "sweep":
        done = reconcile.sweep_office(office=hanoi, client=PortalClient(), batch=2)
        assert done.withdrawn == 1
    else:
        _pull(sandbox, hanoi)
    dossier.refresh_from_db()
    assert dossier.status == "withdrawn" and dossier.closed_at
    event = dossier.events.order_by("-at", "-id").first()
    assert (event.action, event.from_status, event.to_status, event.actor_name) == \
        ("withdraw", "received", "withdrawn", "Cổng DVCQG")
    result = scan_overdue(now=dossier.legal_due_at + timedelta(days=3))
    dossier.refresh_from_db()
    assert dossier.due_state == "" and CODE not in str(result)
    with pytest.raises(DomainError):
        apology.apology_slip_issue(actor=cast["director_hn"], dossier=dossier, reason="Chậm",
                                   new_appointment_at=dossier.legal_due_at + timedelta(days=7))
    assert not Disagreement.objects.filter(resolved_at__isnull=True).exists()
    sandbox.status(CODE, 7)
    _pull(sandbox, hanoi)  # served again: nothing more happens
    assert DossierEvent.objects.filter(dossier=dossier, action="withdraw").count() == 1


def test_officer_refusal_is_not_undone_by_a_later_pull_that_still_says_1(sandbox, hanoi, cast, client):
    _pull(sandbox, hanoi)
    dossier = cases_services.dossier_refuse(actor=cast["reception_hn"], dossier=Dossier.objects.get(code=CODE),
                                            reason="Hồ sơ không thuộc thẩm quyền")
    _pull(sandbox, hanoi)  # our refusal is still queued for the portal: not a disagreement yet
    assert not Disagreement.objects.exists()
    push.push_office(office=hanoi)
    _pull(sandbox, hanoi)  # the portal still serves it as 1 (submitted)
    dossier.refresh_from_db()
    assert dossier.status == "refused"
    (difference,) = Disagreement.objects.filter(resolved_at__isnull=True)
    assert (difference.dossier_id, difference.ours, difference.theirs) == (dossier.pk, "3", "1")
    _pull(sandbox, hanoi)
    assert Disagreement.objects.count() == 1  # seen again, the same row
    client.force_login(cast["director_hn"])
    page = client.get(reverse("cases:detail", args=[CODE])).content.decode()
    assert "Khác biệt với Cổng DVCQG" in page
    sync_page = client.get(reverse("portal:health")).content.decode()
    assert CODE in sync_page and "Khác biệt với Cổng DVCQG" in sync_page
    sandbox.status(CODE, 3)
    reconcile.sweep_office(office=hanoi, client=PortalClient())  # closed dossiers are not swept …
    _pull(sandbox, hanoi)  # … but a re-served item that agrees again closes the disagreement
    assert not Disagreement.objects.filter(resolved_at__isnull=True).exists()


def test_payment_requested_and_made_on_the_portal_are_events(sandbox, hanoi, cast):
    _pull(sandbox, hanoi)
    dossier = Dossier.objects.get(code=CODE)
    sandbox.status(CODE, 6)
    reconcile.sweep_office(office=hanoi, client=PortalClient())
    sandbox.status(CODE, 1)
    reconcile.sweep_office(office=hanoi, client=PortalClient())
    notes = list(dossier.events.filter(action="portal-update").values_list("note", flat=True))
    assert len(notes) == 2 and "yêu cầu" in notes[0] and "đã thanh toán" in notes[1]
    dossier.refresh_from_db()
    assert dossier.status == "submitted" and not Disagreement.objects.exists()
    cases_services.dossier_accept(actor=cast["reception_hn"], dossier=dossier)


def test_sweep_costs_a_constant_number_of_queries_per_batch(sandbox, hanoi):
    sandbox.dataset(hanoi.agency_code, dossiers=12)
    services.sync_office(office=hanoi, kinds=(Kind.DOSSIER,))

    def count(batch_size):
        with CaptureQueriesContext(connection) as queries:
            done = reconcile.sweep_office(office=hanoi, client=PortalClient(), batch=batch_size)
        assert done.compared == 12
        return len(queries.captured_queries) - 1  # the last keyset read finds nothing

    four_batches, two_batches = count(3), count(6)
    assert four_batches == 2 * two_batches  # the same number of queries for 3 dossiers as for 6
