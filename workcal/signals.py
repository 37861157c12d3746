"""Signals the calendar sends. Other apps listen; workcal only sends.

calendar_changed(sender, dates=[date, ...])
    Sent after a CalendarOverride was saved or deleted (or a rebuild found that the `holidays` package
    moved a day) and the working-day table was rebuilt. `dates` are the days whose working status changed,
    sorted. `sender` is CalendarOverride (an administrator's change, or manage.py workcal_rebuild) or
    CalendarStamp (`migrate` rebuilt the table because a newer `holidays` package moved a day). Nothing is sent
    when no day changed status. Sent synchronously inside the transaction that made the change, so a
    receiver's writes commit or roll back with it; a receiver with heavy work defers it with
    `transaction.on_commit` (cases queues the Celery task cases.tasks.recompute_deadlines that way).
"""
from django.dispatch import Signal

calendar_changed = Signal()
