"""`manage.py seed_demo` (CONTRACTS.md §1.1): the demo accounts with their roles, and twice changes nothing."""
import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command

pytestmark = pytest.mark.django_db

COUNTED = ["core.Office", "core.User", "cases.Procedure", "cases.Dossier", "cases.DossierEvent", "cases.ApologySlip",
           "feedback.FeedbackItem", "notifications.OutboxMessage", "workcal.WorkingDay"]


def _counts():
    return {label: apps.get_model(label).objects.count() for label in COUNTED}


def test_seed_demo_twice_changes_nothing_and_every_account_signs_in(settings, no_cast):
    call_command("seed_demo")
    first = _counts()
    assert first["cases.Dossier"] > 100 and first["feedback.FeedbackItem"] == 3 and first["core.Office"] == 38
    call_command("seed_demo")
    assert _counts() == first
    roles = {"admin": "admin", "tiepnhan.hn": "reception", "tiepnhan.hcm": "reception", "giamdoc.hn": "director",
             "phapche": "legal"}
    for username, role in roles.items():
        user = authenticate(username=username, password=settings.DEMO_PASSWORD)
        assert user is not None and user.role == role, username
    assert authenticate(username="tiepnhan.hn", password=settings.DEMO_PASSWORD).office.code == "01"
    assert authenticate(username="tiepnhan.hcm", password=settings.DEMO_PASSWORD).office.code == "79"


def test_the_demo_officers_have_alerts_from_one_scan(no_cast):
    from core.models import User
    from notifications.models import OutboxMessage
    from notifications.selectors import alert_unread_count

    call_command("seed_demo")
    alerts = OutboxMessage.objects.filter(channel="officer")
    processor, director = User.objects.get(username="chuyenvien.hn"), User.objects.get(username="giamdoc.hn")
    assert alerts.filter(recipient_user=processor, kind="dossier.assigned").exists()
    notices = alerts.filter(kind="dossier.due_notice", read_at__isnull=True)
    assert any(m.payload["overdue"] for m in notices.filter(recipient_user=processor))
    assert alerts.filter(recipient_user=director, kind="dossier.awaiting_signature", read_at__isnull=True).exists()
    assert alert_unread_count(user=processor) > 0 and alert_unread_count(user=director) > 0
    reception = User.objects.get(username="tiepnhan.hn")
    assert any(m.payload["late_to_accept"] for m in notices.filter(recipient_user=reception))


def test_the_demo_has_a_dossier_in_every_stage_of_the_scan(no_cast):
    """Issue 10: in `make run` the desk, the overdue desk and the dashboard show every stage (DOMAIN.md §3)."""
    from cases.models import DueMark, DueState

    call_command("seed_demo")
    stages = set(DueMark.objects.filter(closed=False).values_list("stage", flat=True))
    assert stages >= {DueState.DUE_SOON, DueState.APOLOGY_DUE, DueState.OVERDUE, DueState.APPOINTMENT_MISSED,
                      DueState.LATE_TO_ACCEPT}
