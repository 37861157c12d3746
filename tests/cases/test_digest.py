"""The directors' daily e-mail digest (cases.digest): one message a day per director / deputy with an e-mail
address, on their office and the offices under it, from the scan's marks; a second run the same day sends nothing."""
import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings as django_settings

from cases import tasks
from cases.digest import director_digest
from cases.models import Dossier
from cases.services.scan import scan_overdue
from notifications.models import OutboxMessage

from .conftest import local

pytestmark = pytest.mark.django_db

SCAN_AT = local(2026, 2, 24, 10, 0)  # Tue
DIGEST_AT = local(2026, 2, 25, 7, 0)  # Wed 07:00


@pytest.fixture
def marked(receive, cast):
    """Hà Nội: one overdue (due Tue 24/02 09:00), one due soon (due Thu 26/02 09:00); Cầu Giấy (under Hà Nội): one
    overdue; HCM: one overdue; a Hà Nội dossier overdue but resolved since. Directors of Hà Nội and HCM have
    e-mail addresses, the deputy of Hà Nội has none."""
    rows = {
        "hn_over": receive("1.009003", at=local(2026, 2, 10, 9, 0)),
        "hn_soon": receive("1.009003", at=local(2026, 2, 12, 9, 0)),  # apologise by Wed 25/02 09:00
        "cg_over": receive("1.009003", at=local(2026, 2, 10, 9, 0), officer="reception_cg"),
        "hcm_over": receive("1.009003", at=local(2026, 2, 10, 9, 0), officer="reception_hcm"),
        "hn_closed": receive("1.009003", at=local(2026, 2, 10, 9, 30)),
    }
    result = scan_overdue(now=SCAN_AT)
    assert set(result.overdue) == {rows[k].code for k in ("hn_over", "cg_over", "hcm_over", "hn_closed")}
    assert result.due_soon == [rows["hn_soon"].code]
    Dossier.objects.filter(pk=rows["hn_closed"].pk).update(status="resolved")
    for who, email in [("director_hn", "giamdoc.hn@bhxh.local"), ("director_hcm", "giamdoc.hcm@bhxh.local")]:
        cast[who].email = email
        cast[who].save(update_fields=["email"])
    return rows


def _mails():
    return {m.recipient_user.username: m for m in OutboxMessage.objects.filter(kind="dossier.director_digest")}


def test_each_director_with_an_email_gets_one_digest_of_their_office_and_the_offices_under_it(marked, cast):
    with time_machine.travel(DIGEST_AT, tick=False):
        result = director_digest()
    assert result.sent == 2 and sorted(result.recipients) == ["giamdoc.hcm", "giamdoc.hn"]
    mails = _mails()
    assert set(mails) == {"giamdoc.hn", "giamdoc.hcm"}  # the deputy has no e-mail address
    hn = mails["giamdoc.hn"]
    assert hn.channel == "email" and hn.recipient == "giamdoc.hn@bhxh.local"
    assert hn.idempotency_key == f"director-digest:{cast['director_hn'].pk}:20260225"
    assert hn.subject == "Tổng hợp hồ sơ ngày 25/02/2026: 2 quá hạn, 1 sắp đến hạn, 0 đến hạn xin lỗi"
    assert hn.payload["counts"] == {"overdue": 2, "due_soon": 1}
    assert sorted(hn.payload["codes"]["overdue"]) == sorted([marked["hn_over"].code, marked["cg_over"].code])
    assert marked["hn_closed"].code not in hn.body and marked["hcm_over"].code not in hn.body
    assert f"{django_settings.PUBLIC_BASE_URL.rstrip('/')}/ho-so/{marked['hn_soon'].code}/" in hn.body
    assert "Quá hạn (2):" in hn.body and "Sắp đến hạn (1):" in hn.body and "hạn 24/02/2026 09:00" in hn.body
    hcm = mails["giamdoc.hcm"]
    assert hcm.payload["counts"] == {"overdue": 1} and marked["hcm_over"].code in hcm.body


def test_a_second_run_the_same_day_sends_nothing_the_next_day_sends_again(marked, cast):
    with time_machine.travel(DIGEST_AT, tick=False):
        assert director_digest().sent == 2
    with time_machine.travel(local(2026, 2, 25, 18, 0), tick=False):
        assert director_digest().sent == 0
    assert OutboxMessage.objects.filter(kind="dossier.director_digest").count() == 2
    with time_machine.travel(local(2026, 2, 26, 7, 0), tick=False):
        assert director_digest().sent == 2
    assert OutboxMessage.objects.filter(kind="dossier.director_digest").count() == 4


def test_nothing_to_report_no_message(receive, cast):
    cast["director_hn"].email = "giamdoc.hn@bhxh.local"
    cast["director_hn"].save(update_fields=["email"])
    receive("1.009003", at=local(2026, 2, 10, 9, 0))  # within time: no mark
    with time_machine.travel(DIGEST_AT, tick=False):
        assert director_digest().sent == 0
    assert not OutboxMessage.objects.filter(kind="dossier.director_digest").exists()


def test_the_task_queues_the_mails_and_the_worker_sends_them(marked, after_commit, mailoutbox):
    with time_machine.travel(DIGEST_AT, tick=False), after_commit():
        assert tasks.director_digest() == {"day": "2026-02-25", "sent": 2}
    assert sorted(m.to[0] for m in mailoutbox) == ["giamdoc.hcm@bhxh.local", "giamdoc.hn@bhxh.local"]
    assert set(OutboxMessage.objects.filter(kind="dossier.director_digest").values_list("state", flat=True)) == {"sent"}


def test_the_digest_is_scheduled_daily_at_seven_local_time(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["director-digest"]
    assert entry["task"] == "cases.tasks.director_digest"
    assert entry["schedule"] == crontab(hour=7, minute=0)
    assert settings.CELERY_TIMEZONE == "Asia/Ho_Chi_Minh" and entry["options"]["expires"] < 24 * 3600


@pytest.mark.parametrize("n", [1, 12])
def test_the_digest_takes_the_same_queries_whatever_the_number_of_dossiers(n, receive, cast, django_assert_num_queries):
    for user in ("director_hn", "deputy_hn"):
        cast[user].email = f"{user}@bhxh.local"
        cast[user].save(update_fields=["email"])
    for i in range(n):
        receive("1.009003", at=local(2026, 2, 10, 9, i))
    scan_overdue(now=SCAN_AT)
    with time_machine.travel(DIGEST_AT, tick=False), django_assert_num_queries(2 + 2 * 4):
        # the signers, the marked dossiers; per signer the outbox get_or_create (SELECT, SAVEPOINT, INSERT, RELEASE)
        assert director_digest().sent == 2
