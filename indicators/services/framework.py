"""Writes to the KOTAN framework: seeding the editions and the default catalogue."""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from indicators.models import (
    AssessmentPeriod,
    CategoryBand,
    Indicator,
    MethodologyEdition,
    ScoreSnapshot,
    Variable,
    VariableWeight,
)
from kotan.models import Region, Stakeholder, User
from kotan.permissions import require
from kotan.services import audit_record, field_changes

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
# Steps of 0.01 on the edition's scale separate one band's upper bound from the next lower one.
BAND_STEP = Decimal("0.01")


def edition_errors(
    *,
    scale_min: Decimal,
    scale_max: Decimal,
    weights: list[Decimal],
    bands: list[tuple[Decimal, Decimal]],
) -> list[str]:
    """What is wrong with an edition's numbers, in Indonesian; empty when it is valid.

    Weights: five, positive, summing to 100. Bands, in order: each within the scale, the
    first starting at its minimum, the last ending at its maximum, each starting 0.01 above
    the previous one's upper bound (no gap, no overlap).
    """
    errors: list[str] = []
    if len(weights) != 5 or any(w <= 0 for w in weights):
        errors.append(_("Kelima bobot variabel harus diisi dan lebih dari 0."))
    elif sum(weights) != 100:
        errors.append(
            _("Jumlah bobot variabel harus 100 (sekarang %(sum)s).") % {"sum": sum(weights)}
        )
    if scale_max <= scale_min:
        errors.append(_("Skala maksimum harus lebih besar dari skala minimum."))
        return errors
    if not bands:
        errors.append(_("Edisi harus punya paling sedikit satu kategori."))
        return errors
    if bands[0][0] != scale_min:
        errors.append(_("Kategori pertama harus dimulai dari %(min)s.") % {"min": scale_min})
    if bands[-1][1] != scale_max:
        errors.append(_("Kategori terakhir harus berakhir di %(max)s.") % {"max": scale_max})
    for index, (lower, upper) in enumerate(bands, start=1):
        if upper < lower:
            errors.append(
                _("Kategori ke-%(n)s: batas atas lebih kecil dari batas bawah.") % {"n": index}
            )
    for index in range(1, len(bands)):
        previous_upper, lower = bands[index - 1][1], bands[index][0]
        if lower != previous_upper + BAND_STEP:
            errors.append(
                _(
                    "Kategori ke-%(n)s harus dimulai tepat %(step)s di atas batas atas "
                    "kategori sebelumnya (%(prev)s)."
                )
                % {"n": index + 1, "step": BAND_STEP, "prev": previous_upper}
            )
    return errors


@dataclass(frozen=True)
class SeedResult:
    editions_created: int
    indicators_created: int


def _seed_variables(rows: list[dict[str, object]]) -> dict[str, Variable]:
    variables = {}
    for row in rows:
        variable, _created = Variable.objects.get_or_create(
            code=str(row["code"]),
            defaults={
                "name": row["name"],
                "order": row["order"],
                "description": row["description"],
            },
        )
        variables[variable.code] = variable
    return variables


