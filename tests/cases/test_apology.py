"""The apology and reschedule slip (cases.services.apology): every rule allowed and refused, numbering and the
applicant's messages. The API, the pages and the PDF are in test_apology_pages.py."""
import threading

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from cases.services import apology
from cases.models import ApologySlip, Dossier, DossierEvent, Source, Status
from core.errors import DomainError
from notifications.models import OutboxMessage

from .conftest import local

pytestmark = pytest.mark.django_db

REASON = "Cần xác minh thêm quá trình đóng BHXH tại đơn vị cũ của người lao động"
BEFORE_APOLOGISE_BY = local(2026, 2, 12, 10, 0)  # Thu, well before the must-apologise-by moment
AFTER_APOLOGISE_BY = local(2026, 2, 23, 10, 0)  # Mon, after the must-apologise-by moment (Mon 09:00)


@pytest.fixture
def dossier(receive):
    """Received Tue 10/02/2026 09:00, 5 working days: Wed 11, Thu 12, Fri 13, (Tết 16–20), Mon 23, Tue 24 →
    due Tue 24/02/2026 09:00, apologise by Mon 23/02/2026 09:00."""
    d = receive("1.009003", at=local(2026, 2, 10, 9, 0))
    assert (d.legal_due_at, d.apologise_by) == (local(2026, 2, 24, 9, 0), local(2026, 2, 23, 9, 0))
    return d


@pytest.fixture
def at(time_machine):
    """at(moment): the clock of the services and the API stands at `moment`."""
    def move(moment):
        time_machine.move_to(moment, tick=False)
        return moment

    return move


def _code(call):
    with pytest.raises(DomainError) as exc:
        call()
    return exc.value.code


def _issue(actor, dossier, new=local(2026, 2, 25, 9, 0), reason=REASON, when=BEFORE_APOLOGISE_BY):
    return apology.apology_slip_issue(actor=actor, dossier=dossier, reason=reason, new_appointment_at=new, at=when)


def _draft(actor, dossier, new=local(2026, 2, 25, 9, 0), reason=REASON, when=BEFORE_APOLOGISE_BY):
    return apology.apology_slip_draft(actor=actor, dossier=dossier, reason=reason, new_appointment_at=new, at=when)


# --- draft and sign -------------------------------------------------------------------------------------

def test_an_officer_drafts_and_the_director_signs(dossier, cast):
    slip = _draft(cast["processor_hn"], dossier)
    assert (slip.state, slip.number, slip.number_label) == ("draft", None, "")
    assert slip.original_appointment_at == local(2026, 2, 24, 9, 0)
    assert DossierEvent.objects.filter(dossier=dossier, action="apology-draft").count() == 1
    dossier.refresh_from_db()
    assert dossier.appointment_at == local(2026, 2, 24, 9, 0) and dossier.reschedule_count == 0  # nothing yet

    slip = apology.apology_slip_sign(actor=cast["director_hn"], slip=slip, at=BEFORE_APOLOGISE_BY)
    assert (slip.state, slip.year, slip.number, slip.number_label) == ("issued", 2026, 1, "1/2026/PXL-BHXH-HN")
    assert slip.signed_by == cast["director_hn"] and slip.issued_at == BEFORE_APOLOGISE_BY
    assert slip.is_late is False
    dossier.refresh_from_db()
    # The appointment moves; the legal due moment never does.
    assert dossier.appointment_at == local(2026, 2, 25, 9, 0)
    assert dossier.legal_due_at == local(2026, 2, 24, 9, 0)
    assert dossier.reschedule_count == 1
    event = DossierEvent.objects.get(dossier=dossier, action="apology")
    assert event.actor == cast["director_hn"] and "1/2026/PXL-BHXH-HN" in event.note and REASON in event.note
    assert (event.from_status, event.to_status) == ("received", "received")


def test_drafting_again_revises_the_pending_draft(dossier, cast):
    first = _draft(cast["processor_hn"], dossier)
    second = _draft(cast["reception_hn"], dossier, new=local(2026, 2, 26, 14, 0), reason="Lý do mới")
    assert first.pk == second.pk and ApologySlip.objects.count() == 1
    assert (second.reason, second.new_appointment_at) == ("Lý do mới", local(2026, 2, 26, 14, 0))


