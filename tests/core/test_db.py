"""core.db: each set-based helper on PostgreSQL and in its portable fallback (forced here on any database), with
the same answers."""
from datetime import timedelta

import pytest
from django.utils import timezone

from core import db
from notifications.models import OutboxMessage
from tests.factories import DossierFactory

pytestmark = pytest.mark.django_db


class _Other:
    """A connection that is not PostgreSQL: the helpers take their fallback."""
    vendor = "sqlite-like"


@pytest.fixture(params=[pytest.param("native", marks=pytest.mark.postgres), "fallback"])
def path(request, monkeypatch):
    """Each test through PostgreSQL's own path (a `postgres` test) and through the portable fallback."""
    if request.param == "fallback":
        monkeypatch.setattr(db, "_connection", lambda: _Other())
    return request.param


def _messages(n):
    now = timezone.now()
    return [OutboxMessage.objects.create(channel="officer", kind="k", idempotency_key=f"key-{i}", subject=f"s{i}",
                                         next_attempt_at=now) for i in range(n)]


def test_update_from_values_writes_each_row_its_own_values(path, django_assert_max_num_queries):
    messages = _messages(5)
    later = timezone.now() + timedelta(hours=1)
    rows = [{"id": m.pk, "subject": f"new {i}", "next_attempt_at": later + timedelta(minutes=i)}
            for i, m in enumerate(messages[:4])]
    with django_assert_max_num_queries(1):
        updated = db.update_from_values(OutboxMessage, "id", rows)
    assert sorted(updated) == sorted(m.pk for m in messages[:4])
    got = {m.pk: (m.subject, m.next_attempt_at) for m in OutboxMessage.objects.all()}
    for i, m in enumerate(messages[:4]):
        assert got[m.pk] == (f"new {i}", later + timedelta(minutes=i))
    assert got[messages[4].pk][0] == "s4"                       # a row not listed is untouched


def test_update_from_values_skips_rows_whose_guard_no_longer_holds(path):
    first, second = _messages(2)
    OutboxMessage.objects.filter(pk=second.pk).update(subject="changed meanwhile")
    rows = [{"id": m.pk, "body": "recomputed", "was": "s" + str(i)} for i, m in enumerate((first, second))]
    updated = db.update_from_values(OutboxMessage, "id", rows, match={"was": "subject"})
    assert updated == [first.pk]
    assert dict(OutboxMessage.objects.values_list("pk", "body")) == {first.pk: "recomputed", second.pk: ""}


def test_update_from_values_by_another_unique_key(path):
    _messages(2)
    updated = db.update_from_values(OutboxMessage, "idempotency_key", [{"idempotency_key": "key-1", "body": "b"}])
    assert updated == ["key-1"]
    assert OutboxMessage.objects.get(idempotency_key="key-1").body == "b"
    assert OutboxMessage.objects.get(idempotency_key="key-0").body == ""


def test_bulk_insert_ignore_skips_duplicates_and_fills_defaults(path):
    _messages(1)
    now = timezone.now()
    rows = [{"channel": "officer", "kind": "digest", "idempotency_key": key, "subject": key,
             "payload": {"codes": [key]}, "next_attempt_at": now} for key in ("key-0", "fresh-1", "fresh-2")]
    db.bulk_insert_ignore(OutboxMessage, rows)
    db.bulk_insert_ignore(OutboxMessage, rows)                  # replayed: nothing new
    assert OutboxMessage.objects.count() == 3
    fresh = OutboxMessage.objects.get(idempotency_key="fresh-1")
    assert fresh.payload == {"codes": ["fresh-1"]} and fresh.state == "pending" and fresh.created_at is not None
    assert OutboxMessage.objects.get(idempotency_key="key-0").kind == "k"   # the existing row is kept


def test_update_returning_changes_and_returns_exactly_the_matching_rows(path, offices):
    from feedback.models import FeedbackItem

    base = dict(office=offices["01"], title="Phản ánh", received_at=timezone.now(), due_at=timezone.now())
    marked = [FeedbackItem.objects.create(code=f"PAKN.{i}", due_state="", **base) for i in range(3)]
    already = FeedbackItem.objects.create(code="PAKN.9", due_state="overdue", **base)
    queryset = FeedbackItem.objects.filter(pk__in=[d.pk for d in [*marked, already]]).exclude(due_state="overdue")
    rows = db.update_returning(queryset, field="due_state", value="overdue", returning=("id", "code"))
    assert sorted(r["id"] for r in rows) == sorted(d.pk for d in marked)
    assert {r["code"] for r in rows} == {d.code for d in marked}
    assert db.update_returning(queryset, field="due_state", value="overdue", returning=("id",)) == []


def test_the_advisory_lock_is_taken_once_per_transaction(path):
    assert db.try_advisory_xact_lock(0x7E57) is True