def _seed_edition(spec: dict[str, object], variables: dict[str, Variable]) -> bool:
    """Create an edition from its spec unless one of that name exists (an administrator may
    have changed it since, and the seed must not undo that)."""
    name = str(spec["name"])
    if MethodologyEdition.objects.filter(name=name).exists():
        return False
    scale = [Decimal(str(x)) for x in spec["scale"]]  # type: ignore[attr-defined]
    weights = {code: Decimal(str(w)) for code, w in spec["weights"].items()}  # type: ignore[attr-defined]
    bands = [(str(n), Decimal(str(lo)), Decimal(str(hi))) for n, lo, hi in spec["bands"]]  # type: ignore[attr-defined]
    errors = edition_errors(
        scale_min=scale[0],
        scale_max=scale[1],
        weights=list(weights.values()),
        bands=[(lo, hi) for _n, lo, hi in bands],
    )
    if errors:
        raise ValueError(f"Edisi {name}: " + " ".join(errors))
    is_default = (
        bool(spec["default"]) and not MethodologyEdition.objects.filter(is_default=True).exists()
    )
    edition = MethodologyEdition.objects.create(
        name=name,
        description=str(spec.get("description", "")),
        scale_min=scale[0],
        scale_max=scale[1],
        is_default=is_default,
    )
    VariableWeight.objects.bulk_create(
        VariableWeight(edition=edition, variable=variables[code], weight=weight)
        for code, weight in weights.items()
    )
    CategoryBand.objects.bulk_create(
        CategoryBand(edition=edition, order=order, name=band_name, lower=lower, upper=upper)
        for order, (band_name, lower, upper) in enumerate(bands, start=1)
    )
    return True


def _seed_indicator(row: dict[str, str], order: int, variables: dict[str, Variable]) -> bool:
    _indicator, created = Indicator.objects.get_or_create(
        code=row["kode"],
        defaults={
            "variable": variables[row["variabel"]],
            "name": row["nama"],
            "kind": row["tipe"],
            "unit": row["satuan"],
            "worst": Decimal(row["terburuk"]),
            "best": Decimal(row["terbaik"]),
            "level": row["tingkat"],
            "weight": Decimal(row["bobot"]),
            "provider_note": row["penyedia"],
            "evidence_required": row["wajib_bukti"] == "1",
            # A "Tidak" answer has no document to show (no SK, no Perda).
            "evidence_when_positive": row.get("bukti_bila_ya") == "1",
            "order": order,
        },
    )
    return created


@transaction.atomic
def framework_seed(
    *,
    editions_path: Path = DATA_DIR / "edisi.json",
    catalogue_path: Path = DATA_DIR / "katalog_indikator.csv",
) -> SeedResult:
    """Create the variables, the two editions of DOMAIN.md §3 and the catalogue of §4 where
    missing. Existing rows are left as an administrator may have edited them."""
    spec = json.loads(editions_path.read_text(encoding="utf-8"))
    variables = _seed_variables(spec["variables"])
    editions = sum(_seed_edition(edition, variables) for edition in spec["editions"])
    with catalogue_path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    indicators = sum(
        _seed_indicator(row, order, variables) for order, row in enumerate(rows, start=1)
    )
    return SeedResult(editions_created=editions, indicators_created=indicators)


def _provider_codes(catalogue_path: Path) -> dict[str, str]:
    with catalogue_path.open(newline="", encoding="utf-8") as handle:
        return {row["kode"]: row["kode_penyedia"] for row in csv.DictReader(handle)}


@transaction.atomic
def responsibilities_assign(
    *, city: Region, catalogue_path: Path = DATA_DIR / "katalog_indikator.csv"
) -> int:
    """Link a city's stakeholders to the indicators they usually provide (the catalogue's
    `kode_penyedia`; `*` means every agency of the city). Only fills indicators that have no
    responsible organisation in that city yet; returns the number of links added."""
    stakeholders = {s.code: s for s in Stakeholder.objects.filter(city=city, active=True)}
    agencies = [s for s in stakeholders.values() if s.kind != Stakeholder.Kind.PIMPINAN_DAERAH]
    added = 0
    for indicator in Indicator.objects.filter(code__in=_provider_codes(catalogue_path)):
        if indicator.responsible.filter(city=city).exists():
            continue
        codes = _provider_codes(catalogue_path)[indicator.code]
        chosen = (
            agencies
            if codes == "*"
            else [stakeholders[c] for c in codes.split(";") if c in stakeholders]
        )
        indicator.responsible.add(*chosen)
        added += len(chosen)
    return added


# --- Administrators' changes to the framework (browser pages and Django admin) ---------


