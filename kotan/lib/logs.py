"""Logging for production: a request id on every line of a request, one JSON object per line
(LOG_FORMAT=json), and task failures logged with the id of the object they were working on.

kotan/settings.py wires these into LOGGING; kotan.middleware.RequestLogMiddleware sets the
request id.
"""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

request_id_var: ContextVar[str] = ContextVar("request_id", default="")

# Tasks log here; settings send its errors to ADMINS by email.
task_logger = logging.getLogger("kotan.tasks")

# Attributes every LogRecord has: anything else was passed with `extra=` and goes into JSON.
_RECORD_ATTRIBUTES = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys() | {"message", "asctime"}
)


def request_id_clear(**_: Any) -> None:
    """Django's request_finished signal: the request's lines are all written."""
    request_id_var.set("")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` (empty outside a request) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = request_id_var.get()
        return True


class NotServiceUnavailable(logging.Filter):
    """Keeps 503 answers out of the mail to ADMINS: while the database or Redis is down every
    request and healthcheck answers 503, which is the healthcheck's news, not a mail each."""

    def filter(self, record: logging.LogRecord) -> bool:
        return getattr(record, "status_code", None) != 503


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, the request id, every
    `extra=` field, and the traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _RECORD_ATTRIBUTES and key not in payload:
                payload[key] = value
        if not payload.get("request_id"):
            payload.pop("request_id", None)
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            payload["exception"] = record.exc_text
        return json.dumps(payload, ensure_ascii=False, default=str)


def task_failure_log(
    *,
    task: str,
    object_type: str,
    object_id: object,
    error: BaseException | str,
    final: bool = True,
) -> None:
    """Log a task's failure with the object it worked on (e.g. object_type="brief",
    object_id=12). `final=False` for a failure that will be retried (logged as a warning);
    a final one is an error, which is mailed to ADMINS."""
    level = logging.ERROR if final else logging.WARNING
    task_logger.log(
        level,
        "task %s failed for %s %s%s: %s",
        task,
        object_type,
        object_id,
        "" if final else " (will retry)",
        error,
        exc_info=error if isinstance(error, BaseException) else None,
        extra={"task": task, "object_type": object_type, "object_id": object_id, "final": final},
    )


def _object_of(
    task: Any, args: Sequence[object], kwargs: Mapping[str, object]
) -> tuple[str, object]:
    """The object a task worked on: its first `<thing>_id` argument (e.g. brief_id=12 gives
    ("brief", 12)), else its first argument."""
    try:
        names = list(inspect.signature(task.run).parameters)
    except (AttributeError, TypeError, ValueError):
        names = []
    named = {**dict(zip(names, args, strict=False)), **kwargs}
    for key, value in named.items():
        if key.endswith("_id"):
            return key.removesuffix("_id"), value
    return ("object", args[0]) if args else ("object", None)


def on_task_failure(
    sender: Any = None,
    task_id: str | None = None,
    exception: BaseException | None = None,
    args: Sequence[object] = (),
    kwargs: Mapping[str, object] | None = None,
    **_: Any,
) -> None:
    """Celery's task_failure signal (kotan.apps connects it): a task raised and will not be
    retried. Celery logs the traceback itself; this line names the object."""
    object_type, object_id = _object_of(sender, args or (), kwargs or {})
    task_logger.error(
        "task %s[%s] failed for %s %s: %r",
        getattr(sender, "name", sender),
        task_id,
        object_type,
        object_id,
        exception,
        extra={
            "task": getattr(sender, "name", str(sender)),
            "task_id": task_id,
            "object_type": object_type,
            "object_id": object_id,
            "final": True,
        },
    )
