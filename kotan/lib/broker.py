"""Queueing a Celery task without ever failing or stalling the caller when the broker is down.

Callers keep their own durable record of the work (a pending row) and a periodic sweep picks
up whatever could not be queued, so "not queued" is a normal outcome, reported as False.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task

logger = logging.getLogger(__name__)


def enqueue(task: Task, *args: Any) -> bool:
    """Send `task(*args)` to the broker over a fresh connection without publish retries;
    False when the broker is unreachable."""
    try:
        with task.app.connection_for_write(transport_options={"max_retries": 0}) as conn:
            task.apply_async(args=args, producer=conn.Producer(), retry=False)
    except Exception:  # kombu, redis and sockets raise unrelated types for "unreachable"
        logger.warning("broker unreachable: %s%r left for the sweep", task.name, args)
        return False
    return True
