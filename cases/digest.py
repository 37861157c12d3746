"""The directors' daily digest by e-mail (beat entry "director-digest", 07:00 Asia/Ho_Chi_Minh by default).

Each active director and deputy with an e-mail address gets one message a day (outbox channel "email", key
`director-digest:<user>:<YYYYMMDD>`, so a second run the same day sends nothing) summarising the open dossiers
of their office and of the offices under it that the deadline scan has marked: how many are overdue, due soon,
apology due (and any other stage the scan marks), each listed with its legal due moment. Nothing to report,
no message. The marks are the scan's (`Dossier.due_state`), as on the desk and the dashboard: the digest reads
what the officers see, it does not judge deadlines itself. Four queries whatever the number of dossiers.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from core.models import Role, User
from notifications.services import outbox_enqueue

from .codes import dossier_url
from .marks import marked_q
from .models import OPEN_STATUSES, Dossier, DueState

KIND = "dossier.director_digest"
LIST_LIMIT = 30  # dossiers listed per stage in one message; the payload counts them all
# The order stages are told in: the most urgent first; a stage the scan marks that is not named here follows.
ORDER = ["overdue", "appointment_missed", "apology_due", "due_soon", "late_to_accept"]
HEADLINE = [("overdue", "quá hạn"), ("due_soon", "sắp đến hạn"), ("apology_due", "đến hạn xin lỗi")]


@dataclass
class DigestResult:
    day: date
    sent: int = 0  # messages queued this run (0 on a replay the same day)
    recipients: list[str] = field(default_factory=list)  # usernames with something to report


def _label(state: str) -> str:
    return str(DueState(state).label) if state in DueState.values else state


def _local(moment) -> str:
    return f"{timezone.localtime(moment):%d/%m/%Y %H:%M}" if moment else "—"


def director_digest(*, now=None) -> DigestResult:
    now = now or timezone.now()
    day = timezone.localdate(now)
    result = DigestResult(day=day)
    signers = list(User.objects.filter(is_active=True, role__in=[Role.DIRECTOR, Role.DEPUTY], office__isnull=False)
                   .exclude(email="").select_related("office").order_by("pk"))
    if not signers:
        return result
    offices = {u.office_id for u in signers}
    rows = list(Dossier.objects.filter(marked_q(), status__in=OPEN_STATUSES)
                .filter(Q(office_id__in=offices) | Q(office__parent_id__in=offices))
                .order_by("legal_due_at", "code")
                .values("code", "office_id", "office__parent_id", "office__name", "legal_due_at", due_state=F("due_mark__stage")))
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    for user in signers:
        mine = [r for r in rows if user.office_id in (r["office_id"], r["office__parent_id"])]
        if not mine:
            continue
        by_state: dict[str, list[dict]] = {}
        for r in mine:
            by_state.setdefault(r["due_state"], []).append(r)
        counts = {state: len(items) for state, items in by_state.items()}
        headline = ", ".join(f"{counts.get(state, 0)} {words}" for state, words in HEADLINE)
        lines = [f"Kính gửi {user.display_name},", "",
                 f"Hồ sơ đang giải quyết của {user.office.name} và các đơn vị trực thuộc cần theo dõi "
                 f"ngày {day:%d/%m/%Y}: {headline}.", ""]
        for state in ORDER + sorted(set(by_state) - set(ORDER)):
            items = by_state.get(state)
            if not items:
                continue
            lines.append(f"{_label(state)} ({len(items)}):")
            for r in items[:LIST_LIMIT]:
                path = dossier_url(r["code"])
                link = f": {base}{path}" if path else ""
                lines.append(f"- {r['code']} ({r['office__name']}), hạn {_local(r['legal_due_at'])}{link}")
            if len(items) > LIST_LIMIT:
                lines.append(f"- … và {len(items) - LIST_LIMIT} hồ sơ khác")
            lines.append("")
        lines.append(f"Danh sách hồ sơ quá hạn: {base}{reverse('cases:overdue')}")
        _, created = outbox_enqueue(
            channel="email", kind=KIND, idempotency_key=f"director-digest:{user.pk}:{day:%Y%m%d}",
            recipient=user.email, recipient_user=user, office=user.office,
            subject=f"Tổng hợp hồ sơ ngày {day:%d/%m/%Y}: {headline}", body="\n".join(lines),
            payload={"day": day.isoformat(), "counts": counts,
                     "codes": {state: [r["code"] for r in items] for state, items in by_state.items()}},
        )
        result.sent += created
        result.recipients.append(user.username)
    return result
