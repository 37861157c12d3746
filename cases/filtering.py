"""The filters of the dossier list, applied once for the page (`/ho-so/`), the API (`GET /dossiers/`) and its
exports, and the links of every figure that counts dossiers (`figure_href`): a card, a chart segment or an
oversight cell links to the list filtered so that the list holds exactly that number.

Every deadline condition comes from cases.deadlines, evaluated at the moment of the request (the same live
conditions the desk, the overdue desk, the dashboard and oversight count with). A date filter given as a day
(`2026-12-03`, what the page's date fields send) is that whole local day: `…_after` from its midnight,
`…_before` up to the next midnight, so "from 03/12 to 03/12" is the whole of 3 December on the page and in the
API alike; a moment (`2026-12-03T09:00:00+07:00`) is taken as it is (after: inclusive, before: exclusive).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from core.models import Office

from . import deadlines
from .models import CLOCK_RUNNING, ApologySlip, DueState, Status
from .visits import came_back_q, over_visit_limit_q

STATUS_GROUPS = {
    # "Đang giải quyết": received and neither resolved, refused nor withdrawn (the legal clock running or paused)
    "open": (Status.RECEIVED, Status.PROCESSING, Status.AWAITING_SUPPLEMENT),
}
STATUS_GROUP_CHOICES = [("open", _("Đang giải quyết (đã tiếp nhận, chưa có kết quả)"))]
TIMELINESS_CHOICES = [(deadlines.EARLY, _("Trước hạn")), (deadlines.ON_TIME, _("Đúng hạn")),
                      (deadlines.LATE, _("Quá hạn"))]
APOLOGY_CHOICES = [("issued", _("Đã phát hành phiếu xin lỗi")), ("late", _("Phiếu xin lỗi phát hành muộn")),
                   ("draft", _("Phiếu xin lỗi chờ ký"))]
YES_NO = [("1", _("Có")), ("0", _("Không"))]


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _lower(value):
    """A day → its local midnight; a moment as it is."""
    return day_start(value) if not isinstance(value, datetime) else value


def _upper(value):
    """A day → the next local midnight (the day included); a moment as it is (excluded)."""
    return day_start(value + timedelta(days=1)) if not isinstance(value, datetime) else value


def _flag(value) -> bool:
    return value in (True, "1", 1, "true", "True")


def apply(qs: QuerySet, filters: dict, *, now: datetime | None = None) -> QuerySet:
    """`qs` narrowed by the list filters that are set in `filters` (absent, None or "" = not set, except
    `due_stage`, where "" is a value: the dossiers in no stage)."""
    now = now or timezone.now()
    f = filters
    if f.get("status"):
        qs = qs.filter(status__in=str(f["status"]).split(","))
    if f.get("status_group"):
        qs = qs.filter(status__in=STATUS_GROUPS[f["status_group"]])
    if f.get("office"):
        qs = qs.filter(office__code=f["office"])
    if f.get("province"):
        # The province and its grassroots offices (oversight rolls them up the same way).
        qs = qs.filter(Q(office__code=f["province"])
                       | Q(office__level=Office.Level.DISTRICT, office__parent__code=f["province"]))
    if f.get("procedure"):
        qs = qs.filter(procedure__code=f["procedure"])
    if f.get("channel"):
        qs = qs.filter(channel=f["channel"])
    if f.get("source"):
        qs = qs.filter(source=f["source"])
    if f.get("overdue") is not None and f.get("overdue") != "":
        # The same predicate as Dossier.is_overdue: running past its due moment, or resolved after it.
        overdue = deadlines.overdue_or_late_q(now)
        qs = qs.filter(overdue) if _flag(f["overdue"]) else qs.exclude(overdue)
    if _flag(f.get("overdue_open")):
        qs = qs.overdue(now)  # the clock runs and the legal due moment has passed (the "Quá hạn" cards)
    if f.get("due_stage") is not None:
        stage, moments = f["due_stage"], deadlines.Moments.at(now)  # calendar lookups: only when asked
        qs = qs.filter(deadlines.stage_q(stage, moments)) if stage else qs.exclude(deadlines.staged_q(moments))
    if f.get("rescheduled") not in (None, ""):
        qs = qs.filter(reschedule_count__gt=0) if _flag(f["rescheduled"]) else qs.filter(reschedule_count=0)
    if f.get("due_before"):
        qs = qs.due_before(f["due_before"])
    if f.get("received_after"):
        qs = qs.filter(received_at__gte=_lower(f["received_after"]))
    if f.get("received_before"):
        qs = qs.filter(received_at__lt=_upper(f["received_before"]))
    if f.get("resolved_after") or f.get("resolved_before") or f.get("timeliness"):
        qs = qs.filter(received_at__isnull=False, resolved_at__isnull=False)  # resolved after acceptance
    if f.get("resolved_after"):
        qs = qs.filter(resolved_at__gte=_lower(f["resolved_after"]))
    if f.get("resolved_before"):
        qs = qs.filter(resolved_at__lt=_upper(f["resolved_before"]))
    if f.get("timeliness"):
        qs = qs.filter({deadlines.LATE: deadlines.late_q, deadlines.EARLY: deadlines.early_q,
                        deadlines.ON_TIME: deadlines.on_time_q}[f["timeliness"]]())
    if f.get("apology"):
        qs = qs.filter(apology_q(f["apology"], f.get("apology_after"), f.get("apology_before")))
    if _flag(f.get("over_visit_limit")):
        qs = qs.filter(over_visit_limit_q())
    if _flag(f.get("came_back")):
        qs = qs.filter(came_back_q())
    if f.get("assignee"):
        qs = qs.filter(assignee__username=f["assignee"])
    if f.get("received_by"):
        qs = qs.filter(received_by__username=f["received_by"])
    return qs


def apology_q(kind: str, after=None, before=None) -> Q:
    """Dossiers with an apology slip of that kind: `issued` (issued in the range), `late` (issued late in the
    range), `draft` (a draft awaiting a signer's signature on a dossier still open)."""
    slips = ApologySlip.objects.filter(dossier=OuterRef("pk"))
    if kind == "draft":
        return Q(Exists(slips.filter(state=ApologySlip.State.DRAFT)),
                 status__in=[*CLOCK_RUNNING, Status.AWAITING_SUPPLEMENT])
    slips = slips.filter(state=ApologySlip.State.ISSUED)
    if kind == "late":
        slips = slips.filter(is_late=True)
    if after:
        slips = slips.filter(issued_at__gte=_lower(after))
    if before:
        slips = slips.filter(issued_at__lt=_upper(before))
    return Q(Exists(slips))


def slip_filter(kind: str, after=None, before=None) -> Q:
    """The same condition on ApologySlip rows (for counting dossiers through their slips)."""
    if kind == "draft":
        return Q(state=ApologySlip.State.DRAFT, dossier__status__in=[*CLOCK_RUNNING, Status.AWAITING_SUPPLEMENT])
    q = Q(state=ApologySlip.State.ISSUED)
    if kind == "late":
        q &= Q(is_late=True)
    if after:
        q &= Q(issued_at__gte=_lower(after))
    if before:
        q &= Q(issued_at__lt=_upper(before))
    return q


def figure_href(**filters) -> str:
    """The dossier list filtered by `filters` (days as yyyy-mm-dd): what a figure links to."""
    params = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in filters.items() if v is not None}
    return f"{reverse('cases:list')}?{urlencode(params)}"


STAGES = [DueState.DUE_SOON, DueState.APOLOGY_DUE, DueState.OVERDUE, DueState.APPOINTMENT_MISSED,
          DueState.LATE_TO_ACCEPT]
