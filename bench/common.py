"""What several benchmarks share: their database, a warm Django process, and deleting the
city a benchmark generated. Imported as `common` (a script's own folder is on sys.path)."""

from __future__ import annotations

from typing import Any


def database_ensure(url: str) -> None:
    """Create the PostgreSQL database `url` names when it does not exist yet (nothing to do
    for SQLite)."""
    if not url.startswith("postgres"):
        return
    import psycopg

    base, name = url.replace("postgres://", "postgresql://", 1).rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def django_ready() -> None:
    """django.setup(), then the URLconf loaded as a running worker process has it (it loads
    it when it starts, kotan.celery), so that no figure includes importing every view."""
    import django

    django.setup()
    from kotan.celery import urls_load

    urls_load()


def generated_city_delete(city: Any) -> None:
    """The rows a benchmark's generated city leaves once its own objects (imports, surveys)
    are gone: audit entries, values, submissions, periods, users and regions."""
    from indicators.models import AssessmentPeriod, IndicatorValue, Submission
    from kotan.models import AuditEntry, Region, User

    AuditEntry.objects.filter(city=city).delete()
    IndicatorValue.objects.filter(submission__period__city=city).delete()
    Submission.objects.filter(period__city=city).delete()
    AssessmentPeriod.objects.filter(city=city).delete()
    User.objects.filter(city=city).delete()
    Region.objects.filter(city=city, level=Region.Level.KELURAHAN).delete()
    Region.objects.filter(city=city).exclude(pk=city.pk).delete()
    Region.objects.filter(pk=city.pk).update(city=None)
    Region.objects.filter(pk=city.pk).delete()
