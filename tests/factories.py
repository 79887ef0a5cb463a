"""Plain factory functions: `make_<thing>(**overrides)` returns a saved object."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from kotan.models import Region, Stakeholder, User
from kotan.services import DATA_DIR, regions_load_csv, stakeholders_load_csv

if TYPE_CHECKING:
    from indicators.models import AssessmentPeriod, Submission

_sequence = itertools.count(1)
PASSWORD = "kata-sandi-uji-123"


def load_kupang() -> Region:
    regions_load_csv(path=DATA_DIR / "wilayah_kota_kupang.csv")
    city = Region.objects.get(code="53.71")
    stakeholders_load_csv(path=DATA_DIR / "pemangku_kepentingan_kota_kupang.csv", city=city)
    return city


def make_region(**overrides: Any) -> Region:
    n = next(_sequence)
    fields: dict[str, Any] = {
        "code": f"99.{n:02d}",
        "name": f"Wilayah {n}",
        "level": Region.Level.PROVINSI,
    }
    fields.update(overrides)
    return Region.objects.create(**fields)


def make_city(*, name: str = "Kota Kediri", code: str = "35.71") -> Region:
    """A second kab/kota with one kecamatan, one kelurahan and one stakeholder."""
    province = Region.objects.get_or_create(
        code=code.split(".")[0], defaults={"name": "Provinsi Uji", "level": Region.Level.PROVINSI}
    )[0]
    city = Region.objects.create(code=code, name=name, level=Region.Level.KOTA, parent=province)
    city.city = city
    city.save(update_fields=["city"])
    kecamatan = make_region(
        code=f"{code}.01",
        name=f"Kecamatan {name}",
        level=Region.Level.KECAMATAN,
        parent=city,
        city=city,
    )
    make_region(
        code=f"{code}.01.1001",
        name=f"Kelurahan {name}",
        level=Region.Level.KELURAHAN,
        parent=kecamatan,
        city=city,
    )
    make_stakeholder(city=city, code="bnnk", name=f"BNN {name}", short_name="BNN Kota")
    return city


def make_stakeholder(**overrides: Any) -> Stakeholder:
    n = next(_sequence)
    fields: dict[str, Any] = {
        "code": f"org{n}",
        "name": f"Organisasi {n}",
        "short_name": f"Org {n}",
        "kind": Stakeholder.Kind.PERANGKAT_DAERAH,
    }
    fields.update(overrides)
    return Stakeholder.objects.create(**fields)


def make_user(**overrides: Any) -> User:
    n = next(_sequence)
    fields: dict[str, Any] = {
        "username": f"user{n}",
        "email": f"user{n}@example.test",
        "first_name": f"Pengguna{n}",
        "role": User.Role.OPERATOR,
    }
    password = overrides.pop("password", PASSWORD)
    fields.update(overrides)
    user = User(**fields)
    user.set_password(password)
    user.save()
    return user


# --- Scores (issue 4) ------------------------------------------------------------------


def load_framework() -> None:
    """The editions, variables and catalogue of DOMAIN.md §3–4."""
    from indicators.services.framework import framework_seed

    framework_seed()


def make_period(*, city: Region, year: int = 2025, **overrides: Any) -> AssessmentPeriod:
    from datetime import date

    from indicators.models import AssessmentPeriod

    fields: dict[str, Any] = {
        "city": city,
        "year": year,
        "opens_on": date(year, 10, 1),
        "closes_on": date(year, 11, 30),
    }
    fields.update(overrides)
    return AssessmentPeriod.objects.create(**fields)


def make_approved_submission(
    *,
    period: AssessmentPeriod,
    values: dict[str, Any],
    region: Region | None = None,
    stakeholder: Stakeholder | None = None,
    entered_by: User | None = None,
    approved_by: User | None = None,
    status: str = "approved",
) -> Submission:
    """A submission of one unit (the period's city unless `region`/`stakeholder` is given)
    holding `values` ({indicator code: value}), approved unless `status` says otherwise."""
    from decimal import Decimal

    from django.utils import timezone

    from indicators.models import Indicator, IndicatorValue, Submission

    if stakeholder is not None:
        level = "stakeholder"
    elif region is not None and region.level == Region.Level.KELURAHAN:
        level = "kelurahan"
    else:
        level = "kota"
        region = region or period.city
    now = timezone.now()
    submission = Submission.objects.create(
        period=period,
        level=level,
        region=region,
        stakeholder=stakeholder,
        status=status,
        submitted_at=now,
        submitted_by=entered_by,
        approved_at=now if status == "approved" else None,
        approved_by=approved_by if status == "approved" else None,
    )
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=values)}
    IndicatorValue.objects.bulk_create(
        IndicatorValue(
            submission=submission,
            indicator=indicators[code],
            value=None if value is None else Decimal(str(value)),
            entered_by=entered_by,
        )
        for code, value in values.items()
    )
    return submission
