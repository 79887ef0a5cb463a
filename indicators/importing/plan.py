"""The checked plan kept beside the file, reused by the import when nothing changed."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db.models import Count, Max, Sum

from indicators.importing.checking import Change, UnitKey
from indicators.models import AssessmentPeriod, ImportBatch, Indicator, IndicatorValue, Submission
from kotan.models import Region, Stakeholder

# --- The checked plan --------------------------------------------------------------------
# Judging a 10,000-row file again at import time would double the operator's wait. So the
# check keeps its list of changes beside the file, with a fingerprint of everything the
# judgement depended on; the import reuses the list only when the fingerprint, taken again
# under the import's locks, is the same, and otherwise judges the file again.


def plan_state(period: AssessmentPeriod) -> str:
    """A fingerprint of what a check depends on: the period's status, its submissions
    (every save and status change bumps a version), its values, the catalogue, the
    assignments and the city's units."""
    submissions = Submission.objects.filter(period=period).aggregate(
        n=Count("pk"), versions=Sum("version"), last=Max("pk")
    )
    values = IndicatorValue.objects.filter(submission__period=period).aggregate(
        n=Count("pk"), last=Max("pk"), updated=Max("updated_at")
    )
    parts = [
        period.status,
        sorted(submissions.items()),
        sorted((key, str(value)) for key, value in values.items()),
        list(
            Indicator.objects.order_by("pk").values_list(
                "pk", "code", "kind", "worst", "best", "level", "active"
            )
        ),
        list(
            Indicator.responsible.through.objects.filter(stakeholder__city=period.city_id)
            .order_by("pk")
            .values_list("indicator_id", "stakeholder_id")
        ),
        list(Region.objects.filter(city=period.city_id).order_by("pk").values_list("pk", "code")),
        list(
            Stakeholder.objects.filter(city=period.city_id, active=True)
            .order_by("pk")
            .values_list("pk", "code")
        ),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def plan_name(batch: ImportBatch) -> str:
    return f"{batch.file.name}.plan.json"


# Bump when the layout below changes: a plan of another layout is judged again.
_PLAN_FORMAT = 2


def plan_save(batch: ImportBatch, state: str, changes: list[Change]) -> None:
    """The changes grouped by unit: [level, region, stakeholder, label, [[indicator, value,
    stored pk, old], …]]. Grouped, a loaded plan shares one key and one label among a
    unit's changes instead of parsing them again for each (a tenth of a 10,000-row
    import's memory)."""
    units: dict[UnitKey, list[Any]] = {}
    for change in changes:
        unit = units.get(change.key)
        if unit is None:
            unit = units[change.key] = [*change.key, change.unit_label, []]
        unit[4].append(
            [
                change.indicator.pk,
                str(change.value),
                change.stored_pk,
                None if change.old is None else str(change.old),
            ]
        )
    content = json.dumps({"format": _PLAN_FORMAT, "state": state, "units": list(units.values())})
    batch.file.storage.save(plan_name(batch), ContentFile(content.encode()))


def plan_load(batch: ImportBatch, state: str) -> list[Change] | None:
    """The checked changes, when nothing they depend on changed since; else None."""
    storage = batch.file.storage
    name = plan_name(batch)
    if not storage.exists(name):
        return None
    with storage.open(name, "rb") as handle:
        plan = json.load(handle)
    if plan.get("format") != _PLAN_FORMAT or plan.get("state") != state:
        return None
    units = plan["units"]
    indicators = Indicator.objects.in_bulk({row[0] for *_unit, rows in units for row in rows})
    changes: list[Change] = []
    for level, region_id, stakeholder_id, label, rows in units:
        key = (level, region_id, stakeholder_id)
        changes.extend(
            Change(
                key,
                label,
                indicators[indicator_id],
                Decimal(value),
                stored_pk,
                None if old is None else Decimal(old),
            )
            for indicator_id, value, stored_pk, old in rows
        )
    return changes


def plan_delete(batch: ImportBatch) -> None:
    batch.file.storage.delete(plan_name(batch))
