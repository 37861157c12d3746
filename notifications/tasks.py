"""Delivery of the outbox (queue `messages`, CELERY_TASK_ROUTES). Channels with their own delivery task (the
national portal's pushes, queue `sync`) are swept by that task's own periodic job, never here."""
from celery import shared_task

from .delivery import DELIVERY_TASKS, deliver, deliver_in_app, due_ids


@shared_task(name="notifications.tasks.deliver_message", ignore_result=True)
def deliver_message(message_id: int):
    deliver(message_id)


@shared_task(name="notifications.tasks.deliver_pending", ignore_result=True)
def deliver_pending(limit: int = 500):
    """Periodic sweep: every officer alert still pending is marked delivered (one UPDATE); then every message
    of this queue's channels pending or failed whose next attempt is due, and sends whose worker died."""
    deliver_in_app()
    ids = due_ids(exclude=set(DELIVERY_TASKS), limit=limit)
    for message_id in ids:
        deliver(message_id)
    return len(ids)
