"""Officer alerts raised by dossier events (cases.alerts): a dossier handed to an officer tells that officer; an
apology draft tells the directors and deputies who may sign it. Keyed by the event: a replay tells nobody twice."""
import pytest

from cases import alerts, services
from cases.models import DossierEvent
from cases.services import apology
from notifications.models import OutboxMessage

from .conftest import local

pytestmark = pytest.mark.django_db

REASON = "Cần xác minh thêm quá trình đóng BHXH tại đơn vị cũ của người lao động"


def _alerts(kind, **filters):
    return list(OutboxMessage.objects.filter(channel="officer", kind=kind, **filters).order_by("pk"))


def test_starting_a_dossier_for_another_officer_alerts_that_officer(receive, cast):
    d = receive(at=local(2026, 3, 2, 9, 0))
    services.dossier_start(actor=cast["reception_hn"], dossier=d, assignee="chuyenvien.hn")
    [alert] = _alerts("dossier.assigned")
    assert alert.recipient_user == cast["processor_hn"] and alert.dossier_code == d.code
    assert alert.subject == f"Hồ sơ {d.code} được giao cho bạn xử lý"
    assert d.applicant_name in alert.body and alert.state == "sent" and alert.read_at is None


def test_no_alert_when_nobody_is_named_or_the_actor_takes_it_himself(receive, cast):
    services.dossier_start(actor=cast["reception_hn"], dossier=receive(at=local(2026, 3, 2, 9, 0)))
    services.dossier_start(actor=cast["processor_hn"], dossier=receive(at=local(2026, 3, 2, 9, 30)),
                           assignee="chuyenvien.hn")
    assert _alerts("dossier.assigned") == []


def test_a_handover_to_an_officer_alerts_them_and_one_without_a_handler_does_not(receive, cast):
    d = services.dossier_start(actor=cast["reception_hn"], dossier=receive(at=local(2026, 3, 2, 9, 0)))
    services.dossier_handover(actor=cast["reception_hn"], dossier=d, unit="Phòng Chế độ BHXH",
                              assignee="chuyenvien.hn")
    services.dossier_handover(actor=cast["processor_hn"], dossier=d, unit="Phòng Kế hoạch – Tài chính")
    [alert] = _alerts("dossier.assigned")
    assert alert.recipient_user == cast["processor_hn"] and "Phòng Chế độ BHXH" in alert.body
    event = DossierEvent.objects.filter(dossier=d, action="handover").order_by("pk").first()
    assert event.data == {"assignee": "chuyenvien.hn"}


def test_a_replayed_event_alerts_nobody_twice(receive, cast):
    d = services.dossier_start(actor=cast["reception_hn"], dossier=receive(at=local(2026, 3, 2, 9, 0)),
                               assignee="chuyenvien.hn")
    event = DossierEvent.objects.get(dossier=d, action="start")
    assert alerts.alert_assigned(d, event) is False
    assert len(_alerts("dossier.assigned")) == 1


def test_an_apology_draft_alerts_every_possible_signer_but_the_drafter(receive, cast):
    d = receive("1.009003", at=local(2026, 2, 10, 9, 0))
    apology.apology_slip_draft(actor=cast["reception_hn"], dossier=d, reason=REASON,
                               new_appointment_at=local(2026, 2, 25, 9, 0), at=local(2026, 2, 12, 10, 0))
    rows = _alerts("dossier.awaiting_signature")
    assert {r.recipient_user for r in rows} == {cast["director_hn"], cast["deputy_hn"]}
    assert all(r.dossier_code == d.code and r.subject == f"Phiếu xin lỗi hồ sơ {d.code} chờ ký" for r in rows)
    assert cast["director_hcm"] not in {r.recipient_user for r in rows}


def test_a_deputy_drafting_alerts_the_director_only(receive, cast):
    d = receive("1.009003", at=local(2026, 2, 10, 9, 0))
    apology.apology_slip_draft(actor=cast["deputy_hn"], dossier=d, reason=REASON,
                               new_appointment_at=local(2026, 2, 25, 9, 0), at=local(2026, 2, 12, 10, 0))
    assert [r.recipient_user for r in _alerts("dossier.awaiting_signature")] == [cast["director_hn"]]


def test_a_district_draft_alerts_the_province_signers(receive, cast):
    d = receive("1.009003", at=local(2026, 2, 10, 9, 0), officer="reception_cg")
    apology.apology_slip_draft(actor=cast["reception_cg"], dossier=d, reason=REASON,
                               new_appointment_at=local(2026, 2, 25, 9, 0), at=local(2026, 2, 12, 10, 0))
    assert {r.recipient_user for r in _alerts("dossier.awaiting_signature")} == {cast["director_hn"], cast["deputy_hn"]}


def test_the_assigned_officer_sees_the_alert_in_the_api(receive, cast, as_user):
    d = receive(at=local(2026, 3, 2, 9, 0))
    services.dossier_start(actor=cast["reception_hn"], dossier=d, assignee="chuyenvien.hn")
    [result] = as_user(cast["processor_hn"]).get("/api/v1/notifications/?unread=true").json()["results"]
    assert result["kind"] == "dossier.assigned" and result["kind_label"] == "Giao xử lý"
    assert result["dossier_code"] == d.code
    assert as_user(cast["reception_hn"]).get("/api/v1/notifications/").json()["count"] == 0
