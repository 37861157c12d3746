"""The director's and the Legal Department's dashboard (issue 12, issue 14): every figure a count of the dossiers
the card or segment links to (cases.filtering), each read through an index: the open dossiers' deadline
figures from the covering partial index `dossier_open_cover`, the status mix from the tally's stocks
(reports.tally), the month's and the trend's flows from the receipt and resolution indexes."""
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import deadlines, filtering
from cases.models import Channel, Dossier, DueState, IntakeGuidance, Status, SupplementRequest, Trip
from cases.validators import mask_id
from cases.visits import came_back_q, over_visit_limit_q
from core.scoping import scope_to_user

from .selectors import Period


def dashboard(*, user, today: date | None = None) -> dict:
    """The director's figures for the caller's scope: tiles, 30-day trend, status mix, overdue by procedure,
    and the officers whose applicants come back most (letter 1568 item 5)."""
    today = today or timezone.localdate()
    now = timezone.now()
    moments = deadlines.Moments.at(now)
    month = Period.of(today.replace(day=1), today)
    trend = Period.of(today - timedelta(days=29), today)
    dossiers = scope_to_user(Dossier.objects.all(), user)

    tiles = dossiers.aggregate(
        open=Count("pk", filter=Q(status__in=[Status.RECEIVED, Status.PROCESSING, Status.AWAITING_SUPPLEMENT])),
        waiting=Count("pk", filter=Q(status=Status.SUBMITTED)),
        overdue=Count("pk", filter=deadlines.overdue_q(now)),
        due_soon=Count("pk", filter=deadlines.stage_q(DueState.DUE_SOON, moments)),
        apology_due=Count("pk", filter=deadlines.stage_q(DueState.APOLOGY_DUE, moments)),
        appointment_missed=Count("pk", filter=deadlines.stage_q(DueState.APPOINTMENT_MISSED, moments)),
        late_to_accept=Count("pk", filter=deadlines.stage_q(DueState.LATE_TO_ACCEPT, moments)),
        received_month=Count("pk", filter=Q(received_at__gte=month.start, received_at__lt=month.end)),
        resolved_month=Count("pk", filter=Q(received_at__isnull=False, resolved_at__gte=month.start,
                                            resolved_at__lt=month.end)),
        late_month=Count("pk", filter=Q(received_at__isnull=False, resolved_at__gte=month.start,
                                        resolved_at__lt=month.end) & deadlines.late_q()),
        online_month=Count("pk", filter=Q(received_at__gte=month.start, received_at__lt=month.end,
                                          channel=Channel.ONLINE)),
        over_two_trips=Count("pk", filter=over_visit_limit_q()),
    )
    tiles["on_time_rate"] = (round(100 * (tiles["resolved_month"] - tiles["late_month"]) / tiles["resolved_month"], 1)
                             if tiles["resolved_month"] else None)
    tiles["online_rate"] = (round(100 * tiles["online_month"] / tiles["received_month"], 1)
                            if tiles["received_month"] else None)
    # Dossiers, not slips: the card counts what the list it links to holds.
    tiles["apologies_month"] = dossiers.filter(filtering.apology_q("issued", today.replace(day=1), today)).count()

    received = dict(dossiers.filter(received_at__gte=trend.start, received_at__lt=trend.end)
                    .annotate(day=TruncDate("received_at")).values("day").annotate(n=Count("pk")).values_list("day", "n"))
    resolved = dict(dossiers.filter(resolved_at__gte=trend.start, resolved_at__lt=trend.end, received_at__isnull=False)
                    .annotate(day=TruncDate("resolved_at")).values("day").annotate(n=Count("pk")).values_list("day", "n"))
    days = [today - timedelta(days=29 - i) for i in range(30)]
    status_mix = dict(dossiers.values("status").annotate(n=Count("pk")).values_list("status", "n"))
    overdue_by_procedure = list(
        dossiers.overdue(now)
        .values("procedure__code", "procedure__name").annotate(n=Count("pk")).order_by("-n", "procedure__code")[:10])
    href = filtering.figure_href
    return {
        "tiles": tiles,
        "figures": _dashboard_figures(tiles, today),
        "trend": {"days": [d.strftime("%d/%m") for d in days],
                  "received": [received.get(d, 0) for d in days], "resolved": [resolved.get(d, 0) for d in days],
                  "received_links": [href(received_after=d, received_before=d) for d in days],
                  "resolved_links": [href(resolved_after=d, resolved_before=d) for d in days]},
        "status": [{"status": k, "label": Status(k).label, "n": status_mix.get(k, 0), "href": href(status=k)}
                   for k in Status.values],
        "overdue_by_procedure": [{"procedure": r["procedure__code"], "name": r["procedure__name"], "n": r["n"],
                                  "href": href(overdue_open=1, procedure=r["procedure__code"])}
                                 for r in overdue_by_procedure],
        "officers": officers_return_trips(user=user, since=today - timedelta(days=90)),
        "repeat_applicants": repeat_applicants(user=user, since=today - timedelta(days=30)),
    }


