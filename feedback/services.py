"""Handling of feedback items (PAKN; Decree 20/2008/NĐ-CP as amended by 48/2013; CONTRACTS.md §1.4).

classify → assign → draft-answer → approve (director or deputy) → publish (pushed back to the national PAKN
system); or forward to the competent agency (within 5 working days), or close with a reason (complaints and
denunciations are out of scope). Each action is one transaction that locks the item, checks its rule,
changes the row and appends a FeedbackEvent.
"""
from django.db import transaction
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from core.errors import DomainError
from core.models import Role, User
from core.scoping import can_write, visible_offices

from . import deadlines
from .models import Category, FeedbackEvent, FeedbackItem, Status

ACTION_NOT_ALLOWED = "ACTION_NOT_ALLOWED"
SIGNER_REQUIRED = "FEEDBACK_SIGNER_REQUIRED"

ACTION_FROM = {
    "classify": (Status.NEW, Status.CLASSIFIED, Status.ASSIGNED),
    "assign": (Status.NEW, Status.CLASSIFIED, Status.ASSIGNED),
    "forward": (Status.NEW, Status.CLASSIFIED, Status.ASSIGNED),
    "draft-answer": (Status.CLASSIFIED, Status.ASSIGNED, Status.ANSWERED_DRAFT, Status.APPROVED),
    "approve": (Status.ANSWERED_DRAFT,),
    "publish": (Status.APPROVED,),
    "close": (Status.NEW, Status.CLASSIFIED, Status.ASSIGNED, Status.ANSWERED_DRAFT, Status.APPROVED),
}
ACTION_LABELS = {
    "classify": pgettext_lazy("action", "Phân loại"), "assign": pgettext_lazy("action", "Giao xử lý"), "forward": pgettext_lazy("action", "Chuyển cơ quan có thẩm quyền"),
    "draft-answer": pgettext_lazy("action", "Dự thảo trả lời"), "approve": pgettext_lazy("action", "Duyệt trả lời"), "publish": pgettext_lazy("action", "Trả lời, công khai"),
    "close": pgettext_lazy("action", "Đóng"),
}


def _event(item, *, actor, action, from_status, note="", data=None):
    FeedbackEvent.objects.create(item=item, at=timezone.now(), actor=actor, actor_name=actor.display_name,
                                 action=action, from_status=from_status, to_status=item.status, note=note,
                                 data=data or {})


def _begin(actor, item, action) -> tuple[FeedbackItem, str]:
    if not can_write(actor):
        raise DomainError("READ_ONLY_ROLE", "Tài khoản của bạn chỉ có quyền xem.", status=403)
    item = FeedbackItem.objects.select_for_update().select_related("office").get(pk=item.pk)
    if item.status not in ACTION_FROM[action]:
        raise DomainError(ACTION_NOT_ALLOWED, f"Không thể “{ACTION_LABELS[action]}” khi phản ánh đang ở trạng thái "
                          f"“{Status(item.status).label}”.", status=409, current_status=item.status)
    return item, item.status


def _required(value, message):
    value = (value or "").strip()
    if not value:
        raise DomainError("REASON_REQUIRED", message, status=400)
    return value


def _staff_of(item, username, what) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None or user.is_read_only or not visible_offices(user).filter(pk=item.office_id).exists():
        raise DomainError("ASSIGNEE_INVALID", f"Không thể {what} “{username}”: người này không thuộc đơn vị.",
                          status=400)
    return user


@transaction.atomic
def feedback_classify(*, actor: User, item: FeedbackItem, category: str, officer: str = "") -> FeedbackItem:
    """Classify on receipt (Decree 20/2008 Art. 5). A complaint or denunciation is marked out of scope and
    must then be closed with a reason. A conduct item may name the officer it is about: it then counts in the
    director's view of officers (letter 1568 item 5)."""
    item, old = _begin(actor, item, "classify")
    if category not in Category.values:
        raise DomainError("CATEGORY_INVALID", "Phân loại không hợp lệ.", status=400, choices=Category.values)
    item.category, item.classified_at = category, timezone.now()
    item.officer = _staff_of(item, officer, "ghi nhận phản ánh về") if officer and category == Category.CONDUCT \
        else None
    if item.status == Status.NEW:
        item.status = Status.CLASSIFIED
    item.save(update_fields=["category", "classified_at", "officer", "status", "updated_at"])
    note = Category(category).label + (f" – cán bộ {item.officer.display_name}" if item.officer else "")
    _event(item, actor=actor, action="classify", from_status=old, note=note)
    return item


@transaction.atomic
def feedback_assign(*, actor: User, item: FeedbackItem, assignee: str) -> FeedbackItem:
    item, old = _begin(actor, item, "assign")
    user = _staff_of(item, assignee, "giao cho")
    item.assignee, item.status = user, Status.ASSIGNED
    item.save(update_fields=["assignee", "status", "updated_at"])
    _event(item, actor=actor, action="assign", from_status=old, note=f"Giao {user.display_name}")
    return item


