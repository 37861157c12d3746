import socket

from celery import shared_task
from django.db.models import F
from django.utils import timezone

from .models import WorkerHeartbeat


@shared_task(name="core.tasks.heartbeat", ignore_result=True)
def heartbeat(worker: str | None = None):
    """Record that a worker is alive (its host name and the time), one row per worker."""
    name = worker or socket.gethostname()
    updated = WorkerHeartbeat.objects.filter(worker=name).update(seen_at=timezone.now(), tasks_seen=F("tasks_seen") + 1)
    if not updated:
        WorkerHeartbeat.objects.get_or_create(worker=name, defaults={"seen_at": timezone.now(), "tasks_seen": 1})
    return name


@shared_task(name="core.tasks.prune_idempotency_keys", ignore_result=True)
def prune_idempotency_keys():
    """Forget idempotency keys older than IDEMPOTENCY_KEY_HOURS (core.idempotency)."""
    from .idempotency import prune

    return prune()
