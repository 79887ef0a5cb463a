"""Writes to the recommendation library (edited in the browser by operators and admins)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.models import CategoryBand, Indicator, Variable
from kotan.lib.locking import StaleVersion, lock_version
from kotan.models import Region, Stakeholder, User
from kotan.permissions import require
from kotan.services import audit_record, field_changes
from reports.models import Recommendation


class RecommendationError(Exception):
    """A change that cannot be saved; the message is for the user, in Indonesian."""


class StaleRecommendation(StaleVersion, RecommendationError):
    message_text = gettext_lazy(
        "Rekomendasi ini sudah diubah orang lain setelah Anda membukanya. Perubahan "
        "Anda tidak disimpan; periksa isian terbaru lalu ubah kembali."
    )
    current: Recommendation


@dataclass(frozen=True)
class RecommendationInput:
    variable: Variable
    indicator: Indicator | None
    bands: Sequence[CategoryBand]
    title: str
    body: str
    legal_basis: str
    addressees: Sequence[Stakeholder]
    order: int = 0
    active: bool = True


def _check(city: Region, data: RecommendationInput) -> None:
    if data.indicator is not None and data.indicator.variable_id != data.variable.pk:
        raise RecommendationError(_("Indikator harus termasuk variabel yang dipilih."))
    if any(s.city_id != city.pk for s in data.addressees):
        raise RecommendationError(_("Pilih instansi kota Anda."))
    if not data.bands:
        raise RecommendationError(_("Pilih paling sedikit satu kategori."))


def _state(recommendation: Recommendation) -> dict[str, Any]:
    return {
        "variable": recommendation.variable.code,
        "indicator": recommendation.indicator.code if recommendation.indicator else "",
        "title": recommendation.title,
        "body": recommendation.body,
        "legal_basis": recommendation.legal_basis,
        "order": recommendation.order,
        "active": recommendation.active,
        "bands": ", ".join(str(b) for b in recommendation.bands.order_by("edition", "order")),
        "addressees": ", ".join(str(s) for s in recommendation.addressees.order_by("name")),
    }


def _ids(objects: Iterable[Any]) -> list[int]:
    return [o.pk for o in objects]


@transaction.atomic
def recommendation_create(
    *, city: Region, actor: User | None, data: RecommendationInput
) -> Recommendation:
    require(actor, "reports.edit_recommendations", city)
    _check(city, data)
    recommendation = Recommendation.objects.create(
        city=city,
        variable=data.variable,
        indicator=data.indicator,
        title=data.title,
        body=data.body,
        legal_basis=data.legal_basis,
        order=data.order,
        active=data.active,
    )
    recommendation.bands.set(_ids(data.bands))
    recommendation.addressees.set(_ids(data.addressees))
    audit_record(
        actor=actor,
        city=city,
        obj=recommendation,
        action="recommendation.created",
        changes=field_changes({}, _state(recommendation)),
    )
    return recommendation


@transaction.atomic
def recommendation_update(
    *, recommendation: Recommendation, actor: User, data: RecommendationInput, version: int
) -> Recommendation:
    """Save an edit; refused when someone saved the recommendation after `version` was read."""
    require(actor, "reports.edit_recommendations", recommendation)
    current = lock_version(
        Recommendation.objects.all(), recommendation.pk, version, stale=StaleRecommendation
    )
    _check(current.city, data)
    before = _state(current)
    current.variable = data.variable
    current.indicator = data.indicator
    current.title = data.title
    current.body = data.body
    current.legal_basis = data.legal_basis
    current.order = data.order
    current.active = data.active
    current.version += 1
    current.save()
    current.bands.set(_ids(data.bands))
    current.addressees.set(_ids(data.addressees))
    audit_record(
        actor=actor,
        city=current.city,
        obj=current,
        action="recommendation.updated",
        changes=field_changes(before, _state(current)),
    )
    return current


DEMO_PATH = Path(__file__).resolve().parent.parent / "data" / "rekomendasi_demo_kupang.json"
# Demo recommendations apply to the lower categories: those whose upper bound is at most
# this share of the edition's scale.
DEMO_BAND_SHARE = Decimal("0.6")


@transaction.atomic
def recommendations_seed_demo(*, city: Region, path: Path = DEMO_PATH) -> int:
    """Add the demo recommendations the city does not have yet (matched by title);
    returns how many were created. Safe to run again."""
    spec = json.loads(path.read_text(encoding="utf-8"))
    variables = {v.code: v for v in Variable.objects.all()}
    indicators = {i.code: i for i in Indicator.objects.all()}
    stakeholders = {s.code: s for s in Stakeholder.objects.filter(city=city)}
    bands = [
        band
        for band in CategoryBand.objects.select_related("edition")
        if band.upper
        <= band.edition.scale_min
        + (band.edition.scale_max - band.edition.scale_min) * DEMO_BAND_SHARE
    ]
    existing = set(Recommendation.objects.filter(city=city).values_list("title", flat=True))
    created = 0
    for item in spec["recommendations"]:
        if item["title"] in existing or item["variable"] not in variables:
            continue
        recommendation_create(
            city=city,
            actor=None,
            data=RecommendationInput(
                variable=variables[item["variable"]],
                indicator=indicators.get(item["indicator"] or ""),
                bands=bands,
                title=item["title"],
                body=item["body"],
                legal_basis=item["legal_basis"],
                addressees=[stakeholders[c] for c in item["addressees"] if c in stakeholders],
                order=item["order"],
            ),
        )
        created += 1
    return created
