"""Demo alerts (seed_demo, after cases.demo and portal.demo): one deadline scan now, so the demo dossiers carry
their stage marks and the officers' bells their alerts, as a running beat would have left them. The replayed
history also raised six weeks of "assigned" alerts; those older than READ_AFTER are marked read, as the officers
would have read them. Idempotent: the scan's keys insert nothing twice."""
from datetime import timedelta

from django.utils import timezone

from notifications.models import Channel, OutboxMessage

from .services.scan import scan_overdue

READ_AFTER = timedelta(days=2)


def seed(stdout=None):
    result = scan_overdue(run_key="demo")
    old = OutboxMessage.objects.filter(channel=Channel.OFFICER, read_at__isnull=True,
                                       created_at__lt=timezone.now() - READ_AFTER)
    read = old.update(read_at=timezone.now())
    if stdout:
        unread = OutboxMessage.objects.filter(channel=Channel.OFFICER, read_at__isnull=True).count()
        stdout.write(f"  demo alerts: scan {result.as_dict()}; {read} older alerts marked read, {unread} unread")