@transaction.atomic
def feedback_forward(*, actor: User, item: FeedbackItem, agency: str, note: str = "") -> FeedbackItem:
    """Outside our competence: forwarded to the competent agency, due within 5 working days of receipt."""
    item, old = _begin(actor, item, "forward")
    agency = _required(agency, "Vui lòng ghi cơ quan có thẩm quyền nhận phản ánh.")
    now = timezone.now()
    item.forwarded_to, item.forward_note, item.forwarded_at = agency, (note or "").strip(), now
    item.status, item.closed_at = Status.FORWARDED, now
    item.save(update_fields=["forwarded_to", "forward_note", "forwarded_at", "status", "closed_at", "updated_at"])
    late = deadlines.is_forward_late(item, now)
    _event(item, actor=actor, action="forward", from_status=old, note=f"Chuyển {agency}", data={"late": late})
    return item


@transaction.atomic
def feedback_draft_answer(*, actor: User, item: FeedbackItem, answer: str) -> FeedbackItem:
    """Draft (or revise) the answer; a revised answer needs a new approval."""
    item, old = _begin(actor, item, "draft-answer")
    item.answer = _required(answer, "Vui lòng nhập nội dung trả lời.")
    item.answered_by, item.status = actor, Status.ANSWERED_DRAFT
    item.approved_by, item.approved_at = None, None
    item.save(update_fields=["answer", "answered_by", "status", "approved_by", "approved_at", "updated_at"])
    _event(item, actor=actor, action="draft-answer", from_status=old)
    return item


@transaction.atomic
def feedback_approve(*, actor: User, item: FeedbackItem) -> FeedbackItem:
    """The director or a deputy of the office approves and signs the answer."""
    if not (actor.role in (Role.DIRECTOR, Role.DEPUTY) and actor.office_id
            and visible_offices(actor).filter(pk=item.office_id).exists()):
        raise DomainError(SIGNER_REQUIRED, "Chỉ Giám đốc hoặc Phó Giám đốc của đơn vị được duyệt trả lời.", status=403)
    item, old = _begin(actor, item, "approve")
    now = timezone.now()
    item.status, item.approved_by, item.approved_at, item.answered_at = Status.APPROVED, actor, now, now
    item.answer_signer_name, item.answer_signer_title = actor.display_name, actor.title or actor.get_role_display()
    item.save(update_fields=["status", "approved_by", "approved_at", "answered_at", "answer_signer_name",
                             "answer_signer_title", "updated_at"])
    _event(item, actor=actor, action="approve", from_status=old, data={"late": deadlines.is_answer_late(item, now)})
    return item


@transaction.atomic
def feedback_publish(*, actor: User, item: FeedbackItem, public: bool) -> FeedbackItem:
    """Send the approved answer (published or not) and push it back to the national PAKN system."""
    from portal.outbox import queue_pakn_answer

    item, old = _begin(actor, item, "publish")
    now = timezone.now()
    item.status, item.is_public, item.published_at, item.closed_at = Status.PUBLISHED, bool(public), now, now
    item.save(update_fields=["status", "is_public", "published_at", "closed_at", "updated_at"])
    queue_pakn_answer(item)
    _event(item, actor=actor, action="publish", from_status=old, note="Công khai" if public else "Không công khai")
    return item


@transaction.atomic
def feedback_close(*, actor: User, item: FeedbackItem, reason: str) -> FeedbackItem:
    item, old = _begin(actor, item, "close")
    item.close_reason = _required(reason, "Vui lòng ghi lý do đóng phản ánh.")
    item.status, item.closed_at = Status.CLOSED, timezone.now()
    item.save(update_fields=["close_reason", "status", "closed_at", "updated_at"])
    _event(item, actor=actor, action="close", from_status=old, note=item.close_reason)
    return item


def run_action(action: str, *, actor, item, body: dict) -> FeedbackItem:
    if action == "classify":
        return feedback_classify(actor=actor, item=item, category=body.get("category", ""),
                                 officer=body.get("officer", ""))
    if action == "assign":
        return feedback_assign(actor=actor, item=item, assignee=body.get("assignee", ""))
    if action == "forward":
        return feedback_forward(actor=actor, item=item, agency=body.get("agency", ""), note=body.get("note", ""))
    if action == "draft-answer":
        return feedback_draft_answer(actor=actor, item=item, answer=body.get("answer", ""))
    if action == "approve":
        return feedback_approve(actor=actor, item=item)
    if action == "publish":
        return feedback_publish(actor=actor, item=item, public=bool(body.get("public", False)))
    if action == "close":
        return feedback_close(actor=actor, item=item, reason=body.get("reason", ""))
    raise DomainError("UNKNOWN_ACTION", f"Không có thao tác “{action}”.", status=404)


def allowed_actions(item, user) -> list[str]:
    if not can_write(user):
        return []
    actions = [a for a, allowed in ACTION_FROM.items() if item.status in allowed]
    if "approve" in actions and user.role not in (Role.DIRECTOR, Role.DEPUTY):
        actions.remove("approve")
    return actions
