"""The PAKN model: the contract's categories and statuses, the code is MaPAKN and unique, history append-only."""
import pytest
from django.db import IntegrityError
from django.utils import timezone

from feedback.models import Category, FeedbackEvent, Source, Status
from tests.factories import FeedbackItemFactory

pytestmark = pytest.mark.django_db


def test_categories_are_the_contracts():
    assert set(Category.values) == {"conduct", "unsuitable_rule", "inconsistent_rules", "unlawful_rule",
                                    "treaty_conflict", "other", "proposal", "initiative", "out_of_scope"}
    assert set(Status.values) == {"new", "classified", "assigned", "forwarded", "answered_draft", "approved",
                                  "published", "closed"}
    assert set(Source.values) == {"national_portal", "desk"}


def _item(office, code="PAKN.20200512.0012"):
    now = timezone.now()
    return FeedbackItemFactory(code=code, office=office, title="Chậm xác nhận", received_at=now, due_at=now,
                               forward_due_at=None)


def test_new_item_defaults(offices):
    item = _item(offices["01"])
    assert (item.status, item.category, item.source, item.is_open) == ("new", "", "national_portal", True)


def test_code_is_unique(offices):
    _item(offices["01"])
    with pytest.raises(IntegrityError):
        _item(offices["79"])


def test_events_are_append_only(offices):
    item = _item(offices["01"])
    event = FeedbackEvent.objects.create(item=item, at=timezone.now(), actor_name="Hệ thống", action="pull")
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        FeedbackEvent.objects.all().update(note="x")
    with pytest.raises(TypeError):
        FeedbackEvent.objects.all().delete()