class FrameworkError(Exception):
    """A change to the framework that is refused; messages are for the user, in Indonesian."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(" ".join(errors))
        self.errors = errors


class MethodologyFrozen(FrameworkError):
    """The change would alter final scores: a locked period's snapshots used these numbers."""


def edition_is_frozen(edition: MethodologyEdition) -> bool:
    """Did final scores (a locked period's snapshots) use this edition?"""
    return (
        ScoreSnapshot.objects.unscoped()
        .filter(edition=edition, period__status=AssessmentPeriod.Status.LOCKED)
        .exists()
    )


def catalogue_is_frozen() -> bool:
    """Did final scores use the catalogue's scales and weights (any edition)?"""
    return (
        ScoreSnapshot.objects.unscoped()
        .filter(period__status=AssessmentPeriod.Status.LOCKED)
        .exists()
    )


def edition_copy_name(edition: MethodologyEdition, name: str) -> str:
    """A free name for the new version of `edition` (the name typed, or a numbered one)."""
    base = name if name != edition.name else f"{edition.name} (revisi)"
    candidate, n = base, 1
    while MethodologyEdition.objects.filter(name=candidate).exists():
        n += 1
        candidate = f"{base} {n}"
    return candidate


@dataclass(frozen=True)
class BandInput:
    name: str
    lower: Decimal
    upper: Decimal


def _edition_state(edition: MethodologyEdition) -> dict[str, Any]:
    return {
        "name": edition.name,
        "description": edition.description,
        "scale_min": edition.scale_min,
        "scale_max": edition.scale_max,
        "is_default": edition.is_default,
        "min_completeness": edition.min_completeness,
        # Flattened to text: the audit trail stores scalars and shows them as old → new.
        "weights": ", ".join(f"{w.variable.code} {w.weight}" for w in edition.weights.all()),
        "bands": "; ".join(f"{b.name} {b.lower}–{b.upper}" for b in edition.bands.all()),
    }


@transaction.atomic
def edition_save(
    *,
    actor: User,
    edition: MethodologyEdition | None,
    name: str,
    description: str,
    scale_min: Decimal,
    scale_max: Decimal,
    is_default: bool,
    weights: Mapping[Variable, Decimal],
    bands: list[BandInput],
    min_completeness: Decimal | None = None,
) -> MethodologyEdition:
    """Create an edition (edition=None) or replace one's numbers, after `edition_errors`
    accepts them. Making it the default takes that from the previous default.

    An edition that final scores used keeps its numbers: changing its scale, weights or
    bands raises MethodologyFrozen (save them as a new edition instead)."""
    require(actor, "indicators.change_catalogue")
    errors = edition_errors(
        scale_min=scale_min,
        scale_max=scale_max,
        weights=list(weights.values()),
        bands=[(b.lower, b.upper) for b in bands],
    )
    if set(weights) != set(Variable.objects.all()):
        errors.append(_("Setiap variabel harus diberi bobot."))
    if errors:
        raise FrameworkError(errors)
    before = _edition_state(edition) if edition else {}
    if edition is not None and edition_is_frozen(edition):
        proposed = _numbers(
            scale_min,
            scale_max,
            {v.code: w for v, w in weights.items()},
            [(b.name, b.lower, b.upper) for b in bands],
        )
        if proposed != _stored_numbers(edition):
            raise MethodologyFrozen(
                [
                    _(
                        "Skor final periode yang sudah dikunci memakai edisi ini, sehingga "
                        "skala, bobot dan kategorinya tidak dapat diubah. Simpan perubahan "
                        "sebagai edisi baru."
                    )
                ]
            )
    if is_default:
        others = MethodologyEdition.objects.filter(is_default=True)
        if edition is not None:
            others = others.exclude(pk=edition.pk)
        others.update(is_default=False)
    edition = edition or MethodologyEdition()
    edition.name, edition.description = name, description
    edition.scale_min, edition.scale_max, edition.is_default = scale_min, scale_max, is_default
    if min_completeness is not None:
        edition.min_completeness = min_completeness
    edition.save()
    edition.weights.all().delete()
    edition.bands.all().delete()
    VariableWeight.objects.bulk_create(
        VariableWeight(edition=edition, variable=variable, weight=weight)
        for variable, weight in weights.items()
    )
    CategoryBand.objects.bulk_create(
        CategoryBand(edition=edition, order=order, name=b.name, lower=b.lower, upper=b.upper)
        for order, b in enumerate(bands, start=1)
    )
    _audit_framework(
        actor,
        edition,
        "edition.update" if before else "edition.create",
        field_changes(before, _edition_state(edition)),
    )
    return edition


