"""The director's and the Legal Department's dashboard (issue 12, issue 14): every figure a count of the dossiers
the card or segment links to (cases.filtering), each read through an index: the open dossiers' deadline
figures from the covering partial index `dossier_open_cover`, the status mix from the tally's stocks
(reports.tally), the month's and the trend's flows from the receipt and resolution indexes."""
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import deadlines, filtering
from cases.models import OPEN_STATUSES, Dossier, DueState, IntakeGuidance, Status, SupplementRequest, Trip
from cases.validators import mask_id
from cases.visits import came_back_q, over_visit_limit_q
from core.scoping import scope_to_user

from .models import DossierTally
from .tally import STOCK_DAY, total, within


def dashboard(*, user, today: date | None = None) -> dict:
    """The director's figures for the caller's scope: tiles, 30-day trend, status mix, overdue by procedure,
    and the officers whose applicants come back most (letter 1568 item 5)."""
    today = today or timezone.localdate()
    now = timezone.now()
    moments = deadlines.Moments.at(now)
    dossiers = scope_to_user(Dossier.objects.all(), user)
    counted = scope_to_user(DossierTally.objects.all(), user)

    # The open dossiers' deadline figures: one index-only scan of `dossier_open_cover` (open dossiers only).
    tiles = dossiers.filter(status__in=OPEN_STATUSES).aggregate(
        overdue=Count("pk", filter=deadlines.overdue_q(now)),
        due_soon=Count("pk", filter=deadlines.stage_q(DueState.DUE_SOON, moments)),
        apology_due=Count("pk", filter=deadlines.stage_q(DueState.APOLOGY_DUE, moments)),
        appointment_missed=Count("pk", filter=deadlines.stage_q(DueState.APPOINTMENT_MISSED, moments)),
        late_to_accept=Count("pk", filter=deadlines.stage_q(DueState.LATE_TO_ACCEPT, moments)),
    )
    # The status stocks, the month's flows and the trips over the limit from the tally (reports.tally).
    status_mix = {r["kind"][3:]: r["n"] for r in counted.filter(kind__startswith="st_", month=False, day=STOCK_DAY)
                  .values("kind").annotate(n=Sum("n"))}
    this_month = within(today.replace(day=1), today)
    tiles.update(counted.filter(this_month | Q(month=True), kind__in=[
        "recv_online", "recv_other", "resolved", "resolved_late", "over_trips"]).aggregate(
        received_month=total(("recv_online", "recv_other"), this_month),
        online_month=total("recv_online", this_month),
        resolved_month=total("resolved", this_month), late_month=total("resolved_late", this_month),
        over_two_trips=total("over_trips", Q(month=True))))
    tiles["open"] = sum(status_mix.get(s, 0) for s in (Status.RECEIVED, Status.PROCESSING,
                                                      Status.AWAITING_SUPPLEMENT))
    tiles["waiting"] = status_mix.get(Status.SUBMITTED, 0)
    tiles["on_time_rate"] = (round(100 * (tiles["resolved_month"] - tiles["late_month"]) / tiles["resolved_month"], 1)
                             if tiles["resolved_month"] else None)
    tiles["online_rate"] = (round(100 * tiles["online_month"] / tiles["received_month"], 1)
                            if tiles["received_month"] else None)
    # Dossiers, not slips: the card counts what the list it links to holds.
    tiles["apologies_month"] = dossiers.filter(filtering.apology_q("issued", today.replace(day=1), today)).count()

    days = [today - timedelta(days=29 - i) for i in range(30)]
    by_day = {(r["kind"], r["day"]): r["n"] for r in counted.filter(
        month=False, day__gte=days[0], day__lte=today, kind__in=["recv_online", "recv_other", "resolved"])
        .values("kind", "day").annotate(n=Sum("n"))}
    received = {d: by_day.get(("recv_online", d), 0) + by_day.get(("recv_other", d), 0) for d in days}
    resolved = {d: by_day.get(("resolved", d), 0) for d in days}
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
    # trip_count > 1 holds whenever the limit is passed (a limit is at least 2 visits): index dossier_over_visits
    add(scope_to_user(Dossier.objects.filter(over_visit_limit_q(), trip_count__gt=1, received_at__gte=start,
                                             received_by__isnull=False),
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

