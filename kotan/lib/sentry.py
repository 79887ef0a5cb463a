"""Optional error tracking through Sentry (SENTRY_DSN). Imported by the settings only when a
DSN is set, so a deployment without one never loads sentry-sdk."""

from __future__ import annotations

import sentry_sdk


def sentry_init(*, dsn: str, environment: str) -> None:
    # The Django and Celery integrations switch themselves on. No personal data: officers'
    # names and addresses stay out of the reports.
    sentry_sdk.init(dsn=dsn, environment=environment, send_default_pii=False)
