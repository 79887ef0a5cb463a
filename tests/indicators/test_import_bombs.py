"""Hostile uploads (issue 10): a 339 KB XLSX that expands to 100 MB of shared strings and a
1,000,000-row XLSX are refused within 2 s and under 200 MB, with an Indonesian message, both
at upload and by the check job."""

import subprocess
import sys
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicators.models import ImportBatch
from tests.conftest import ROOT, login
from tests.hostile_files import far_cell, many_rows, shared_strings_bomb
from tests.indicators.spreadsheets import checked

pytestmark = pytest.mark.django_db

FILES = {"bom.xlsx": shared_strings_bomb, "sejuta-baris.xlsx": many_rows}
MESSAGES = {"bom.xlsx": "setelah diekstrak", "sejuta-baris.xlsx": "paling banyak 50.000 baris"}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    paths = {}
    for name, make in FILES.items():
        paths[name] = folder / name
        paths[name].write_bytes(make())
    return paths


@pytest.mark.parametrize("name", FILES)
def test_the_upload_refuses_a_hostile_file_at_once(client, operator, period, hostile, name):
    upload = SimpleUploadedFile(name, hostile[name].read_bytes())
    url = reverse("indicators:import-upload", args=[period.pk])
    login(client, operator).get(url)  # a first request loads templates and translations
    started = time.perf_counter()
    response = client.post(url, {"file": upload})
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    assert MESSAGES[name] in response.content.decode()
    assert not ImportBatch.objects.exists()
    assert elapsed < 2, elapsed


@pytest.mark.parametrize("name", FILES)
def test_the_check_job_refuses_a_hostile_file_already_stored(operator, period, hostile, name):
    started = time.perf_counter()
    batch = checked(period, operator, hostile[name].read_bytes(), name)
    elapsed = time.perf_counter() - started
    assert batch.status == ImportBatch.Status.INVALID
    assert MESSAGES[name] in batch.errors[0]["message"]
    assert elapsed < 2, elapsed


@pytest.mark.parametrize("name", FILES)
def test_refusing_a_hostile_file_stays_under_200_mb(hostile, name):
    """In a fresh process, so that the peak memory is the refusal's own."""
    done = subprocess.run(
        [sys.executable, "bench/bench_import_bomb.py", "--refuse", str(hostile[name])],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    seconds, peak_mb, refused, message = done.stdout.strip().split(" ", 3)
    assert refused == "1" and MESSAGES[name] in message
    assert float(seconds) < 2
    assert float(peak_mb) < 200


def test_a_tiny_file_whose_range_is_the_whole_sheet_stops_at_the_row_cap(operator, period):
    """Two cells, A2 and XFD1048576 (a 1 KB file): the rows between them are read as empty
    rows, and reading stops at the cap. (python-calamine would allocate the whole range,
    512 GB, and abort the worker: one reason the import keeps openpyxl's streaming reader.)"""
    started = time.perf_counter()
    batch = checked(period, operator, far_cell(), "jauh.xlsx")
    elapsed = time.perf_counter() - started
    assert batch.status == ImportBatch.Status.INVALID
    assert any("paling banyak 50.000 baris" in error["message"] for error in batch.errors)
    assert elapsed < 2, elapsed
