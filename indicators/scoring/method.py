"""IKOTAN scoring, exactly as DOMAIN.md §3 describes it.

The math is plain functions over plain, frozen dataclasses: no ORM inside, so it is quick to
test by hand and quick to run over a million values. `inputs.scores_load` reads what
they need from the database; `recompute.py` writes snapshots and queues recomputes.

All arithmetic is Decimal (28 significant digits), so a value that is exactly half-way after
two decimals, such as 20.005, rounds up as the method says instead of falling to float noise.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")

KOTA = "kota"
KECAMATAN = "kecamatan"
KELURAHAN = "kelurahan"
STAKEHOLDER = "stakeholder"

# (indicator id, region id, stakeholder id, value): one approved value, as the loader reads it.
# A plain tuple rather than a dataclass because a national recompute handles a million.
ValueRow = tuple[int, int | None, int | None, Decimal]


# --- Inputs -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IndicatorSpec:
    id: int
    code: str
    name: str
    variable: str
    level: str
    worst: Decimal
    best: Decimal
    weight: Decimal
    unit: str = ""
    kind: str = ""


@dataclass(frozen=True, slots=True)
class VariableSpec:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Band:
    order: int
    name: str
    lower: Decimal
    upper: Decimal


@dataclass(frozen=True, slots=True)
class EditionSpec:
    id: int
    name: str
    scale_min: Decimal
    scale_max: Decimal
    # Variable code → weight, in the variables' display order.
    weights: Mapping[str, Decimal]
    bands: tuple[Band, ...]


@dataclass(frozen=True, slots=True)
class RegionSpec:
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None


@dataclass(frozen=True, slots=True)
class StakeholderSpec:
    id: int
    name: str
    # Ids of the active indicators this organisation is responsible for.
    indicator_ids: tuple[int, ...]


@dataclass(frozen=True)
class PeriodInputs:
    """Everything one period's scores depend on."""

    period_id: int
    city: RegionSpec
    kecamatan: tuple[RegionSpec, ...]
    kelurahan: tuple[RegionSpec, ...]
    variables: tuple[VariableSpec, ...]
    indicators: tuple[IndicatorSpec, ...]
    values: Sequence[ValueRow]
    stakeholders: tuple[StakeholderSpec, ...] = ()


# --- Outputs ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Category:
    """An index placed on an edition's scale: rounded value, its band, and how far the next
    band's lower bound is (on the edition's scale)."""

    scaled: Decimal
    band: Band | None
    next_band: Band | None
    gap: Decimal | None

    @property
    def band_name(self) -> str:
        return self.band.name if self.band else ""


@dataclass(frozen=True, slots=True)
class VariableIndex:
    index: Decimal | None
    coverage: Decimal
    # Indicator id → w_i·s_i / Σw_i over the indicators with a score (they add up to index).
    contributions: Mapping[int, Decimal]


@dataclass(frozen=True, slots=True)
class IndicatorResult:
    spec: IndicatorSpec
    score: Decimal | None
    contribution: Decimal | None
    units_with_value: int
    units_expected: int


@dataclass(frozen=True, slots=True)
class VariableResult:
    spec: VariableSpec
    weight: Decimal
    index: Decimal | None
    coverage: Decimal
    category: Category | None
    indicators: tuple[IndicatorResult, ...]


@dataclass(frozen=True, slots=True)
class Lever:
    """What raising one indicator would do for the city's IKOTAN."""

    spec: IndicatorSpec
    score: Decimal
    # IKOTAN points (0–100) gained if this indicator reached its best value.
    max_gain: Decimal
    # The score this indicator alone would need to reach the next category, or None if even
    # its best value is not enough (or there is no next category).
    score_needed: Decimal | None
    value_needed: Decimal | None


@dataclass(frozen=True, slots=True)
class RegionResult:
    region: RegionSpec
    index: Decimal | None
    category: Category | None
    missing: tuple[str, ...]
    variables: Mapping[str, Decimal | None]


@dataclass(frozen=True, slots=True)
class CompletenessRow:
    stakeholder: StakeholderSpec
    expected: int
    approved: int


@dataclass(frozen=True)
class EditionResult:
    edition: EditionSpec
    index: Decimal | None
    category: Category | None
    missing: tuple[str, ...]
    variables: tuple[VariableResult, ...]
    levers: tuple[Lever, ...]
    territory: tuple[RegionResult, ...]


