"""Import a generated 10,000-row XLSX end to end: upload, check, confirm, import (both jobs
run in-process through their Celery tasks), into a generated city with 10,000 kelurahan,
nine kelurahan-level values per row (90,000 values and audit entries).

Prints `BENCH import_10k_rows_s`, the time from upload to the import's commit, and
`BENCH import_10k_rows_peak_mb`, the process's peak resident memory. Target: < 10 s, < 500 MB.
The generated city is deleted afterwards.
"""

from __future__ import annotations

import io
import os
import random
import resource
import sys
import time
from pathlib import Path
from typing import Any

from common import database_ensure, django_ready, generated_city_delete

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotan.settings")

ROWS = 10_000
CITY_CODE = "98.01"


def _setup() -> None:
    django_ready()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from indicators.services.framework import framework_seed

    framework_seed()


def _generated_city() -> tuple[Any, Any]:
    from kotan.models import Region, User

    _cleanup()
    province = Region.objects.get_or_create(
        code="98", defaults={"name": "Provinsi Tolok Ukur", "level": Region.Level.PROVINSI}
    )[0]
    city = Region.objects.create(
        code=CITY_CODE, name="Kota Tolok Ukur", level=Region.Level.KOTA, parent=province
    )
    city.city = city
    city.save(update_fields=["city"])
    kecamatan = Region.objects.bulk_create(
        Region(
            code=f"{CITY_CODE}.{k:03d}",
            name=f"Kecamatan {k}",
            level=Region.Level.KECAMATAN,
            parent=city,
            city=city,
        )
        for k in range(1, ROWS // 100 + 1)
    )
    Region.objects.bulk_create(
        (
            Region(
                code=f"{parent.code}.{n:04d}",
                name=f"Kelurahan {parent.code[-3:]}-{n}",
                level=Region.Level.KELURAHAN,
                parent=parent,
                city=city,
            )
            for parent in kecamatan
            for n in range(1, 101)
        ),
        batch_size=2000,
    )
    operator = User.objects.create(
        username="bench-operator", city=city, role=User.Role.OPERATOR, first_name="Bench"
    )
    return city, operator


def _workbook(city: Any) -> bytes:
    """The 10,000 kelurahan rows, written with openpyxl's streaming writer."""
    from openpyxl import Workbook

    from indicators.models import Indicator
    from kotan.models import Region

    indicators = list(Indicator.objects.active().filter(level=Indicator.Level.KELURAHAN))
    rng = random.Random(2026)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Kelurahan")
    sheet.append(["kode_unit", "nama_unit", *(i.code for i in indicators)])
    sheet.append(["# keterangan", "", *(i.name for i in indicators)])
    units = Region.objects.filter(city=city, level=Region.Level.KELURAHAN).order_by("code")
    for code, name in units.values_list("code", "name"):
        row: list[object] = [code, name]
        for indicator in indicators:
            if indicator.kind == Indicator.Kind.YES_NO:
                row.append(rng.randint(0, 1))
            elif indicator.kind == Indicator.Kind.COUNT:
                row.append(rng.randint(0, int(indicator.value_max) * 2))
            else:
                row.append(round(rng.uniform(0, 100), 1))
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _cleanup() -> None:
    from indicators.models import ImportBatch
    from kotan.models import Region

    city = Region.objects.filter(code=CITY_CODE).first()
    if city is None:
        return
    for batch in ImportBatch.objects.filter(period__city=city):
        batch.file.delete(save=False)
    ImportBatch.objects.filter(period__city=city).delete()
    generated_city_delete(city)


def main() -> None:
    if os.environ.get("BENCH_PROFILE"):
        import cProfile

        cProfile.runctx("_main()", globals(), {}, os.environ["BENCH_PROFILE"])
        return
    _main()


def _main() -> None:
    database_ensure(os.environ.get("DATABASE_URL", ""))
    _setup()
    import datetime

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction

    from indicators import importing
    from indicators.models import AssessmentPeriod, ImportBatch, IndicatorValue
    from kotan.celery import app as celery_app

    # Both jobs run in this process, through their tasks, when their transaction commits.
    celery_app.conf.task_always_eager = True
    city, operator = _generated_city()
    period = AssessmentPeriod.objects.create(
        city=city,
        year=2026,
        opens_on=datetime.date(2026, 11, 1),
        closes_on=datetime.date(2026, 11, 30),
    )
    content = _workbook(city)
    print(f"file: {len(content) / 1e6:.1f} MB, {ROWS} rows", flush=True)

    started = time.perf_counter()
    batch = importing.import_batch_create(
        period=period,
        actor=operator,
        upload=SimpleUploadedFile("tolok-ukur.xlsx", content),
        file_format=ImportBatch.Format.XLSX,
    )
    checked_at = time.perf_counter()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.READY, batch.errors[:5]
    with transaction.atomic():
        importing.import_batch_confirm(batch=batch, actor=operator)
    finished = time.perf_counter()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE, batch.failure
    stored = IndicatorValue.objects.filter(submission__period=period).count()
    assert stored == batch.counts["new"], (stored, batch.counts)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"values stored: {stored}")
    print(f"BENCH import_10k_rows_check_s {checked_at - started:.2f}")
    print(f"BENCH import_10k_rows_save_s {finished - checked_at:.2f}")
    print(f"BENCH import_10k_rows_s {finished - started:.2f}")
    print(f"BENCH import_10k_rows_peak_mb {peak_mb:.0f}")
    _cleanup()


if __name__ == "__main__":
    main()
