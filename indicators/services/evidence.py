"""Evidence chosen on a form that could not be saved yet: kept as a pending upload owned by
the user and the unit, so a mistake in another field never makes them choose it again."""

from __future__ import annotations

import os
from typing import Any

from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from indicators.models import AssessmentPeriod, Indicator, PendingEvidence
from kotan.models import Region, Stakeholder, User


def unit_key(level: str, region: Region | None, stakeholder: Stakeholder | None) -> str:
    unit = stakeholder or region
    assert unit is not None
    return f"{level}:{unit.pk}"


def pending_evidence_for(
    *, owner: User, period: AssessmentPeriod, unit: str
) -> dict[int, PendingEvidence]:
    """The user's pending file per indicator of one unit (the newest when several)."""
    rows = PendingEvidence.objects.filter(owner=owner, period=period, unit=unit).order_by(
        "created_at", "pk"
    )
    return {row.indicator_id: row for row in rows}


@transaction.atomic
def pending_evidence_keep(
    *,
    owner: User,
    period: AssessmentPeriod,
    unit: str,
    indicator: Indicator,
    upload: UploadedFile,
    original_name: str,
) -> PendingEvidence:
    """Store a checked upload (already renamed by the form) until the next save; an older
    pending file of the same indicator is replaced."""
    pending_evidence_discard(owner=owner, period=period, unit=unit, indicators=[indicator.pk])
    pending = PendingEvidence(
        owner=owner,
        period=period,
        unit=unit,
        indicator=indicator,
        original_name=os.path.basename(original_name)[:255],
    )
    upload.seek(0)
    pending.file.save(upload.name or "bukti", upload, save=False)
    pending.save()
    return pending


def pending_evidence_file(pending: PendingEvidence) -> File[Any]:
    """The pending file, ready to be stored as a value's evidence."""
    return File(pending.file.open("rb"), name=os.path.basename(pending.file.name))


def pending_evidence_discard(
    *, owner: User, period: AssessmentPeriod, unit: str, indicators: list[int]
) -> None:
    rows = list(
        PendingEvidence.objects.filter(
            owner=owner, period=period, unit=unit, indicator_id__in=indicators
        )
    )
    for row in rows:
        row.file.delete(save=False)
    PendingEvidence.objects.filter(pk__in=[r.pk for r in rows]).delete()
