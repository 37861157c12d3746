"""Demo alerts (seed_demo, after cases.demo and portal.demo): one deadline scan now, so the demo dossiers carry
their stage marks and the officers' bells their alerts, as a running beat would have left them. The replayed
history also raised six weeks of "assigned" alerts; those older than READ_AFTER are marked read, as the officers
would have read them. Idempotent: the scan's keys insert nothing twice."""
from datetime import timedelta

from django.utils import timezone

from notifications import kinds
from notifications.models import Channel, OutboxMessage

from .models import Dossier
from .services.scan import scan_overdue

READ_AFTER = timedelta(days=2)


def seed(stdout=None):
    result = scan_overdue(run_key="demo")
    # The replay wrote its "assigned" alerts today; an officer has read those of dossiers older than READ_AFTER.
    older = Dossier.objects.filter(received_at__lt=timezone.now() - READ_AFTER).values("code")
    old = OutboxMessage.objects.filter(channel=Channel.OFFICER, read_at__isnull=True, kind=kinds.ASSIGNED,
                                       dossier_code__in=older)
    read = old.update(read_at=timezone.now())
    if stdout:
        unread = OutboxMessage.objects.filter(channel=Channel.OFFICER, read_at__isnull=True).count()
        stdout.write(f"  demo alerts: scan {result.as_dict()}; {read} older alerts marked read, {unread} unread")
