"""A full policy brief: the city summary of Kota Kupang with every unit's values approved, the
scores computed by the scoring service, a year of rakor with follow-up actions for every
organisation and the demo recommendation library, rendered in-process (what the Celery
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

from common import database_ensure, django_ready

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
        seed_actions(city=city, year=YEAR)
    from indicators.scoring.recompute import scores_recompute

    # Idempotent: leaves the snapshots alone when nothing changed since the last run.
    scores_recompute(period_ids=[period.pk])
    return period, MethodologyEdition.objects.default()


def seed_actions(*, city: Any, year: int) -> None:
    """Four rakor of the year with three decisions each, and three follow-up actions per
    active organisation (done, running, overdue), as a busy year would have."""
    import datetime

    from django.utils import timezone

    from indicators.models import Variable
    from kotan.models import Stakeholder
    from meetings.models import Action, Attendance, Decision, Meeting

    variables = list(Variable.objects.order_by("order"))
    organisations = list(Stakeholder.objects.filter(city=city, active=True).order_by("code"))
    today = timezone.localdate()
    actions: list[Action] = []
    for quarter in range(4):
        starts = timezone.make_aware(datetime.datetime(year, 3 * quarter + 2, 15, 9))
        meeting = Meeting.objects.create(
            city=city,
            title=f"Rakor KOTAN triwulan {quarter + 1} {year}",
            starts_at=starts,
            status=Meeting.Status.FINAL,
            minutes="Rapat membahas tindak lanjut KOTAN.",
        )
        meeting.invited.set(organisations)
        Attendance.objects.bulk_create(
            Attendance(meeting=meeting, stakeholder=o, name=f"Perwakilan {o.short_name or o.name}")
            for o in organisations
        )
        for order in range(1, 4):
            decision = Decision.objects.create(
                meeting=meeting, order=order, text=f"Keputusan {order} rakor {quarter + 1}"
            )
            for n, owner in enumerate(organisations[quarter::4]):
                status = [Action.Status.DONE, Action.Status.IN_PROGRESS, Action.Status.NOT_STARTED][
                    (n + order) % 3
                ]
                actions.append(
                    Action(
                        city=city,
                        source=Action.Source.DECISION,
                        meeting=meeting,
                        decision=decision,
                        title=f"Tindak lanjut {order}.{n} untuk {owner.short_name or owner.name}",
                        category=Action.Category.PENGORGANISASIAN,
                        variable=variables[(n + order) % len(variables)],
                        owner=owner,
                        due_on=today + datetime.timedelta(days=30 * ((n % 3) - 1)),
                        status=status,
                        progress=100 if status == Action.Status.DONE else 40,
                    )
                )
    Action.objects.bulk_create(actions)


def main() -> None:
    url = _database_url()
    database_ensure(url)
    os.environ["DATABASE_URL"] = url
    django_ready()
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
    scores = content.context["scores"]
    actions = content.context["actions"]
    assert scores is not None and actions is not None, "the brief lacks scores or actions"
    approved = content.context["completeness"]["total"]["approved"]
    print(
        f"brief: city summary, {pages} pages, {recommendations} recommendations, "
        f"{approved} approved values, IKOTAN {scores['key']['scaled']} "
        f"({scores['key']['band_name']}), {len(scores['territory'])} territory rows, "
        f"{actions['totals']['total']} actions of {len(actions['by_stakeholder'])} organisations; "
        f"{RUNS} runs after one warm-up"
    )
    print(f"BENCH brief_render_s {statistics.median(totals):.3f}")
    print(f"BENCH brief_peak_mb {peak_mb:.1f}")
    print(f"BENCH brief_outside_weasyprint_share {statistics.median(shares):.3f}")


if __name__ == "__main__":
    main()
