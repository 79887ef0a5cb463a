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


def make_import_batch(*, period, created_by: User, **overrides: Any):
    """An import batch whose file is only named, not written: for views that never read it."""
    from indicators.models import ImportBatch

    fields: dict[str, Any] = {
        "period": period,
        "created_by": created_by,
        "file": "imports/uji.csv",
        "original_name": "uji.csv",
        "file_format": ImportBatch.Format.CSV,
        "status": ImportBatch.Status.READY,
        "counts": {"rows": 1, "new": 1, "changed": 0, "unchanged": 0, "errors": 0},
        "rows": [{"sheet": "CSV", "row": 2, "unit": "53.71", "name": "Kota Kupang", "new": 1}],
    }
    fields.update(overrides)
    return ImportBatch.objects.create(**fields)
