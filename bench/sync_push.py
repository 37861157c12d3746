"""Set-up of the push part of bench_sync: every pulled dossier accepted during an outage, set-based (the rows a
real `accept` writes: the dossier's status and dates, its event, and its outbox row through portal.outbox's bulk
queueing, the path of the calendar recompute), and a set of dossiers not on the portal yet."""
from django.db import transaction
from django.utils import timezone

PAGE = 5000


def backlog(office) -> int:
    from cases.models import Dossier, DossierEvent, Status
    from core.db import insert_rows
    from portal.outbox import queue_dossier_changes

    now, queued = timezone.now(), 0
    ids = list(Dossier.objects.filter(office=office, status=Status.SUBMITTED).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), PAGE):
        page = ids[start:start + PAGE]
        with transaction.atomic():
            Dossier.objects.filter(pk__in=page).update(status=Status.RECEIVED, received_at=now, clock_started_at=now,
                                                       legal_due_at=now + timezone.timedelta(days=5),
                                                       appointment_at=now + timezone.timedelta(days=5))
            dossiers = list(Dossier.objects.filter(pk__in=page).select_related("office", "procedure").order_by("pk"))
            rows = [{"dossier_id": d.pk, "at": now, "actor_id": None, "actor_name": "bench", "action": "accept",
                     "from_status": Status.SUBMITTED, "to_status": Status.RECEIVED, "note": "Tiếp nhận",
                     "data": {}, "legal_due_at": d.legal_due_at} for d in dossiers]
            event_ids = insert_rows(DossierEvent, rows, now)
            queue_dossier_changes([(d, DossierEvent(id=i, dossier_id=d.pk, at=now, actor_name="bench",
                                                    action="accept", from_status=Status.SUBMITTED,
                                                    to_status=Status.RECEIVED, note="Tiếp nhận"))
                                   for d, i in zip(dossiers, event_ids)])
        queued += len(page)
    return queued


def make_new(office, count: int):
    """`count` dossiers the portal has not heard of (as desk dossiers are: the sandbox of this phase is a fresh
    one, its TraCuuHoSo finds nothing), each with one change to push."""
    from cases.models import Dossier, DossierEvent, Status
    from portal.models import PortalLink
    from portal.outbox import queue_dossier_changes

    now = timezone.now()
    dossiers = list(Dossier.objects.filter(office=office, status=Status.RECEIVED).select_related("office", "procedure")
                    .order_by("-pk")[:count])
    with transaction.atomic():
        PortalLink.objects.filter(pk__in=[d.pk for d in dossiers]).update(on_portal=False)
        queue_dossier_changes([(d, DossierEvent(id=None, dossier_id=d.pk, at=now, actor_name="bench",
                                                action="start", from_status=Status.RECEIVED,
                                                to_status=Status.PROCESSING, note="Chuyển xử lý"))
                               for d in dossiers])
