"""The fullest policy brief buildable today: the city summary of Kota Kupang with every unit's
values approved and the demo recommendation library, rendered in-process (what the Celery
worker does, minus storing the file).

Uses its own database, DATABASE_URL's name + "_brief" (e.g. kotan_bench_brief), created and
migrated when missing, so it never collides with the other benchmarks.

Prints
  BENCH brief_render_s <median seconds: gather data + build HTML + WeasyPrint PDF>
  BENCH brief_peak_mb <peak resident memory of this process, MB>
  BENCH brief_outside_weasyprint_share <(gather + HTML) ÷ total, median runs>
Targets (issue 6): median ≤ 3 s, share ≤ 0.2.
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotan.settings")
RUNS = 7
YEAR = 2026


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kotan_bench")
    name = urlparse(url).path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"Refusing to use database {name!r}: its name must contain 'bench'.")
    return url.rsplit("/", 1)[0] + f"/{name}_brief"


def ensure_database(url: str) -> None:
    import psycopg

    name = urlparse(url).path.lstrip("/")
    admin = url.replace("postgres://", "postgresql://", 1).rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def seed() -> tuple[Any, Any]:
    """Kota Kupang, the framework, the demo recommendations and a period in which every unit
    (the city, 51 kelurahan, every responsible organisation) has approved values."""
    from decimal import Decimal

    from django.core.management import call_command

    from indicators.models import (
        AssessmentPeriod,
        Indicator,
        IndicatorValue,
        MethodologyEdition,
        Submission,
    )
    from kotan.models import Region, Stakeholder

    call_command("migrate", verbosity=0)
    call_command("load_city", verbosity=0)
    call_command("seed_framework", verbosity=0)
    call_command("seed_demo_recommendations", verbosity=0)
    city = Region.objects.get(code="53.71")
    period, created = AssessmentPeriod.objects.get_or_create(
        city=city,
        year=YEAR,
        defaults={"opens_on": date(YEAR, 11, 1), "closes_on": date(YEAR, 11, 30)},
    )
    if created:
        indicators = list(Indicator.objects.active().prefetch_related("responsible"))
        values: list[IndicatorValue] = []

        def unit(
            level: str, *, region: Any = None, stakeholder: Any = None, chosen: list[Any]
        ) -> None:
            submission = Submission.objects.create(
                period=period,
                level=level,
                region=region,
                stakeholder=stakeholder,
                status=Submission.Status.APPROVED,
            )
            for n, indicator in enumerate(chosen):
                share = Decimal((n * 37) % 100) / 100
                raw = indicator.worst + (indicator.best - indicator.worst) * share
                if indicator.kind == Indicator.Kind.YES_NO:
                    raw = Decimal(round(raw))
                values.append(IndicatorValue(submission=submission, indicator=indicator, value=raw))

        unit("kota", region=city, chosen=[i for i in indicators if i.level == "kota"])
        for kelurahan in Region.objects.filter(city=city, level=Region.Level.KELURAHAN):
            unit(
                "kelurahan",
                region=kelurahan,
                chosen=[i for i in indicators if i.level == "kelurahan"],
            )
        for stakeholder in Stakeholder.objects.filter(city=city, active=True):
            chosen = [
                i
                for i in indicators
                if i.level == "stakeholder" and stakeholder in i.responsible.all()
            ]
            if chosen:
                unit("stakeholder", stakeholder=stakeholder, chosen=chosen)
        IndicatorValue.objects.bulk_create(values)
    return period, MethodologyEdition.objects.default()


def main() -> None:
    url = _database_url()
    ensure_database(url)
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    from django.template.loader import render_to_string

    from reports.briefs import brief_content
    from reports.models import Brief
    from reports.services.pdf import render_pdf_document

    period, edition = seed()
    totals, shares, pages = [], [], 0
    for run in range(RUNS + 1):  # the first run warms fonts and template caches
        start = time.perf_counter()
        content = brief_content(kind=Brief.Kind.CITY_SUMMARY, period=period, edition=edition)
        html = render_to_string(content.template, content.context)
        built = time.perf_counter()
        pdf = render_pdf_document(html)
        end = time.perf_counter()
        if run:
            totals.append(end - start)
            shares.append((built - start) / (end - start))
        pages = pdf.pages
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    recommendations = len(content.context["recommendations"]["items"])
    approved = content.context["completeness"]["total"]["approved"]
    print(
        f"brief: city summary, {pages} pages, {recommendations} recommendations, "
        f"{approved} approved values; {RUNS} runs after one warm-up"
    )
    print(f"BENCH brief_render_s {statistics.median(totals):.3f}")
    print(f"BENCH brief_peak_mb {peak_mb:.1f}")
    print(f"BENCH brief_outside_weasyprint_share {statistics.median(shares):.3f}")


if __name__ == "__main__":
    main()
