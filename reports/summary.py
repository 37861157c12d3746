"""Form 06 read from the dossier tally (reports.tally, issue 14): the same figures as the raw query
(reports.selectors.report_tthc_raw, held equal by tests/reports/test_tally.py), from a few thousand summary rows
for a whole month whatever the number of dossiers.

Three queries: the tally's columns; the withdrawn dossiers of the period (they are counted by where they were
counted before, two periods at once: partial index `dossier_withdrawn`); the dossiers in progress at the
period's end and overdue as the history stood then (cases.ledger: the dossiers not closed before the end,
partial index `dossier_unclosed`).
"""
from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, Q

from cases import deadlines
from cases.ledger import annotate_state_at
from cases.models import Channel, Dossier, Status
from core.models import Office
from core.scoping import scope_to_user

from . import tally
from .tally import total
from .models import DossierTally
from .selectors import COLUMNS, WITHDRAWN_SPLIT, Period, _complete

KEY = ("office__code", "office__name", "procedure__field", "procedure__code", "procedure__name")


def tally_rows(queryset, first: date, last: date):
    """The tally's columns of form 06 per office and procedure (one grouped query over summary rows)."""
    flows, start, end = tally.within(first, last), tally.before(first), tally.before(last + timedelta(days=1))
    return (queryset.filter((flows | start | end) & Q(kind__in=["recv_online", "recv_other", "open", "resolved",
                                                        "resolved_early", "resolved_late", "refused_intake"]))
            .values(*KEY)
            .annotate(received_online=total("recv_online", flows), received_direct_postal=total("recv_other", flows),
                      carried_over=total("open", start), resolved_total=total("resolved", flows),
                      resolved_early=total("resolved_early", flows), resolved_late=total("resolved_late", flows),
                      in_progress_total=total("open", end), refused_at_intake=total("refused_intake", flows))
            .order_by("office__code", "procedure__field", "procedure__code"))


def report_tthc(*, user, first: date, last: date, office: Office | None = None) -> dict:
    """Form 06 for [first, last] (see reports.selectors.report_tthc_raw): rows per office, field and procedure."""
    period = Period.of(first, last)
    s, e = period.start, period.end
    where = Q()
    if office is not None:
        where = Q(office=office) | Q(office__parent=office)
    counted = list(tally_rows(scope_to_user(DossierTally.objects.filter(where), user), first, last))
    dossiers = scope_to_user(Dossier.objects.filter(where), user)
    received_in = Q(received_at__gte=s, received_at__lt=e)
    online = Q(channel=Channel.ONLINE)
    withdrawn = {tuple(r[k] for k in KEY): r for r in (
        dossiers.filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=s), status=Status.WITHDRAWN,
                        received_at__isnull=False, closed_at__gte=s, closed_at__lt=e)
        .values(*KEY)
        .annotate(withdrawn=Count("*"), withdrawn_online=Count("pk", filter=received_in & online),
                  withdrawn_direct_postal=Count("pk", filter=received_in & ~online),
                  withdrawn_carried_over=Count("pk", filter=Q(received_at__lt=s) & (
                      Q(resolved_at__isnull=True) | Q(resolved_at__gte=s)))))}
    in_progress = dossiers.filter(Q(received_at__lt=e), Q(closed_at__isnull=True) | Q(closed_at__gte=e),
                                  Q(resolved_at__isnull=True) | Q(resolved_at__gte=e))
    overdue = {tuple(r[k] for k in KEY): r["n"] for r in (
        annotate_state_at(in_progress, e).filter(deadlines.overdue_then_q(e)).values(*KEY).annotate(n=Count("*")))}
    rows = {tuple(r[k] for k in KEY): r for r in counted}
    for key in [*withdrawn, *overdue]:
        rows.setdefault(key, dict(zip(KEY, key)))
    out, totals = [], dict.fromkeys(COLUMNS + WITHDRAWN_SPLIT, 0)
    for key in sorted(rows, key=lambda k: (k[0], k[2], k[3])) if len(rows) > len(counted) else rows:
        raw = rows[key]
        row = {"received_online": 0, "received_direct_postal": 0, "carried_over": 0, "resolved_total": 0,
               "resolved_early": 0, "resolved_late": 0, "in_progress_total": 0, "refused_at_intake": 0,
               **{k: raw[k] for k in raw if k not in KEY}, "in_progress_overdue": overdue.get(key, 0),
               "withdrawn": 0, "withdrawn_online": 0, "withdrawn_direct_postal": 0, "withdrawn_carried_over": 0}
        row.update({k: v for k, v in withdrawn.get(key, {}).items() if k not in KEY})
        row = _complete(row)
        if not any(row.values()):
            continue
        for k in totals:
            totals[k] += row[k]
        out.append({"office": key[0], "office_name": key[1], "field": key[2], "procedure": key[3],
                    "procedure_name": key[4], **{k: row[k] for k in totals}})
    return {"from": first.isoformat(), "to": last.isoformat(), "office": office.code if office else None,
            "rows": out, "totals": totals}
