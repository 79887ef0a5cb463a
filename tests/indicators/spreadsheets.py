"""Helpers of the import tests: build spreadsheets in memory and run a batch's jobs."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from indicators import importing
from indicators.models import ImportBatch


def xlsx_bytes(sheets: dict[str, list[list[object]]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def upload(period, actor, content: bytes, name: str = "isian.xlsx") -> ImportBatch:
    file_format = importing.sniff_format(content[:4096])
    assert file_format is not None
    return importing.import_batch_create(
        period=period,
        actor=actor,
        upload=SimpleUploadedFile(name, content),
        file_format=file_format,
    )


def checked(period, actor, content: bytes, name: str = "isian.xlsx") -> ImportBatch:
    batch = upload(period, actor, content, name)
    return importing.import_batch_check(batch_id=batch.pk)


def imported(batch: ImportBatch, actor, *, reopen_submitted: bool = False) -> ImportBatch:
    importing.import_batch_confirm(batch=batch, actor=actor, reopen_submitted=reopen_submitted)
    return importing.import_batch_apply(batch_id=batch.pk)


def errors_at(batch: ImportBatch) -> dict[tuple[str, int, str], str]:
    return {(e["sheet"], e["row"], e["column"]): e["message"] for e in batch.errors}
