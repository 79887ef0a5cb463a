"""Demo scores for a local trial: two assessed years of plausible, approved data.

Kota Kupang was reported "kurang tanggap" (BNNP NTT, 2024), the main cause named being that
there is no Perda on fasilitasi P4GN: the demo keeps HK1 = 0 in both years, and 2025 shows
modest progress elsewhere (a RAD adopted, more trained cadres) without leaving the band.
"""

from __future__ import annotations

import random
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from indicators.models import AssessmentPeriod, Indicator, IndicatorValue, Submission
from indicators.scoring.recompute import RecomputeResult, scores_recompute
from indicators.services.framework import responsibilities_assign
from kotan.models import Region, Stakeholder, User

# City-level values per year (indicator code → value).
_CITY_VALUES: dict[int, dict[str, str]] = {
    2024: {
        "KK2": "2.35", "KM4": "2.20", "KM5": "18", "KW1": "22", "KW2": "1", "KW4": "12",
        "KW5": "3", "KL1": "1", "KL3": "0", "HK1": "0", "HK2": "0", "HK4": "35", "HK5": "1",
    },
    2025: {
        "KK2": "2.55", "KM4": "2.40", "KM5": "26", "KW1": "31", "KW2": "1", "KW4": "20",
        "KW5": "4", "KL1": "1", "KL3": "0", "HK1": "0", "HK2": "1", "HK4": "40", "HK5": "2",
    },
}  # fmt: skip
# Kelurahan-level indicators: (kind, 2024 parameter, 2025 parameter). "p" is the chance of a
# yes; "range" the bounds of a whole or decimal value.
_KELURAHAN_VALUES: dict[str, tuple[str, tuple[float, float], tuple[float, float]]] = {
    "KK1": ("range", (5, 45), (8, 50)),
    "KK3": ("p", (0.25, 0), (0.3, 0)),
    "KK4": ("range", (0, 3), (0, 3)),
    "KM1": ("range", (0, 6), (0, 7)),
    "KM2": ("range", (0, 2), (0, 2)),
    "KM3": ("p", (0.06, 0), (0.08, 0)),
    "KW3": ("p", (0.35, 0), (0.4, 0)),
    "KL2": ("p", (0.2, 0), (0.25, 0)),
    "HK3": ("p", (0.15, 0), (0.18, 0)),
}
_STAKEHOLDER_VALUES: dict[str, tuple[str, tuple[float, float], tuple[float, float]]] = {
    "KL4": ("p", (0.25, 0), (0.3, 0)),
    "KL5": ("p", (0.45, 0), (0.5, 0)),
    "KL6": ("range", (0, 30), (0, 35)),
    "KL7": ("range", (0, 1), (0, 1)),
}
YEARS = (2024, 2025)


def _draw(rng: random.Random, kind: str, param: tuple[float, float], percent: bool) -> Decimal:
    if kind == "p":
        return Decimal(int(rng.random() < param[0]))
    if percent:
        return Decimal(str(round(rng.uniform(*param), 1)))
    return Decimal(rng.randint(int(param[0]), int(param[1])))


def _demo_user(city: Region, role: str) -> User | None:
    """Who entered and approved the demo data: the city's first user of that role, if any."""
    return User.objects.filter(city=city, role=role, is_active=True).order_by("pk").first()


def _submission(
    *,
    period: AssessmentPeriod,
    level: str,
    values: dict[str, Decimal],
    indicators: dict[str, Indicator],
    region: Region | None = None,
    stakeholder: Stakeholder | None = None,
    operator: User | None,
    verifier: User | None,
) -> bool:
    """Create one approved submission with its values unless the unit already has one."""
    existing = Submission.objects.filter(period=period)
    existing = (
        existing.filter(stakeholder=stakeholder)
        if stakeholder
        else existing.filter(level=level, region=region)
    )
    if existing.exists():
        return False
    approved_at = timezone.make_aware(datetime(period.year, 11, 28, 10, 0))
    submission = Submission.objects.create(
        period=period,
        level=level,
        region=region,
        stakeholder=stakeholder,
        status=Submission.Status.APPROVED,
        submitted_at=approved_at,
        submitted_by=operator,
        approved_at=approved_at,
        approved_by=verifier,
    )
    IndicatorValue.objects.bulk_create(
        IndicatorValue(
            submission=submission, indicator=indicators[code], value=value, entered_by=operator
        )
        for code, value in values.items()
        if code in indicators
    )
    return True


@transaction.atomic
def demo_scores_seed(*, city: Region) -> tuple[list[AssessmentPeriod], RecomputeResult]:
    """Create the 2024 (closed) and 2025 (open) periods of `city` with approved demo values
    where they do not exist yet, then compute their snapshots. Safe to run again."""
    responsibilities_assign(city=city)
    indicators = {i.code: i for i in Indicator.objects.active()}
    operator, verifier = (
        _demo_user(city, User.Role.OPERATOR),
        _demo_user(city, User.Role.VERIFIKATOR),
    )
    kelurahan = list(Region.objects.filter(city=city, level=Region.Level.KELURAHAN))
    agencies = list(
        Stakeholder.objects.filter(city=city, active=True, indicators__code="KL5").distinct()
    )
    periods = []
    for year in YEARS:
        period, _created = AssessmentPeriod.objects.get_or_create(
            city=city,
            year=year,
            defaults={
                "opens_on": date(year, 10, 1),
                "closes_on": date(year, 11, 30),
                "status": (
                    AssessmentPeriod.Status.OPEN
                    if year == YEARS[-1]
                    else AssessmentPeriod.Status.CLOSED
                ),
            },
        )
        periods.append(period)
        city_values = {code: Decimal(v) for code, v in _CITY_VALUES[year].items()}
        _submission(
            period=period, level="kota", region=city, values=city_values,
            indicators=indicators, operator=operator, verifier=verifier,
        )  # fmt: skip
        first_year = year == YEARS[0]
        for region in kelurahan:
            rng = random.Random(f"{region.code}-{year}")
            values = {
                code: _draw(
                    rng, kind, low if first_year else high, indicators[code].kind == "percent"
                )
                for code, (kind, low, high) in _KELURAHAN_VALUES.items()
                if code in indicators
            }
            _submission(
                period=period, level="kelurahan", region=region, values=values,
                indicators=indicators, operator=operator, verifier=verifier,
            )  # fmt: skip
        for stakeholder in agencies:
            rng = random.Random(f"{city.code}-{stakeholder.code}-{year}")
            if rng.random() < 0.2:
                continue  # some agencies never report: completeness shows it
            values = {
                code: _draw(
                    rng, kind, low if first_year else high, indicators[code].kind == "percent"
                )
                for code, (kind, low, high) in _STAKEHOLDER_VALUES.items()
                if code in indicators
            }
            _submission(
                period=period, level="stakeholder", stakeholder=stakeholder, values=values,
                indicators=indicators, operator=operator, verifier=verifier,
            )  # fmt: skip
    return periods, scores_recompute(period_ids=[p.pk for p in periods])