def test_a_signer_issuing_directly_signs_the_pending_draft(dossier, cast):
    draft = _draft(cast["processor_hn"], dossier)
    slip = _issue(cast["deputy_hn"], dossier, new=local(2026, 2, 27, 9, 0))
    assert slip.pk == draft.pk and slip.state == "issued" and ApologySlip.objects.count() == 1
    assert slip.drafted_by == cast["processor_hn"] and slip.signed_by == cast["deputy_hn"]


def test_signing_twice_is_refused(dossier, cast):
    slip = _draft(cast["processor_hn"], dossier)
    apology.apology_slip_sign(actor=cast["director_hn"], slip=slip, at=BEFORE_APOLOGISE_BY)
    assert _code(lambda: apology.apology_slip_sign(actor=cast["deputy_hn"], slip=slip,
                                                   at=BEFORE_APOLOGISE_BY)) == "APOLOGY_NOT_ALLOWED"


# --- rule: only a director or deputy of the office issues -------------------------------------------------

@pytest.mark.parametrize("who", ["director_hn", "deputy_hn"])
def test_director_and_deputy_of_the_office_may_issue(dossier, cast, who):
    assert _issue(cast[who], dossier).state == "issued"


@pytest.mark.parametrize("who", ["processor_hn", "reception_hn", "director_hcm", "legal", "admin"])
def test_others_may_not_issue(dossier, cast, who):
    assert _code(lambda: _issue(cast[who], dossier)) == "APOLOGY_SIGNER_REQUIRED"
    slip = _draft(cast["processor_hn"], dossier)
    assert _code(lambda: apology.apology_slip_sign(actor=cast[who], slip=slip, at=BEFORE_APOLOGISE_BY)) == \
        "APOLOGY_SIGNER_REQUIRED"
    assert Dossier.objects.get(pk=dossier.pk).reschedule_count == 0


def test_the_province_director_signs_for_a_district_office(receive, cast):
    d = receive("1.009003", at=local(2026, 2, 10, 9, 0), officer="reception_cg")  # BHXH Cầu Giấy (01.005)
    assert _issue(cast["director_hn"], d).state == "issued"


def test_drafting_needs_a_writer_in_scope(dossier, cast):
    assert _code(lambda: _draft(cast["legal"], dossier)) == "READ_ONLY_ROLE"
    assert _code(lambda: _draft(cast["reception_hcm"], dossier)) == "OFFICE_OUT_OF_SCOPE"
    assert _draft(cast["reception_hn"], dossier).state == "draft"


# --- rule: only open dossiers ---------------------------------------------------------------------------

@pytest.mark.parametrize("status", [Status.RECEIVED, Status.PROCESSING, Status.AWAITING_SUPPLEMENT])
def test_open_dossiers_may_be_rescheduled(dossier, cast, status):
    Dossier.objects.filter(pk=dossier.pk).update(status=status)
    assert _issue(cast["director_hn"], dossier).state == "issued"


@pytest.mark.parametrize("status", [Status.RESOLVED, Status.RETURNED, Status.REFUSED, Status.WITHDRAWN,
                                    Status.SUBMITTED])
def test_closed_dossiers_may_not(dossier, cast, status):
    Dossier.objects.filter(pk=dossier.pk).update(status=status)
    assert _code(lambda: _issue(cast["director_hn"], dossier)) == "APOLOGY_NOT_ALLOWED"
    assert _code(lambda: _draft(cast["processor_hn"], dossier)) == "APOLOGY_NOT_ALLOWED"


def test_a_draft_of_a_dossier_closed_meanwhile_cannot_be_signed(dossier, cast):
    slip = _draft(cast["processor_hn"], dossier)
    Dossier.objects.filter(pk=dossier.pk).update(status=Status.RESOLVED)
    assert _code(lambda: apology.apology_slip_sign(actor=cast["director_hn"], slip=slip,
                                                   at=BEFORE_APOLOGISE_BY)) == "APOLOGY_NOT_ALLOWED"


