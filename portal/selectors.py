"""Reads for the sync health page, scoped once through core.scoping (a director sees their province)."""
from datetime import timedelta

from django.db.models import Count, Max, Min, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from attachments.selectors import fetch_health
from core.scoping import visible_offices
from notifications.models import DUE_STATES, OutboxMessage

from .models import Disagreement, Kind, PortalLink, QuarantinedItem, SyncRun
from .outbox import SYNC_KIND


def synced_offices(user):
    """The offices the user may see that are synced with the portal (they have an agency code)."""
    return (visible_offices(user).filter(agency_code__isnull=False).exclude(agency_code="")
            .order_by("level", "code"))


def _grouped(queryset, **aggregates) -> dict:
    return {row.pop("office_id"): row for row in queryset.values("office_id").annotate(**aggregates)}


def sync_health(user, *, now=None) -> list[dict]:
    """Per office: last successful pull per kind, the last 24 h's stored / already stored / quarantined items,
    pending and failed pushes, and the last error in plain words. A constant number of queries."""
    now = now or timezone.now()
    since = now - timedelta(hours=24)
    last_error = SyncRun.objects.filter(office=OuterRef("pk"), ok=False).order_by("-started_at")
    last_run = SyncRun.objects.filter(office=OuterRef("pk"), finished_at__isnull=False).order_by("-started_at")
    failed_push = OutboxMessage.objects.filter(channel="portal", office=OuterRef("pk"),
                                               state__in=["failed", "dead"]).order_by("-id")
    offices = list(synced_offices(user).annotate(
        last_error=Subquery(last_error.values("error")[:1]),
        last_error_at=Subquery(last_error.values("started_at")[:1]),
        last_run_ok=Subquery(last_run.values("ok")[:1]),
        last_push_error=Subquery(failed_push.values("last_error")[:1]),
    ))
    ids = [o.pk for o in offices]
    runs = SyncRun.objects.filter(office_id__in=ids)
    pulls = {(r["office_id"], r["kind"]): r["last"] for r in
             runs.filter(ok=True).values("office_id", "kind").annotate(last=Max("finished_at"))}
    day = _grouped(runs.filter(started_at__gte=since), stored=Sum("stored"), already=Sum("already"))
    quarantine = _grouped(QuarantinedItem.objects.filter(office_id__in=ids), new=Count("pk", filter=Q(
        first_seen_at__gte=since)), pending=Count("pk", filter=Q(state=QuarantinedItem.State.PENDING)))
    backlog = push_backlog(ids)
    papers = fetch_health(office_ids=ids)  # the applicants' papers (TaiLieuNop) still to fetch, or failed
    disagreements = _grouped(Disagreement.objects.filter(office_id__in=ids, resolved_at__isnull=True), n=Count("pk"))
    outbox = _grouped(OutboxMessage.objects.filter(channel="portal", office_id__in=ids),
                      pending=Count("pk", filter=Q(state=OutboxMessage.State.PENDING)),
                      failed=Count("pk", filter=Q(state__in=[OutboxMessage.State.FAILED, OutboxMessage.State.DEAD])))
    return [{
        "office": o,
        "last_pull_dossier": pulls.get((o.pk, Kind.DOSSIER)),
        "last_pull_pakn": pulls.get((o.pk, Kind.PAKN)),
        "stored": (day.get(o.pk) or {}).get("stored") or 0,
        "already": (day.get(o.pk) or {}).get("already") or 0,
        "quarantined": (quarantine.get(o.pk) or {}).get("new", 0),
        "quarantine_pending": (quarantine.get(o.pk) or {}).get("pending", 0),
        "push_pending": (outbox.get(o.pk) or {}).get("pending", 0),
        "push_failed": (outbox.get(o.pk) or {}).get("failed", 0),
        "backlog": backlog.get(o.pk),
        "backlog_age": now - backlog[o.pk]["oldest_at"] if o.pk in backlog else None,
        "disagreements": (disagreements.get(o.pk) or {}).get("n", 0),
        "papers_pending": (papers.get(o.pk) or {}).get("pending", 0),
        "papers_failed": (papers.get(o.pk) or {}).get("failed", 0),
        "papers_oldest_pending": (papers.get(o.pk) or {}).get("oldest_pending"),
        "last_error": o.last_error or o.last_push_error or "",
        "last_error_at": o.last_error_at,
        "healthy": o.last_run_ok is not False,
    } for o in offices]


def quarantine_list(user, *, limit=200):
    items = (QuarantinedItem.objects.filter(office__in=visible_offices(user).values("pk"),
                                            state=QuarantinedItem.State.PENDING)
             .select_related("office").order_by("-first_seen_at", "-id"))
    return items[:limit], items.count()


def dossier_portal_state(dossier) -> dict:
    """The dossier page's portal panel: its link, pushes waiting and open disagreements (three queries)."""
    link = PortalLink.objects.filter(pk=dossier.pk).first()
    waiting = OutboxMessage.objects.filter(channel="portal", kind=SYNC_KIND, dossier_code=dossier.code,
                                           state__in=DUE_STATES)
    last_error = waiting.exclude(last_error="").order_by("-pk").values_list("last_error", flat=True).first()
    return {"link": link, "pending": waiting.count(), "last_error": last_error or "",
            "disagreements": list(Disagreement.objects.filter(dossier_id=dossier.pk, resolved_at__isnull=True))}


def push_backlog(office_ids) -> dict:
    """Per office: dossier changes not acknowledged by the portal, the age of the oldest, and that change
    (dossier code, what happened, when, its last error). Two queries."""
    unsent = OutboxMessage.objects.filter(channel="portal", kind=SYNC_KIND, office_id__in=office_ids,
                                          state__in=DUE_STATES)
    counts = {row["office_id"]: row for row in unsent.order_by().values("office_id").annotate(
        n=Count("pk"), dossiers=Count("dossier_code", distinct=True), oldest_at=Min("created_at"))}
    oldest = {}
    for row in (unsent.order_by("office_id", "pk").values("office_id", "dossier_code", "subject", "created_at",
                                                           "last_error", "attempts")
                .filter(pk__in=unsent.order_by().values("office_id").annotate(first=Min("pk")).values("first"))):
        oldest[row["office_id"]] = row
    return {office_id: {**row, "oldest": oldest.get(office_id)} for office_id, row in counts.items()}


def disagreement_list(user, *, limit=200):
    items = (Disagreement.objects.filter(office__in=visible_offices(user).values("pk"), resolved_at__isnull=True)
             .select_related("office", "dossier").order_by("-first_seen_at", "-id"))
    return items[:limit], items.count()
