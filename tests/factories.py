"""Plain factory functions: `make_<thing>(**overrides)` returns a saved object."""

from __future__ import annotations

import itertools
from typing import Any

from kotan.models import Region, Stakeholder, User
from kotan.services import DATA_DIR, regions_load_csv, stakeholders_load_csv

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


def seed_framework() -> None:
    from indicators.services.framework import framework_seed

    framework_seed()


def make_period(*, city: Region, year: int = 2026, **overrides: Any):
    import datetime

    from indicators.models import AssessmentPeriod

    fields: dict[str, Any] = {
        "city": city,
        "year": year,
        "opens_on": datetime.date(year, 11, 1),
        "closes_on": datetime.date(year, 11, 30),
    }
    fields.update(overrides)
    return AssessmentPeriod.objects.create(**fields)


# --- reports: briefs and recommendations (issue 6) ------------------------------------------


def make_recommendation(*, city: Region, variable_code: str = "HK", **overrides: Any):
    """A recommendation for the lowest band of the default edition, addressed to `addressees`
    (default: the city's Kesbangpol)."""
    from indicators.models import CategoryBand, MethodologyEdition, Variable
    from reports.models import Recommendation

    bands = overrides.pop("bands", None)
    addressees = overrides.pop("addressees", None)
    fields: dict[str, Any] = {
        "city": city,
        "variable": Variable.objects.get(code=variable_code),
        "title": f"Rekomendasi {next(_sequence)}",
    }
    fields.update(overrides)
    recommendation = Recommendation.objects.create(**fields)
    if bands is None:
        edition = MethodologyEdition.objects.default()
        bands = list(CategoryBand.objects.filter(edition=edition, order=1))
    recommendation.bands.set(bands)
    if addressees is None:
        addressees = list(Stakeholder.objects.filter(city=city, code="kesbangpol"))
    recommendation.addressees.set(addressees)
    return recommendation


def make_brief(*, period, **overrides: Any):
    """A brief record; `status="done"` also stores a small placeholder file (for access and
    download tests; tests of the real PDF render it through the services)."""
    import hashlib

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from indicators.models import MethodologyEdition
    from reports.models import Brief

    content = overrides.pop("content", b"%PDF-1.7\n% placeholder\n")
    fields: dict[str, Any] = {
        "city": period.city,
        "period": period,
        "kind": Brief.Kind.CITY_SUMMARY,
        "edition": MethodologyEdition.objects.default(),
        "requested_at": timezone.now(),
    }
    fields.update(overrides)
    brief = Brief(**fields)
    if brief.status == Brief.Status.DONE:
        brief.sha256 = hashlib.sha256(content).hexdigest()
        brief.size = len(content)
        brief.pages = 1
        brief.finished_at = timezone.now()
        brief.file.save(f"test-{next(_sequence)}.pdf", ContentFile(content), save=False)
    brief.save()
    return brief


def make_values(
    *, period, level: str, values: dict[str, Any], region=None, stakeholder=None, status="approved"
):
    """A submission in `status` holding values (indicator code → value) for one unit, written
    directly (the workflow rules are tested in tests/indicators)."""
    from decimal import Decimal

    from indicators.models import Indicator, IndicatorValue, Submission

    submission = Submission.objects.create(
        period=period, level=level, region=region, stakeholder=stakeholder, status=status
    )
    IndicatorValue.objects.bulk_create(
        IndicatorValue(
            submission=submission,
            indicator=Indicator.objects.get(code=code),
            value=Decimal(str(value)),
        )
        for code, value in values.items()
    )
    return submission
