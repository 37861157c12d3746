"""Scheduling: sync_all fans out one task per office with an agency code; the per-office lock; the commands
`sync_dossiers` / `sync_feedback` (CONTRACTS.md §1.1); the demo seed."""
import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from bhxh_portal.celery import app
from cases.models import Dossier
from feedback.models import FeedbackItem
from portal import tasks
from portal.locks import office_lock
from portal.models import QuarantinedItem, SyncRun

from .conftest import HANOI

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager():
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_beat_schedule_has_the_sync_with_a_shorter_expiry(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["portal-sync"]
    assert entry["task"] == "portal.tasks.sync_all"
    assert entry["schedule"].total_seconds() == settings.SYNC_EVERY
    assert entry["options"]["expires"] < settings.SYNC_EVERY


def test_sync_all_fans_out_to_offices_with_an_agency_code(sandbox, hanoi, offices, eager):
    offices["79"].agency_code = None
    offices["79"].save()
    sandbox.dataset(HANOI, dossiers=3)
    count = tasks.sync_all.delay().get()
    synced = set(SyncRun.objects.values_list("office__code", flat=True))
    assert "79" not in synced and {"00", "01", "01.005"} <= synced
    assert count == len(synced)
    assert Dossier.objects.filter(office=hanoi).count() == 3


def test_locked_office_is_not_synced_twice(sandbox, hanoi):
    with office_lock(hanoi.pk) as lock:
        assert lock.acquired
        assert tasks.sync_office(hanoi.pk) == "locked"
        other = {}

        def contender():  # another worker: its own database connection
            with office_lock(hanoi.pk) as second:
                other["acquired"] = second.acquired
            connection.close()

        thread = threading.Thread(target=contender)
        thread.start()
        thread.join()
        assert other["acquired"] is False
    assert SyncRun.objects.count() == 0
    assert tasks.sync_office(hanoi.pk) == ["ok", "ok"]


def test_office_without_agency_code_is_skipped(offices):
    offices["79"].agency_code = ""
    offices["79"].save()
    assert tasks.sync_office(offices["79"].pk) == "skipped"


def test_sync_dossiers_command(sandbox, hanoi):
    sandbox.script("LayDanhSachHoSo", fixture="dossiers_page_bad.json")
    out = StringIO()
    call_command("sync_dossiers", office="01", stdout=out)
    text = out.getvalue()
    assert "lưu mới 2, đã có 0, cách ly 8" in text and "Đồng bộ xong" in text
    assert SyncRun.objects.get().trigger == "command"


def test_sync_feedback_command_by_agency_code(sandbox, hanoi):
    sandbox.script("LayDanhSachPAKN", fixture="pakn_page_1.json")
    call_command("sync_feedback", office=HANOI, stdout=StringIO())
    assert FeedbackItem.objects.count() == 3


def test_commands_fail_clearly(sandbox, hanoi, settings):
    with pytest.raises(CommandError, match="Không có đơn vị"):
        call_command("sync_dossiers", office="không-có", stdout=StringIO())
    settings.NATIONAL_PORTAL_URL = None
    with pytest.raises(CommandError, match="NATIONAL_PORTAL_URL"):
        call_command("sync_feedback", stdout=StringIO())


def test_demo_seed_is_idempotent_and_offline(hanoi, settings):
    from portal import demo

    settings.NATIONAL_PORTAL_URL = None
    demo.seed(stdout=StringIO())
    demo.seed(stdout=StringIO())
    assert Dossier.objects.filter(source="national_portal").count() == 5
    assert FeedbackItem.objects.count() == 3 and not QuarantinedItem.objects.exists()
    assert not SyncRun.objects.exists()