def _numbers(
    scale_min: Decimal,
    scale_max: Decimal,
    weights: Mapping[str, Decimal],
    bands: list[tuple[str, Decimal, Decimal]],
) -> tuple[Any, ...]:
    """What scores depend on in an edition, comparable between stored and proposed."""
    return (scale_min, scale_max, dict(weights), bands)


def _stored_numbers(edition: MethodologyEdition) -> tuple[Any, ...]:
    weights = {w.variable.code: w.weight for w in edition.weights.select_related("variable")}
    bands = [(b.name, b.lower, b.upper) for b in edition.bands.order_by("order")]
    return _numbers(edition.scale_min, edition.scale_max, weights, bands)


def _audit_framework(
    actor: User, obj: models.Model, action: str, changes: Mapping[str, list[Any]], reason: str = ""
) -> None:
    """The framework is national, shared by every city: its changes go into the national
    trail (no city)."""
    audit_record(actor=actor, city=None, obj=obj, action=action, changes=changes, reason=reason)


@transaction.atomic
def variable_update(
    *, actor: User, variable: Variable, name: str, description: str, order: int
) -> Variable:
    require(actor, "indicators.change_catalogue")
    before = {"name": variable.name, "description": variable.description, "order": variable.order}
    after = {"name": name, "description": description, "order": order}
    for field, value in after.items():
        setattr(variable, field, value)
    variable.save()
    _audit_framework(actor, variable, "variable.update", field_changes(before, after))
    return variable


# Fields of an indicator that administrators edit; `responsible` is per city and separate.
INDICATOR_FIELDS = (
    "code",
    "variable",
    "name",
    "help_text",
    "kind",
    "unit",
    "worst",
    "best",
    "level",
    "weight",
    "provider_note",
    "evidence_required",
    "evidence_when_positive",
    "warn_min",
    "warn_max",
    "warn_max_change",
    "active",
    "order",
)
# Changing these would make stored values mean something else: retire and create anew.
FROZEN_ONCE_USED = ("kind", "level")
# Changing these would change final scores once a locked period's snapshots used them.
FROZEN_ONCE_FINAL = ("worst", "best", "weight")


def _indicator_state(indicator: Indicator) -> dict[str, Any]:
    state: dict[str, Any] = {name: getattr(indicator, name) for name in INDICATOR_FIELDS}
    state["variable"] = indicator.variable.code if indicator.variable_id else None
    return state


def indicator_scale_errors(kind: str, worst: Decimal, best: Decimal) -> list[str]:
    """What is wrong with an indicator's type and worst/best values (empty when valid)."""
    errors = []
    if worst == best:
        errors.append(_("Nilai terburuk dan terbaik tidak boleh sama."))
    if kind == Indicator.Kind.YES_NO and {worst, best} != {0, 1}:
        errors.append(_("Indikator ya/tidak memakai nilai 0 dan 1."))
    if kind == Indicator.Kind.PERCENT and {worst, best} != {0, 100}:
        errors.append(_("Indikator persentase memakai nilai 0 dan 100."))
    return errors


