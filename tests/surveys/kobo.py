"""Kobo- and ODK-style exports for the import tests and the benchmark."""

from __future__ import annotations

import csv
import io
import random
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from openpyxl import Workbook

KOBO_FIELDS = ["start", "end", "today", "lokasi/kelurahan", "lokasi/setting",
               "responden/jenis_kelamin", "responden/umur"]  # fmt: skip
KOBO_META = ["_id", "_uuid", "_submission_time", "_index"]


def kobo_header(item_codes: list[str]) -> list[str]:
    groups = [f"grp_{code[:2].lower()}/{code}" for code in item_codes]
    return [*KOBO_FIELDS, *groups, *KOBO_META]


def kobo_row(
    *, number: int, kelurahan: str, setting: str, answers: dict[str, Any], item_codes: list[str],
    submission_uuid: str | None = None,
) -> list[Any]:  # fmt: skip
    start = f"2026-11-0{1 + number % 9}T09:{number % 60:02d}:00.000+08:00"
    end = f"2026-11-0{1 + number % 9}T10:{number % 60:02d}:00.000+08:00"
    return [
        start, end, start[:10], kelurahan, setting, "P" if number % 2 else "L",
        20 + number % 50,
        *(answers.get(code) for code in item_codes),
        number, submission_uuid or str(uuid.uuid4()), end, number,
    ]  # fmt: skip


def write_xlsx(path: Path | io.BytesIO, header: list[str], rows: Iterable[list[Any]]) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("KOTAN survei")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def xlsx_bytes(header: list[str], rows: Iterable[list[Any]]) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, header, rows)
    return buffer.getvalue()


def csv_bytes(header: list[str], rows: Iterable[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def random_rows(
    *, count: int, item_codes: list[str], kelurahan: list[str], settings: list[str], seed: int = 7
) -> Iterator[list[Any]]:
    """`count` Kobo rows answering every item 1–4 (settings' filtering is the importer's)."""
    rng = random.Random(seed)
    for number in range(1, count + 1):
        answers = {code: rng.randint(1, 4) for code in item_codes}
        yield kobo_row(
            number=number,
            kelurahan=rng.choice(kelurahan),
            setting=rng.choice(settings),
            answers=answers,
            item_codes=item_codes,
            submission_uuid=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        )
