"""Reports are queries over the dossiers, never typed in (DOMAIN.md §6, Circular 01/2020/TT-VPCP form 06).

Every figure is one grouped SQL aggregate (conditional COUNTs), scoped by role and office in core.scoping. Form 06
and oversight read the period's flows from the dossier tally (reports.tally, reports.summary); the raw forms here
are what the tally must equal (tests/reports/test_tally.py).
"""
import calendar as pycalendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Case, Count, F, IntegerField, Q, When
from django.utils import timezone

from cases import deadlines, filtering
from cases.ledger import annotate_state_at
from cases.models import OPEN_STATUSES, Channel, Dossier, Status
from cases.visits import came_back_q, over_visit_limit_q
from core.models import Office
from core.scoping import scope_to_user

from .models import DossierTally, ReportClosure

COLUMNS = [
    "received_total", "received_online", "received_direct_postal", "carried_over",
    "resolved_total", "resolved_early", "resolved_on_time", "resolved_late",
    "withdrawn", "in_progress_total", "in_progress_within", "in_progress_overdue", "refused_at_intake",
]
# Where the withdrawn dossiers were counted among the received: the official layout (reports.form06) takes them
# out of those columns, so that its identities hold without a column of its own for them (DOMAIN.md §6).
WITHDRAWN_SPLIT = ["withdrawn_online", "withdrawn_direct_postal", "withdrawn_carried_over"]


@dataclass(frozen=True)
class Period:
    start: datetime  # inclusive, aware
    end: datetime  # exclusive, aware (the next day's midnight)

    @classmethod
    def of(cls, first: date, last: date) -> "Period":
        """[first, last] as local midnights (last is below date.max: the forms bound the years)."""
        tz = timezone.get_current_timezone()
        return cls(datetime.combine(first, time.min, tz), datetime.combine(last + timedelta(days=1), time.min, tz))


def _tthc_counts(period: Period) -> dict:
    """The conditional counts of one row of form 06, each an SQL aggregate over the dossier table."""
    s, e = period.start, period.end
    received_in = Q(received_at__gte=s, received_at__lt=e)
    # In progress at a moment: received before it, neither resolved nor closed (returned, refused, withdrawn)
    # before it (what the tally's `open` kind counts, reports.tally).
    open_at_start = (Q(received_at__lt=s) & (Q(resolved_at__isnull=True) | Q(resolved_at__gte=s))
                     & (Q(closed_at__isnull=True) | Q(closed_at__gte=s)))
    resolved_in = Q(received_at__isnull=False, resolved_at__gte=s, resolved_at__lt=e)
    withdrawn_in = Q(received_at__isnull=False, status=Status.WITHDRAWN, closed_at__gte=s, closed_at__lt=e)
    in_progress = (Q(received_at__lt=e) & (Q(resolved_at__isnull=True) | Q(resolved_at__gte=e))
                   & (Q(closed_at__isnull=True) | Q(closed_at__gte=e)))
    online = Q(channel=Channel.ONLINE)
    late, early = deadlines.late_q(), deadlines.early_q()
    return {
        "received_online": Count("pk", filter=received_in & online),
        "received_direct_postal": Count("pk", filter=received_in & ~online),
        "carried_over": Count("pk", filter=open_at_start),
        "resolved_total": Count("pk", filter=resolved_in),
        "resolved_early": Count("pk", filter=resolved_in & early),
        "resolved_late": Count("pk", filter=resolved_in & late),
        "withdrawn": Count("pk", filter=withdrawn_in),
        "withdrawn_online": Count("pk", filter=withdrawn_in & received_in & online),
        "withdrawn_direct_postal": Count("pk", filter=withdrawn_in & received_in & ~online),
        "withdrawn_carried_over": Count("pk", filter=withdrawn_in & open_at_start),
        "in_progress_total": Count("pk", filter=in_progress),
        # As the history stood at the period's end (cases.ledger): the clock running then, past the legal due
        # moment in force then. A dossier waiting for the applicant's papers was within time (DOMAIN.md §2.3).
        "in_progress_overdue": Count("pk", filter=in_progress & deadlines.overdue_then_q(e)),
        "refused_at_intake": Count("pk", filter=Q(received_at__isnull=True, status=Status.REFUSED,
                                                  closed_at__gte=s, closed_at__lt=e)),
    }


