"""core.db: each set-based helper on PostgreSQL and through its portable fallback, with the same answers."""
import pytest
from django.db import connection

from core import db
from notifications.models import OutboxMessage
from tests.factories import DossierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[pytest.param("native", marks=pytest.mark.postgres), "fallback"])
def path(request, monkeypatch):
    """Run a test through PostgreSQL's own path (a `postgres` test), and through the portable fallback."""
    if request.param == "fallback":
        monkeypatch.setattr(connection, "vendor", "sqlite")
    return request.param


def test_update_returning_changes_and_returns_exactly_the_matching_rows(path, procedures, offices):
    marked = [DossierFactory(due_state="") for _ in range(3)]
    already = DossierFactory(due_state="overdue")
    queryset = type(already).objects.filter(pk__in=[d.pk for d in [*marked, already]]).exclude(due_state="overdue")
    rows = db.update_returning(queryset, field="due_state", value="overdue", returning=("id", "code"))
    assert sorted(r["id"] for r in rows) == sorted(d.pk for d in marked)
    assert {r["code"] for r in rows} == {d.code for d in marked}
    assert db.update_returning(queryset, field="due_state", value="overdue", returning=("id",)) == []


def test_bulk_insert_ignore_skips_rows_that_break_a_unique_key(path):
    row = {"channel": "officer", "kind": "test", "idempotency_key": "k-1", "subject": "A", "body": "B",
           "payload": {"n": 1}}
    db.bulk_insert_ignore(OutboxMessage, [row, {**row, "idempotency_key": "k-2"}])
    db.bulk_insert_ignore(OutboxMessage, [row, {**row, "idempotency_key": "k-3"}])
    assert sorted(OutboxMessage.objects.filter(kind="test").values_list("idempotency_key", flat=True)) == \
        ["k-1", "k-2", "k-3"]
    assert OutboxMessage.objects.get(idempotency_key="k-1").payload == {"n": 1}


def test_the_advisory_lock_is_taken_once_per_transaction(path):
    assert db.try_advisory_xact_lock(0x7E57) is True