# --- rule: the new appointment ---------------------------------------------------------------------------

@pytest.mark.parametrize("new,why", [
    (local(2026, 2, 24, 9, 0), "the current appointment itself"),
    (local(2026, 2, 23, 15, 0), "before the current appointment"),
    (local(2026, 2, 28, 9, 0), "a Saturday"),
    (local(2026, 3, 1, 9, 0), "a Sunday"),
    (local(2026, 4, 30, 9, 0), "30/04, a public holiday"),
    (local(2026, 9, 2, 9, 0), "02/09, National Day"),
])
def test_the_new_appointment_must_be_later_and_on_a_working_day(dossier, cast, new, why):
    with pytest.raises(DomainError) as exc:
        _issue(cast["director_hn"], dossier, new=new)
    assert exc.value.code == "APOLOGY_DATE_INVALID", why
    assert exc.value.extra["field"] == "new_appointment_at"
    assert _code(lambda: _draft(cast["processor_hn"], dossier, new=new)) == "APOLOGY_DATE_INVALID"


@pytest.mark.parametrize("new", [local(2026, 2, 24, 9, 1), local(2026, 2, 25, 9, 0), local(2026, 5, 4, 8, 0)])
def test_a_later_working_day_is_accepted(dossier, cast, new):
    assert _issue(cast["director_hn"], dossier, new=new).new_appointment_at == new


def test_the_new_appointment_must_be_in_the_future(dossier, cast):
    # Late apology on Wed 25/02: the new appointment must be later than the current one AND than now.
    assert _code(lambda: _issue(cast["director_hn"], dossier, new=local(2026, 2, 25, 9, 0),
                                when=local(2026, 2, 25, 10, 0))) == "APOLOGY_DATE_INVALID"


def test_a_reason_is_required(dossier, cast):
    assert _code(lambda: _issue(cast["director_hn"], dossier, reason="   ")) == "REASON_REQUIRED"


# --- rule: one reschedule per dossier --------------------------------------------------------------------

def test_one_reschedule_per_dossier(dossier, cast):
    _issue(cast["director_hn"], dossier)
    assert _code(lambda: _issue(cast["director_hn"], dossier, new=local(2026, 3, 2, 9, 0))) == "APOLOGY_LIMIT_REACHED"
    assert _code(lambda: _draft(cast["processor_hn"], dossier, new=local(2026, 3, 2, 9, 0))) == \
        "APOLOGY_LIMIT_REACHED"


def test_max_reschedules_is_per_rule_version(dossier, cast):
    dossier.rule_version.max_reschedules = 2
    dossier.rule_version.save()
    _issue(cast["director_hn"], dossier)
    second = _issue(cast["director_hn"], dossier, new=local(2026, 3, 2, 9, 0))
    assert second.original_appointment_at == local(2026, 2, 25, 9, 0)  # the one it replaces
    assert (second.number, Dossier.objects.get(pk=dossier.pk).reschedule_count) == (2, 2)


# --- rule: late apology ----------------------------------------------------------------------------------

def test_an_apology_after_the_apologise_by_moment_is_allowed_and_flagged_late(dossier, cast):
    slip = _issue(cast["director_hn"], dossier, when=AFTER_APOLOGISE_BY)
    assert slip.state == "issued" and slip.is_late is True


def test_an_apology_at_the_apologise_by_moment_is_not_late(dossier, cast):
    assert _issue(cast["director_hn"], dossier, when=local(2026, 2, 23, 9, 0)).is_late is False


def test_lateness_is_judged_when_signed_not_when_drafted(dossier, cast):
    slip = _draft(cast["processor_hn"], dossier, when=BEFORE_APOLOGISE_BY)
    slip = apology.apology_slip_sign(actor=cast["director_hn"], slip=slip, at=AFTER_APOLOGISE_BY)
    assert slip.is_late is True


# --- numbering -------------------------------------------------------------------------------------------

