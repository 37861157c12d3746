"""The append-only history of a feedback item (Saleor's `events.py`): one function per kind of event, each
writing one `FeedbackEvent` row in the transaction of the change."""
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from .models import Category, FeedbackEvent, Status


class FeedbackAction(models.TextChoices):
    """Every kind of feedback event; the handling actions are also the URL segments of CONTRACTS.md §1.4."""

    PULL = "pull", _("Nhận từ hệ thống PAKN quốc gia")
    CLASSIFY = "classify", pgettext_lazy("action", "Phân loại")
    ASSIGN = "assign", pgettext_lazy("action", "Giao xử lý")
    FORWARD = "forward", pgettext_lazy("action", "Chuyển cơ quan có thẩm quyền")
    DRAFT_ANSWER = "draft-answer", pgettext_lazy("action", "Dự thảo trả lời")
    APPROVE = "approve", pgettext_lazy("action", "Duyệt trả lời")
    PUBLISH = "publish", pgettext_lazy("action", "Trả lời, công khai")
    CLOSE = "close", pgettext_lazy("action", "Đóng")


def _record(item, *, actor, action: FeedbackAction, from_status, note="", data=None):
    return FeedbackEvent.objects.create(item=item, at=timezone.now(), actor=actor, actor_name=actor.display_name,
                                        action=FeedbackAction(action).value, from_status=from_status,
                                        to_status=item.status, note=note, data=data or {})


def feedback_pulled_row() -> dict:
    """The fields of the "pull" event of each item stored from the national PAKN system (written in bulk)."""
    return {"action": FeedbackAction.PULL.value, "from_status": "", "to_status": Status.NEW,
            "note": "Nhận phản ánh, kiến nghị từ hệ thống PAKN quốc gia", "data": {}}


def feedback_classified(item, *, actor, from_status):
    note = Category(item.category).label + (f" – cán bộ {item.officer.display_name}" if item.officer else "")
    return _record(item, actor=actor, action=FeedbackAction.CLASSIFY, from_status=from_status, note=note)


def feedback_assigned(item, *, actor, from_status):
    return _record(item, actor=actor, action=FeedbackAction.ASSIGN, from_status=from_status,
                   note=f"Giao {item.assignee.display_name}")


def feedback_forwarded(item, *, actor, from_status, late: bool):
    return _record(item, actor=actor, action=FeedbackAction.FORWARD, from_status=from_status,
                   note=f"Chuyển {item.forwarded_to}", data={"late": late})


def feedback_answer_drafted(item, *, actor, from_status):
    return _record(item, actor=actor, action=FeedbackAction.DRAFT_ANSWER, from_status=from_status)


def feedback_answer_approved(item, *, actor, from_status, late: bool):
    return _record(item, actor=actor, action=FeedbackAction.APPROVE, from_status=from_status, data={"late": late})


def feedback_published(item, *, actor, from_status):
    return _record(item, actor=actor, action=FeedbackAction.PUBLISH, from_status=from_status,
                   note="Công khai" if item.is_public else "Không công khai")


def feedback_closed(item, *, actor, from_status):
    return _record(item, actor=actor, action=FeedbackAction.CLOSE, from_status=from_status, note=item.close_reason)
