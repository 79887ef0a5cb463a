"""The import's jobs run in a real Celery worker process (see conftest.py), against the test
database, with Redis as broker and as the progress cache."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicators.models import ImportBatch, IndicatorValue
from kotan.models import AuditEntry, Region
from tests.conftest import login
from tests.factories import make_period, seed_framework
from tests.indicators.spreadsheets import xlsx_bytes

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _wait_for(batch, *statuses, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        batch.refresh_from_db()
        if batch.status in statuses:
            return batch
        time.sleep(0.2)
    raise AssertionError(f"batch stayed {batch.status}")


def test_the_worker_checks_then_imports_an_uploaded_file(
    celery_worker_process, client, kupang, operator
):
    seed_framework()
    period = make_period(city=kupang)
    rows: list[list[object]] = [["kode_unit", "KK1", "KW3"]]
    rows += [[code, 50, 1] for code in Region.objects.kelurahan().values_list("code", flat=True)]
    login(client, operator)
    response = client.post(
        reverse("indicators:import-upload", args=[period.pk]),
        {"file": SimpleUploadedFile("isian.xlsx", xlsx_bytes({"Kelurahan": rows}))},
    )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302

    batch = _wait_for(batch, ImportBatch.Status.READY, ImportBatch.Status.INVALID)
    assert batch.status == ImportBatch.Status.READY, batch.errors
    assert not IndicatorValue.objects.exists()

    client.post(reverse("indicators:import-confirm", args=[batch.pk]))
    batch = _wait_for(batch, ImportBatch.Status.DONE, ImportBatch.Status.FAILED)

    assert batch.status == ImportBatch.Status.DONE, batch.failure
    assert IndicatorValue.objects.count() == batch.counts["new"] == 2 * (len(rows) - 1)
    # One audit entry per imported unit, listing each of its values.
    entries = AuditEntry.objects.filter(action="value.import", actor=operator)
    assert entries.count() == len(rows) - 1
    assert sum(len(entry.changes) for entry in entries) == batch.counts["new"]
    progress = client.get(
        reverse("indicators:import-progress", args=[batch.pk]), headers={"HX-Request": "true"}
    )
    assert progress.headers["HX-Refresh"] == "true"