@dataclass(frozen=True)
class PeriodScores:
    period_id: int
    city: RegionSpec
    fingerprint: str
    value_count: int
    editions: tuple[EditionResult, ...]
    completeness: tuple[CompletenessRow, ...] = field(default=())


# --- The formulas -----------------------------------------------------------------------


def indicator_score(value: Decimal, *, worst: Decimal, best: Decimal) -> Decimal:
    """§3.1: clamp((v − worst) / (best − worst), 0, 1) × 100. best < worst: lower is better."""
    score = (value - worst) * HUNDRED / (best - worst)
    if score < ZERO:
        return ZERO
    if score > HUNDRED:
        return HUNDRED
    return score


def mean(scores: Sequence[Decimal]) -> Decimal | None:
    return sum(scores, ZERO) / len(scores) if scores else None


def variable_index(
    scores: Mapping[int, Decimal], indicators: Sequence[IndicatorSpec]
) -> VariableIndex:
    """§3.3 over `indicators` (the active ones of one variable, at the levels in view)."""
    total = scored = acc = ZERO
    weighted: dict[int, Decimal] = {}
    for spec in indicators:
        total += spec.weight
        score = scores.get(spec.id)
        if score is None:
            continue
        scored += spec.weight
        weighted[spec.id] = spec.weight * score
        acc += weighted[spec.id]
    if not scored:
        return VariableIndex(index=None, coverage=ZERO, contributions={})
    return VariableIndex(
        index=acc / scored,
        coverage=scored / total,
        contributions={pk: w / scored for pk, w in weighted.items()},
    )


def _index_only(
    scores: Mapping[int, Decimal], indicators: Sequence[IndicatorSpec]
) -> Decimal | None:
    """variable_index(...).index without coverage and contributions: the territorial view
    computes it for every kelurahan of every period, so it stays lean."""
    acc = scored = ZERO
    for spec in indicators:
        score = scores.get(spec.id)
        if score is not None:
            acc += spec.weight * score
            scored += spec.weight
    return acc / scored if scored else None


def ikotan(
    indices: Mapping[str, Decimal | None], weights: Mapping[str, Decimal]
) -> tuple[Decimal | None, tuple[str, ...]]:
    """§3.4: (IKOTAN, ()) when every weighted variable has an index, else (None, missing)."""
    missing = tuple(code for code in weights if indices.get(code) is None)
    if missing:
        return None, missing
    acc = sum((weight * indices[code] for code, weight in weights.items()), ZERO)  # type: ignore[operator]
    return acc / sum(weights.values(), ZERO), ()


def to_scale(x: Decimal, edition: EditionSpec) -> Decimal:
    """§3.5: 0–100 → the edition's scale (for 1–4: 1 + 3·x/100)."""
    return edition.scale_min + (edition.scale_max - edition.scale_min) * x / HUNDRED


def from_scale(value: Decimal, edition: EditionSpec) -> Decimal:
    return (value - edition.scale_min) * HUNDRED / (edition.scale_max - edition.scale_min)


