"""Writes to the KOTAN framework: seeding the editions and the default catalogue."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from indicators.models import CategoryBand, Indicator, MethodologyEdition, Variable, VariableWeight
from kotan.models import Region, Stakeholder

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