def _indicator_errors(indicator: Indicator, changed: set[str]) -> list[str]:
    errors = indicator_scale_errors(indicator.kind, indicator.worst, indicator.best)
    if changed and indicator.pk and indicator.values.exists():
        errors.append(
            _(
                "Tipe dan tingkat indikator yang sudah memiliki nilai tidak dapat diubah; "
                "pensiunkan indikator ini dan buat indikator baru."
            )
        )
    return errors


@transaction.atomic
def indicator_save(
    *, actor: User, indicator: Indicator | None, fields: Mapping[str, Any]
) -> Indicator:
    """Create or change an indicator of the national catalogue (Admin Pusat). Every change
    goes into the national audit trail. Once final scores used the catalogue, an
    indicator's worst, best and weight stay: retire it and create a new one."""
    require(actor, "indicators.change_catalogue")
    # From the stored row: the instance handed in may carry unsaved (refused) changes.
    indicator = Indicator.objects.get(pk=indicator.pk) if indicator else Indicator()
    before = _indicator_state(indicator) if indicator.pk else {}
    for name in INDICATOR_FIELDS:
        if name in fields:
            setattr(indicator, name, fields[name])
    changed = {n for n in FROZEN_ONCE_USED if before and n in fields and before[n] != fields[n]}
    errors = _indicator_errors(indicator, changed)
    final = [n for n in FROZEN_ONCE_FINAL if before and n in fields and before[n] != fields[n]]
    if final and catalogue_is_frozen():
        errors.append(
            _(
                "Skor final periode yang sudah dikunci memakai nilai terburuk, terbaik dan "
                "bobot indikator ini; pensiunkan indikator ini dan buat indikator baru."
            )
        )
    if errors:
        raise FrameworkError(errors)
    indicator.save()
    after = _indicator_state(Indicator.objects.get(pk=indicator.pk))
    _audit_framework(
        actor,
        indicator,
        "indicator.update" if before else "indicator.create",
        field_changes(before, after),
    )
    return indicator


@transaction.atomic
def indicator_retire(*, actor: User, indicator: Indicator, reason: str = "") -> Indicator:
    """Stop collecting an indicator; its values stay for the periods that hold them."""
    require(actor, "indicators.change_catalogue")
    if not indicator.active:
        raise FrameworkError([_("Indikator ini sudah dipensiunkan.")])
    indicator.active = False
    indicator.save(update_fields=["active"])
    _audit_framework(actor, indicator, "indicator.retire", {"active": [True, False]}, reason)
    return indicator


@transaction.atomic
def indicator_delete(*, actor: User, indicator: Indicator) -> None:
    """Delete an indicator that was never used; one that holds values is only retired."""
    require(actor, "indicators.change_catalogue")
    if indicator.values.exists():
        raise FrameworkError(
            [_("Indikator ini sudah memiliki nilai sehingga tidak dapat dihapus; pensiunkan.")]
        )
    _audit_framework(actor, indicator, "indicator.delete", {"code": [indicator.code, None]})
    indicator.delete()


@transaction.atomic
def indicator_assign(
    *, actor: User, indicator: Indicator, responsible: list[Stakeholder]
) -> Indicator:
    """A city Admin names the organisations of their city that answer for an indicator;
    other cities keep theirs. Audited in the city's trail."""
    city = actor.city
    require(actor, "indicators.assign_indicators", city)
    assert city is not None
    if any(s.city_id != city.pk for s in responsible):
        raise FrameworkError([_("Pemangku kepentingan harus dari kota Anda.")])
    before = _responsible_codes(indicator, city)
    indicator.responsible.remove(*indicator.responsible.filter(city=city))
    indicator.responsible.add(*responsible)
    after = _responsible_codes(indicator, city)
    audit_record(
        actor=actor,
        city=city,
        obj=indicator,
        action="indicator.assign",
        changes=field_changes({"responsible": before}, {"responsible": after}),
    )
    return indicator


def _responsible_codes(indicator: Indicator, city: Region) -> str:
    return ", ".join(sorted(s.code for s in indicator.responsible.filter(city=city)))