def _dashboard_figures(tiles: dict, today: date) -> list[dict]:
    """The dashboard's cards that count dossiers, each with the list (cases.filtering) that holds that number."""
    href = filtering.figure_href
    cards = [
        ("open", "", _("Đang giải quyết"), href(status_group="open")),
        ("overdue", "red", _("Quá hạn"), href(overdue_open=1)),
        ("due_soon", "amber", _("Sắp đến hạn"), href(due_stage=DueState.DUE_SOON)),
        ("apology_due", "amber", _("Phải gửi phiếu xin lỗi"), href(due_stage=DueState.APOLOGY_DUE)),
        ("appointment_missed", "red", _("Trễ hẹn đã hẹn lại"), href(due_stage=DueState.APPOINTMENT_MISSED)),
        ("late_to_accept", "red", _("Chậm tiếp nhận trực tuyến"), href(due_stage=DueState.LATE_TO_ACCEPT)),
        ("waiting", "", _("Chờ tiếp nhận (Cổng DVCQG)"), href(status=Status.SUBMITTED)),
        ("apologies_month", "", _("Hồ sơ đã xin lỗi trong tháng"),
         href(apology="issued", apology_after=today.replace(day=1), apology_before=today)),
        ("over_two_trips", "red", _("Hồ sơ đi lại quá 2 lần"), href(over_visit_limit=1)),
    ]
    return [{"key": k, "tone": tone, "label": label, "n": tiles[k], "href": url} for k, tone, label, url in cards]


def officers_return_trips(*, user, since: date) -> list[dict]:
    """Per officer since a date: supplement requests issued, desk slips that received nothing, dossiers received
    that went over the visit limit (more than max_returns + 1 visits, cases.visits; Decree 63/2010 Art. 20(4)), and citizens' feedback about their conduct.
    Four grouped queries."""
    from feedback.models import Category, FeedbackItem

    start = datetime.combine(since, time.min, timezone.get_current_timezone())
    stats: dict[int, dict] = {}

    def add(rows, key):
        for officer_id, name_last, name_first, username, n in rows:
            entry = stats.setdefault(officer_id, {"officer": f"{name_last} {name_first}".strip() or username,
                                                  "username": username, "supplements": 0, "guidance": 0,
                                                  "over_two_trips": 0, "came_back": 0, "conduct_feedback": 0})
            entry[key] = n

    fields = ("last_name", "first_name", "username")
    add(scope_to_user(SupplementRequest.objects.filter(requested_at__gte=start), user, "dossier__office")
        .values_list("requested_by", *[f"requested_by__{f}" for f in fields]).annotate(n=Count("pk")), "supplements")
    add(scope_to_user(IntakeGuidance.objects.filter(issued_at__gte=start), user)
        .values_list("issued_by", *[f"issued_by__{f}" for f in fields]).annotate(n=Count("pk")), "guidance")
    add(scope_to_user(Dossier.objects.filter(over_visit_limit_q(), received_at__gte=start, received_by__isnull=False),
                      user)
        .values_list("received_by", *[f"received_by__{f}" for f in fields]).annotate(n=Count("pk")), "over_two_trips")
    add(scope_to_user(Dossier.objects.filter(came_back_q(), received_at__gte=start, received_by__isnull=False), user)
        .values_list("received_by", *[f"received_by__{f}" for f in fields]).annotate(n=Count("pk")), "came_back")
    add(scope_to_user(FeedbackItem.objects.filter(category=Category.CONDUCT, officer__isnull=False,
                                                  received_at__gte=start), user)
        .values_list("officer", *[f"officer__{f}" for f in fields]).annotate(n=Count("pk")), "conduct_feedback")
    ranked = sorted(stats.values(), key=lambda r: (-(r["over_two_trips"] * 3 + r["came_back"] * 3
                                                     + r["conduct_feedback"] * 3
                                                     + r["supplements"] + r["guidance"]), r["username"]))
    return ranked[:20]


def repeat_applicants(*, user, since: date) -> list[dict]:
    """Applicants who came to the desk more than once for the same procedure since a date (one query)."""
    start = datetime.combine(since, time.min, timezone.get_current_timezone())
    rows = (scope_to_user(Trip.objects.filter(at__gte=start, purpose__in=[Trip.Purpose.INTAKE, Trip.Purpose.GUIDANCE]),
                          user)
            .values("applicant_id_number", "procedure__code", "procedure__name")
            .annotate(trips=Count("pk")).filter(trips__gt=1).order_by("-trips")[:20])
    return [{"applicant": mask_id(r["applicant_id_number"]), "procedure": r["procedure__code"],
             "name": r["procedure__name"], "trips": r["trips"]} for r in rows]