def relevant_to(period: Period) -> Q:
    """The dossiers that can count in a cell of form 06 for `period`: received before its end (or refused at
    intake inside it), and not finished before its start. A dossier returned, refused or withdrawn before the
    period (`closed_at`), or resolved before it, counts in no column (every column of `_tthc_counts` needs it
    received, resolved, withdrawn or refused inside the period, or open at its start or end), so the report
    reads the open dossiers and those closed since the start (index `dossier_closed`), not the whole history."""
    s, e = period.start, period.end
    return ((Q(received_at__lt=e) | Q(closed_at__gte=s))
            & (Q(closed_at__isnull=True) | Q(closed_at__gte=s))
            & (Q(resolved_at__isnull=True) | Q(resolved_at__gte=s)))


def _complete(row: dict) -> dict:
    row["received_total"] = row["received_online"] + row["received_direct_postal"] + row["carried_over"]
    row["resolved_on_time"] = row["resolved_total"] - row["resolved_early"] - row["resolved_late"]
    row["in_progress_within"] = row["in_progress_total"] - row["in_progress_overdue"]
    return row


def report_tthc_raw(*, user, first: date, last: date, office: Office | None = None) -> dict:
    """Form 06 for [first, last] over the dossiers themselves: rows per office, field and procedure, with
    totals. One SQL query. What `report_tthc` (reports.summary, from the tally) must equal."""
    period = Period.of(first, last)
    qs = scope_to_user(Dossier.objects.all(), user)
    if office is not None:
        qs = qs.filter(Q(office=office) | Q(office__parent=office))
    qs = annotate_state_at(qs.filter(relevant_to(period)), period.end)
    rows = (qs.values("office__code", "office__name", "procedure__field", "procedure__code", "procedure__name")
            .annotate(**_tthc_counts(period))
            .order_by("office__code", "procedure__field", "procedure__code"))
    out, totals = [], dict.fromkeys(COLUMNS + WITHDRAWN_SPLIT, 0)
    for raw in rows:
        row = _complete({k: raw[k] for k in _tthc_counts(period)})
        if not any(row.values()):
            continue
        for key in totals:
            totals[key] += row[key]
        out.append({"office": raw["office__code"], "office_name": raw["office__name"], "field": raw["procedure__field"],
                    "procedure": raw["procedure__code"], "procedure_name": raw["procedure__name"],
                    **{key: row[key] for key in totals}})
    return {"from": first.isoformat(), "to": last.isoformat(), "office": office.code if office else None,
            "rows": out, "totals": totals}


def month_bounds(month: date) -> tuple[date, date]:
    """The first and last day of the month of `month`."""
    first = month.replace(day=1)
    return first, first.replace(day=pycalendar.monthrange(first.year, first.month)[1])


def report_closure(*, user, first: date, last: date, office: Office | None = None) -> ReportClosure | None:
    """The stored figures of a closed month, when [first, last] is exactly one month of one office (the caller's
    own office when none is named and the caller does not see every office)."""
    if office is None and not user.sees_all_offices:
        office = user.office
    if office is None or first.day != 1 or month_bounds(first)[1] != last:
        return None
    return ReportClosure.objects.filter(office=office, month=first).first()


def report_tthc_served(*, user, first: date, last: date, office: Office | None = None) -> dict:
    """Form 06 as the API and the page serve it: a closed month as stored, any other period computed now (as of
    its end). Says when and by whom the figures were closed (`closed_at`, `closed_by`; null when open)."""
    closure = report_closure(user=user, first=first, last=last, office=office)
    if closure is not None:
        return {**closure.figures, "closed_at": timezone.localtime(closure.closed_at).isoformat(),
                "closed_by": closure.closed_by_name}
    return {**report_tthc(user=user, first=first, last=last, office=office), "closed_at": None, "closed_by": None}


def _province_of(prefix=""):
    """SQL expression: the province office of a row's office (a grassroots office rolls up to its parent)."""
    return Case(When(**{f"{prefix}office__level": Office.Level.DISTRICT}, then=F(f"{prefix}office__parent_id")),
                default=F(f"{prefix}office_id"), output_field=IntegerField())