def test_numbers_are_gap_free_per_office_and_year(receive, cast):
    hn = [receive("1.009003", at=local(2026, 2, 10, 9, i)) for i in range(3)]
    hcm = receive("1.009003", at=local(2026, 2, 10, 9, 0), officer="reception_hcm")
    # A refused attempt takes no number.
    assert _code(lambda: _issue(cast["director_hn"], hn[0], new=local(2026, 2, 28, 9, 0))) == "APOLOGY_DATE_INVALID"
    assert [_issue(cast["director_hn"], d).number_label for d in hn[:2]] == ["1/2026/PXL-BHXH-HN", "2/2026/PXL-BHXH-HN"]
    assert _issue(cast["director_hcm"], hcm).number_label == "1/2026/PXL-BHXH-HCM"
    # A new year starts again from 1.
    Dossier.objects.filter(pk=hn[2].pk).update(appointment_at=local(2027, 1, 4, 9, 0))
    with time_machine.travel(local(2027, 1, 2, 9, 0), tick=False):  # a moment may not be in the future
        slip = _issue(cast["director_hn"], hn[2], new=local(2027, 1, 5, 9, 0), when=local(2027, 1, 2, 9, 0))
    assert (slip.year, slip.number_label) == (2027, "1/2027/PXL-BHXH-HN")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_at_one_office_are_numbered_without_gaps(receive, cast):
    dossiers = [receive("1.009003", at=local(2026, 2, 10, 9, i)) for i in range(12)]
    barrier = threading.Barrier(len(dossiers))
    numbers, errors = [], []

    def work(d):
        try:
            barrier.wait(timeout=30)
            numbers.append(_issue(cast["director_hn"], d).number)
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(d,)) for d in dossiers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert sorted(numbers) == list(range(1, 13))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_directors_signing_one_draft_at_once_issue_it_once(dossier, cast):
    slip = _draft(cast["processor_hn"], dossier)
    barrier = threading.Barrier(2)
    done, refused = [], []

    def work(who):
        try:
            barrier.wait(timeout=30)
            done.append(apology.apology_slip_sign(actor=cast[who], slip=slip, at=BEFORE_APOLOGISE_BY))
        except DomainError as exc:
            refused.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(w,)) for w in ("director_hn", "deputy_hn")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(done) == 1 and refused == ["APOLOGY_NOT_ALLOWED"]
    assert Dossier.objects.get(pk=dossier.pk).reschedule_count == 1


# --- messages --------------------------------------------------------------------------------------------

def test_the_applicant_is_told_on_every_channel_once(dossier, cast):
    slip = _issue(cast["director_hn"], dossier)
    rows = {m.channel: m for m in OutboxMessage.objects.filter(kind="dossier.apology")}
    assert set(rows) == {"sms", "email", "zalo"}
    assert rows["sms"].recipient == "+84912345678" and rows["email"].recipient == "anh@example.vn"
    assert rows["sms"].idempotency_key == f"apology:{slip.pk}:sms"
    assert "25/02/2026 09:00" in rows["sms"].body and dossier.code in rows["sms"].body
    assert REASON in rows["email"].body and "xin lỗi" in rows["email"].body
    assert rows["zalo"].payload["template_data"]["ngay_hen_moi"] == "25/02/2026 09:00"


@pytest.mark.parametrize("phone,email,channels", [
    ("0912345678", "", {"sms", "zalo"}), ("", "a@example.vn", {"email"}), ("", "", set()),
])
def test_only_the_channels_the_applicant_has(receive, cast, phone, email, channels):
    d = receive("1.009003", at=local(2026, 2, 10, 9, 0), phone=phone, email=email)
    _issue(cast["director_hn"], d)
    assert set(OutboxMessage.objects.filter(kind="dossier.apology").values_list("channel", flat=True)) == channels


def test_a_portal_dossier_reports_the_apology_to_the_national_portal(dossier, cast):
    Dossier.objects.filter(pk=dossier.pk).update(source=Source.NATIONAL_PORTAL)
    _issue(cast["director_hn"], dossier)
    event = DossierEvent.objects.get(dossier=dossier, action="apology")
    row = OutboxMessage.objects.get(channel="portal", kind="dossier.sync", dossier_code=dossier.code, subject="apology")
    assert row.payload["progress"]["ThoiDiemXuLy"] == timezone.localtime(event.at).strftime("%Y%m%d%H%M%S")