def round_half_up(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def band_for(value: Decimal, bands: Sequence[Band]) -> Band | None:
    """The band containing `value`: each includes its upper bound, the first also its lower
    one. None when the value falls where an edition has no band (unpublished bands)."""
    previous_upper: Decimal | None = None
    for band in bands:
        above_lower = value >= band.lower if previous_upper is None else value > previous_upper
        if above_lower and value <= band.upper:
            return band
        previous_upper = band.upper
    return None


def categorise(x: Decimal, edition: EditionSpec) -> Category:
    scaled = round_half_up(to_scale(x, edition))
    band = band_for(scaled, edition.bands)
    next_band = next((b for b in edition.bands if b.lower > scaled), None)
    gap = next_band.lower - scaled if next_band else None
    return Category(scaled=scaled, band=band, next_band=next_band, gap=gap)


def fingerprint(values: Iterable[ValueRow]) -> str:
    """sha256 of the sorted approved values used, so a snapshot is traceable to its inputs."""
    lines = sorted(f"{i}:{r or ''}:{s or ''}:{v}" for i, r, s, v in values)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


# --- Aggregation ------------------------------------------------------------------------


@dataclass
class _UnitScores:
    city: dict[int, Decimal]
    city_units: dict[int, int]
    kecamatan: dict[int, dict[int, Decimal]]
    kelurahan: dict[int, dict[int, Decimal]]


def unit_scores(inputs: PeriodInputs) -> _UnitScores:
    """§3.2: each indicator's score for the city (kota value, or the plain mean over the
    units with an approved value), for each kelurahan, and for each kecamatan (mean over its
    kelurahan)."""
    specs = {spec.id: spec for spec in inputs.indicators}
    kelurahan_parent = {k.id: k.parent_id for k in inputs.kelurahan}
    city: dict[int, Decimal] = {}
    kelurahan: dict[int, dict[int, Decimal]] = defaultdict(dict)
    by_stakeholder: dict[int, list[Decimal]] = defaultdict(list)
    for indicator_id, region_id, stakeholder_id, value in inputs.values:
        spec = specs.get(indicator_id)
        if spec is None:
            continue  # a retired indicator
        score = indicator_score(value, worst=spec.worst, best=spec.best)
        if spec.level == KELURAHAN:
            if region_id in kelurahan_parent:
                kelurahan[region_id][indicator_id] = score
        elif spec.level == STAKEHOLDER:
            if stakeholder_id is not None:
                by_stakeholder[indicator_id].append(score)
        elif region_id == inputs.city.id:
            city[indicator_id] = score

    city_units = dict.fromkeys(city, 1)
    kel_sums: dict[int, list[Decimal]] = defaultdict(list)
    kec_sums: dict[int, dict[int, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    for kel_id, scores in kelurahan.items():
        kec = kec_sums[kelurahan_parent[kel_id]]  # type: ignore[index]
        for indicator_id, score in scores.items():
            kel_sums[indicator_id].append(score)
            kec[indicator_id].append(score)
    for indicator_id, unit_list in (*kel_sums.items(), *by_stakeholder.items()):
        city[indicator_id] = sum(unit_list, ZERO) / len(unit_list)
        city_units[indicator_id] = len(unit_list)
    kecamatan = {
        kec_id: {pk: sum(s, ZERO) / len(s) for pk, s in per_indicator.items()}
        for kec_id, per_indicator in kec_sums.items()
    }
    return _UnitScores(city=city, city_units=city_units, kecamatan=kecamatan, kelurahan=kelurahan)


def _by_variable(
    indicators: Iterable[IndicatorSpec], variables: Sequence[VariableSpec]
) -> dict[str, list[IndicatorSpec]]:
    grouped: dict[str, list[IndicatorSpec]] = {v.code: [] for v in variables}
    for spec in indicators:
        grouped.setdefault(spec.variable, []).append(spec)
    return grouped


def _levers(
    variables: Sequence[VariableResult], edition: EditionSpec, x: Decimal, category: Category
) -> tuple[Lever, ...]:
    """§3.7 turned into advice: for each scored indicator, the IKOTAN points its best value
    would add (W_v/ΣW · w_i/Σw_scored · (100 − s_i)) and the score it alone would need for
    the city to reach the next category. Largest possible gain first."""
    total_weight = sum(edition.weights.values(), ZERO)
    needed = from_scale(category.next_band.lower, edition) - x if category.next_band else None
    levers = []
    for variable in variables:
        scored_weight = sum(
            (r.spec.weight for r in variable.indicators if r.score is not None), ZERO
        )
        for result in variable.indicators:
            if result.score is None:
                continue
            factor = variable.weight / total_weight * result.spec.weight / scored_weight
            score_needed = value_needed = None
            if needed is not None and needed > 0:
                target = result.score + needed / factor
                if target <= HUNDRED:
                    score_needed = target
                    span = result.spec.best - result.spec.worst
                    value_needed = result.spec.worst + target * span / HUNDRED
            levers.append(
                Lever(
                    spec=result.spec,
                    score=result.score,
                    max_gain=factor * (HUNDRED - result.score),
                    score_needed=score_needed,
                    value_needed=value_needed,
                )
            )
    levers.sort(key=lambda lever: (-lever.max_gain, lever.spec.code))
    return tuple(levers)


def _territory(
    regions: Sequence[RegionSpec],
    indices: Mapping[int, Mapping[str, Decimal | None]],
    edition: EditionSpec,
) -> list[RegionResult]:
    rows = []
    for region in regions:
        variables = indices[region.id]
        index, missing = ikotan(variables, edition.weights)
        rows.append(
            RegionResult(
                region=region,
                index=index,
                category=categorise(index, edition) if index is not None else None,
                missing=missing,
                variables=variables,
            )
        )
    return rows


def _completeness(inputs: PeriodInputs) -> tuple[CompletenessRow, ...]:
    """Per stakeholder: how many of the values it is responsible for are approved (a
    kelurahan-level indicator expects one value per kelurahan)."""
    specs = {spec.id: spec for spec in inputs.indicators}
    kelurahan_ids = {k.id for k in inputs.kelurahan}
    seen: set[tuple[int, int | None]] = set()
    for indicator_id, region_id, stakeholder_id, _value in inputs.values:
        spec = specs.get(indicator_id)
        if spec is None:
            continue
        if spec.level == STAKEHOLDER:
            seen.add((indicator_id, stakeholder_id))
        elif spec.level == KELURAHAN:
            if region_id in kelurahan_ids:
                seen.add((indicator_id, region_id))
        elif region_id == inputs.city.id:
            seen.add((indicator_id, None))
    per_indicator: dict[int, int] = defaultdict(int)
    for indicator_id, _unit in seen:
        per_indicator[indicator_id] += 1
    rows = []
    for stakeholder in inputs.stakeholders:
        expected = approved = 0
        for indicator_id in stakeholder.indicator_ids:
            spec = specs.get(indicator_id)
            if spec is None:
                continue
            if spec.level == STAKEHOLDER:
                expected += 1
                approved += (indicator_id, stakeholder.id) in seen
            elif spec.level == KELURAHAN:
                expected += len(kelurahan_ids)
                approved += per_indicator[indicator_id]
            else:
                expected += 1
                approved += (indicator_id, None) in seen
        if expected:
            rows.append(
                CompletenessRow(stakeholder=stakeholder, expected=expected, approved=approved)
            )
    return tuple(rows)


def period_scores(
    inputs: PeriodInputs, editions: Sequence[EditionSpec], *, values_fingerprint: str = ""
) -> PeriodScores:
    """Every number §3 defines for one period, under each edition."""
    units = unit_scores(inputs)
    all_by_variable = _by_variable(inputs.indicators, inputs.variables)
    kel_by_variable = _by_variable(
        (s for s in inputs.indicators if s.level == KELURAHAN), inputs.variables
    )
    city_indices = {
        code: variable_index(units.city, specs) for code, specs in all_by_variable.items()
    }
    region_indices: dict[int, dict[str, Decimal | None]] = {}
    for regions, scores in (
        (inputs.kecamatan, units.kecamatan),
        (inputs.kelurahan, units.kelurahan),
    ):
        for region in regions:
            own = scores.get(region.id, {})
            region_indices[region.id] = {
                code: _index_only(own, specs) for code, specs in kel_by_variable.items()
            }
    n_kelurahan = len(inputs.kelurahan)
    # A stakeholder-level indicator expects one value per organisation responsible for it.
    n_responsible: dict[int, int] = defaultdict(int)
    for stakeholder in inputs.stakeholders:
        for indicator_id in stakeholder.indicator_ids:
            n_responsible[indicator_id] += 1
    results = []
    for edition in editions:
        variables = []
        for variable in inputs.variables:
            vi = city_indices[variable.code]
            indicators = tuple(
                IndicatorResult(
                    spec=spec,
                    score=units.city.get(spec.id),
                    contribution=vi.contributions.get(spec.id),
                    units_with_value=units.city_units.get(spec.id, 0),
                    units_expected=(
                        n_kelurahan
                        if spec.level == KELURAHAN
                        else (n_responsible[spec.id] if spec.level == STAKEHOLDER else 1)
                    ),
                )
                for spec in all_by_variable[variable.code]
            )
            variables.append(
                VariableResult(
                    spec=variable,
                    weight=edition.weights.get(variable.code, ZERO),
                    index=vi.index,
                    coverage=vi.coverage,
                    category=categorise(vi.index, edition) if vi.index is not None else None,
                    indicators=indicators,
                )
            )
        index, missing = ikotan({c: v.index for c, v in city_indices.items()}, edition.weights)
        category = categorise(index, edition) if index is not None else None
        territory = _territory(inputs.kecamatan, region_indices, edition) + _territory(
            inputs.kelurahan, region_indices, edition
        )
        results.append(
            EditionResult(
                edition=edition,
                index=index,
                category=category,
                missing=missing,
                variables=tuple(variables),
                levers=_levers(variables, edition, index, category)
                if category and index is not None
                else (),
                territory=tuple(territory),
            )
        )
    return PeriodScores(
        period_id=inputs.period_id,
        city=inputs.city,
        fingerprint=values_fingerprint or fingerprint(inputs.values),
        value_count=len(inputs.values),
        editions=tuple(results),
        completeness=_completeness(inputs),
    )