def oversight(*, user, first: date, last: date, raw: bool = False) -> list[dict]:
    """The Legal Department's view: per province, dossiers, lateness, apologies, feedback and repeat trips.
    A fixed handful of grouped queries, whatever the number of provinces; the period's flows from the tally
    (reports.tally), or with `raw` from the dossiers (oversight_raw: what the tally must equal)."""
    from feedback import deadlines as feedback_deadlines
    from feedback.models import FeedbackItem

    period = Period.of(first, last)
    s, e, now = period.start, period.end, timezone.now()
    moments = deadlines.Moments.at(now)
    provinces = {o.pk: o for o in Office.objects.current().filter(level=Office.Level.PROVINCE).order_by("code")}
    rows = {pk: {"office": o.code, "name": o.name, "received": 0, "resolved": 0, "resolved_late": 0,
                 "open_overdue": 0, "over_two_trips": 0, "came_back": 0, "apologies": 0, "apologies_late": 0, "feedback": 0,
                 "feedback_on_time": 0, "feedback_overdue": 0, "appointments_missed": 0, "late_to_accept": 0,
                 "feedback_forwarded": 0, "feedback_forwarded_on_time": 0, "feedback_forwarded_late": 0,
                 "closed_months": []} for pk, o in provinces.items()}
    for office_id, month in (ReportClosure.objects.filter(office_id__in=rows, month__gte=first.replace(day=1),
                                                          month__lte=last).order_by("month")
                             .values_list("office_id", "month")):
        rows[office_id]["closed_months"].append(f"{month:%m/%Y}")

    def merge(queryset, **counts):
        for r in queryset.annotate(province=_province_of()).values("province").annotate(**counts):
            if r["province"] in rows:
                rows[r["province"]].update({k: r[k] for k in counts})

    dossiers = scope_to_user(Dossier.objects.all(), user)
    received_in = Q(received_at__gte=s, received_at__lt=e)
    resolved_in = Q(received_at__isnull=False, resolved_at__gte=s, resolved_at__lt=e)
    if raw:  # over the rows the counts can see: received in the period, or resolved in it (`dossier_closed`)
        merge(dossiers.filter(received_in | (resolved_in & (Q(closed_at__gte=s) | Q(closed_at__isnull=True)))),
              received=Count("pk", filter=received_in),
              resolved=Count("pk", filter=resolved_in),
              resolved_late=Count("pk", filter=resolved_in & deadlines.late_q()),
              over_two_trips=Count("pk", filter=over_visit_limit_q() & received_in),
              came_back=Count("pk", filter=received_in & came_back_q()))
    else:
        from .tally import total as _sum, within

        flows = within(first, last)
        merge(scope_to_user(DossierTally.objects.filter(flows), user),
              received=_sum(("recv_online", "recv_other"), flows), resolved=_sum("resolved", flows),
              resolved_late=_sum("resolved_late", flows), over_two_trips=_sum("over_trips", flows),
              came_back=_sum("came_back", flows))
    merge(dossiers.filter(status__in=OPEN_STATUSES),
          open_overdue=Count("pk", filter=deadlines.overdue_q(now)),
          appointments_missed=Count("pk", filter=deadlines.appointment_missed_q(moments)),
          late_to_accept=Count("pk", filter=deadlines.late_to_accept_q(moments)))
    # Dossiers with a slip issued (late) in the period: what the list each cell links to holds.
    merge(dossiers.filter(filtering.apology_q("issued", first, last)),
          apologies=Count("pk"), apologies_late=Count("pk", filter=filtering.apology_q("late", first, last)))
    merge(scope_to_user(FeedbackItem.objects.filter(received_at__gte=s, received_at__lt=e), user),
          feedback=Count("pk"),
          feedback_on_time=Count("pk", filter=feedback_deadlines.answered_on_time_q()),
          feedback_overdue=Count("pk", filter=feedback_deadlines.late_or_overdue_q(now)),
          feedback_forwarded=Count("pk", filter=Q(forwarded_at__isnull=False)),
          feedback_forwarded_on_time=Count("pk", filter=feedback_deadlines.forwarded_on_time_q()),
          feedback_forwarded_late=Count("pk", filter=feedback_deadlines.forwarded_late_q()))
    visible = set(scope_to_user(Office.objects.all(), user, office_field="pk").values_list("pk", flat=True)) \
        if not user.sees_all_offices else set(rows)
    return [row for pk, row in rows.items() if pk in visible]


def oversight_raw(*, user, first: date, last: date) -> list[dict]:
    return oversight(user=user, first=first, last=last, raw=True)


def report_tthc(*, user, first: date, last: date, office: Office | None = None) -> dict:
    """Form 06 for [first, last], from the tally (reports.summary; equal to report_tthc_raw)."""
    from .summary import report_tthc as tallied

    return tallied(user=user, first=first, last=last, office=office)


def dashboard(*, user, today: date | None = None) -> dict:
    from .dashboard import dashboard as figures

    return figures(user=user, today=today)


def officers_return_trips(*, user, since: date) -> list[dict]:
    from .dashboard import officers_return_trips as ranked

    return ranked(user=user, since=since)


def repeat_applicants(*, user, since: date) -> list[dict]:
    from .dashboard import repeat_applicants as ranked

    return ranked(user=user, since=since)
