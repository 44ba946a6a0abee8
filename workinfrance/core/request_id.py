"""One id per request, in every log line written while serving it and in the tasks it queues.

The id comes from the proxy in front (nginx's `$request_id`, sent as `X-Request-ID`) when it looks
like an id, else it is made here; the response carries it back, so a user's report, nginx's access
log and the service's JSON log lines can be matched. Celery tasks queued during the request carry
it in a message header and log under it too."""

import contextlib
import contextvars
import logging
import re
import time
import uuid

from celery.signals import before_task_publish, task_postrun, task_prerun

HEADER = "X-Request-ID"
TASK_HEADER = "wif_request_id"
# Letters, digits and a few separators only: the id is written into logs and a response header.
_ACCEPTED = re.compile(r"[A-Za-z0-9._:-]{8,128}")
_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("wif_request_id", default=None)
logger = logging.getLogger("workinfrance.request")


def current_request_id() -> str | None:
    return _current.get()


def _incoming_or_new(value: str | None) -> str:
    if value and _ACCEPTED.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """First middleware: sets the id for the whole request, writes one summary line at its end."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = _incoming_or_new(request.headers.get(HEADER))
        request.request_id = request_id
        token = _current.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            _current.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (None outside a request or a task that has one)."""

    def filter(self, record):
        record.request_id = _current.get()
        return True


@before_task_publish.connect
def _send_request_id(headers=None, **kwargs):
    request_id = _current.get()
    if request_id and headers is not None:
        headers[TASK_HEADER] = request_id


_task_tokens: dict[str, contextvars.Token] = {}


@task_prerun.connect
def _receive_request_id(task_id=None, task=None, **kwargs):
    request_id = getattr(task.request, TASK_HEADER, None) if task is not None else None
    if request_id and task_id:
        _task_tokens[task_id] = _current.set(request_id)


@task_postrun.connect
def _forget_request_id(task_id=None, **kwargs):
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        with contextlib.suppress(ValueError):  # set in another context (eager task inside a request)
            _current.reset(token)
