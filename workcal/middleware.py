"""One calendar stamp check per web request and per Celery task (workcal.index: the scope).

CalendarScopeMiddleware opens a scope around the view: the first calendar call of the request asks which
working-day table is current and the rest of the request reuses that copy (a request that computes no
deadline asks nothing). A Celery task gets the same from the task_prerun / task_postrun signals (connected in
workcal.apps.WorkcalConfig.ready). A change of the calendar is seen by the next request or task.
"""
from __future__ import annotations

from . import index


class CalendarScopeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = index.open_scope()
        try:
            return self.get_response(request)
        finally:
            index.close_scope(token)


_task_tokens: dict = {}  # task id → the scope token of the task running in this worker


def task_started(task_id=None, **kwargs) -> None:
    _task_tokens[task_id] = index.open_scope()


def task_finished(task_id=None, **kwargs) -> None:
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        index.close_scope(token)
