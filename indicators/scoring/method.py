"""IKOTAN scoring, exactly as DOMAIN.md §3 describes it.

The math is plain functions over plain, frozen dataclasses: no ORM inside, so it is quick to
test by hand and quick to run over a million values. `inputs.scores_load` reads what
they need from the database; `recompute.py` writes snapshots and queues recomputes.

§3.8: all arithmetic is on exact rationals (`fractions.Fraction`). Inputs arrive as Decimal
(exactly convertible); a mean over three units is exactly a third, and only `categorise` rounds,
once, half-up to two places on the edition's scale. With 28-digit Decimal a true 80.005 became
80.00499… after a division by 3 and fell to the lower band. Results that leave this module are
turned into Decimal by the caller (`to_decimal`), at the places it stores or shows.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, Inexact, Rounded, localcontext
from fractions import Fraction
from functools import lru_cache

ZERO = Fraction(0)
ONE = Fraction(1)
HUNDRED = Fraction(100)
CENT = Decimal("0.01")
ZERO_DECIMAL = Decimal(0)

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
    # §3.9: percent of data completeness below which the headline is not presented.
    min_completeness: Decimal = Decimal(80)


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
    # §3.9: a score is final only when its period is locked.
    is_final: bool = False


# --- Outputs ----------------------------------------------------------------------------
# Every number below the rounding step is an exact Fraction (§3.8).


@dataclass(frozen=True, slots=True)
class Category:
    """An index placed on an edition's scale: rounded value, its band, and how far the next
    band's lower bound is (on the edition's scale). The only rounded numbers of the method."""

    scaled: Decimal
    band: Band | None
    next_band: Band | None
    gap: Decimal | None

    @property
    def band_name(self) -> str:
        return self.band.name if self.band else ""


@dataclass(frozen=True, slots=True)
class VariableIndex:
    index: Fraction | None
    coverage: Fraction
    # Indicator id → w_i·s_i / Σw_i over the indicators with a score (they add up to index).
    contributions: Mapping[int, Fraction]


@dataclass(frozen=True, slots=True)
class IndicatorResult:
    spec: IndicatorSpec
    score: Fraction | None
    contribution: Fraction | None
    units_with_value: int
    units_expected: int

    @property
    def completeness(self) -> Fraction:
        """§3.9 u_i: units with an approved value ÷ units expected (at most 1)."""
        if self.units_expected <= 0:
            return ONE if self.units_with_value else ZERO
        return min(ONE, Fraction(self.units_with_value, self.units_expected))


@dataclass(frozen=True, slots=True)
class VariableResult:
    spec: VariableSpec
    weight: Decimal
    index: Fraction | None
    coverage: Fraction
    # §3.9: Σ w_i·u_i / Σ w_i over all active indicators of the variable.
    completeness: Fraction
    category: Category | None
    indicators: tuple[IndicatorResult, ...]


@dataclass(frozen=True, slots=True)
class Lever:
    """What raising one indicator would do for the city's IKOTAN."""

    spec: IndicatorSpec
    score: Fraction
    # IKOTAN points (0–100) gained if this indicator reached its best value.
    max_gain: Fraction
    # The score this indicator alone would need to reach the next category, or None if even
    # its best value is not enough (or there is no next category).
    score_needed: Fraction | None
    value_needed: Fraction | None


@dataclass(frozen=True, slots=True)
class PathStep:
    """One indicator of the path to the next category: raise it to its best value."""

    spec: IndicatorSpec
    score: Fraction
    gain: Fraction


@dataclass(frozen=True, slots=True)
class RegionResult:
    region: RegionSpec
    index: Fraction | None
    category: Category | None
    missing: tuple[str, ...]
    variables: Mapping[str, Fraction | None]
    # §3.9 over the kelurahan-level indicators, with the edition's variable weights.
    completeness: Fraction = ZERO


@dataclass(frozen=True, slots=True)
class CompletenessRow:
    stakeholder: StakeholderSpec
    expected: int
    approved: int


@dataclass(frozen=True)
class EditionResult:
    edition: EditionSpec
    index: Fraction | None
    category: Category | None
    missing: tuple[str, ...]
    variables: tuple[VariableResult, ...]
    levers: tuple[Lever, ...]
    territory: tuple[RegionResult, ...]
    # §3.9: Σ W_v·completeness_v / Σ W_v.
    completeness: Fraction = ZERO
    # The fewest indicators that, each raised to its best value, lift the city into the next
    # band (empty when there is no next band or even all of them would not be enough).
    path: tuple[PathStep, ...] = ()


@dataclass(frozen=True)
class PeriodScores:
    period_id: int
    city: RegionSpec
    fingerprint: str
    value_count: int
    editions: tuple[EditionResult, ...]
    completeness: tuple[CompletenessRow, ...] = field(default=())
    is_final: bool = False
    stakeholders: tuple[StakeholderSpec, ...] = ()


# --- The formulas -----------------------------------------------------------------------

Number = Decimal | Fraction | int


@lru_cache(maxsize=65536)
def _from_decimal(value: Decimal | int) -> Fraction:
    # Values repeat a lot (yes/no answers, whole counts, weights): converting each Decimal
    # once is a large share of a recompute.
    return Fraction(value)


def exact(value: Number) -> Fraction:
    """A Decimal (or int) as the exact rational it denotes."""
    # `type() is`, not isinstance(): Fraction's ABC makes isinstance() a slow path, and this
    # runs for every term of every mean.
    return value if type(value) is Fraction else _from_decimal(value)


def _round_units(x: Fraction, scale: int) -> int:
    """|x|·scale rounded half-up, in integers (Fraction arithmetic is the slow part)."""
    numerator, denominator = abs(x.numerator) * scale, x.denominator
    return (2 * numerator + denominator) // (2 * denominator)


def _from_units(units: int, places: int) -> Decimal:
    return Decimal(units).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def to_decimal(value: Number, places: int = 2) -> Decimal:
    """Round an exact value half-up (away from zero on a tie) to `places` decimals. The
    method calls it once per number, at the end (§3.8)."""
    x = exact(value)
    units = _round_units(x, 10**places)
    # The numerator's sign, not `x < 0`: Fraction compares with an int through the slow
    # numbers.Rational check, 8,000 times in a national recompute.
    return _from_units(-units if x.numerator < 0 else units, places)


def truncate(value: Number, places: int = 2) -> Decimal:
    """Round toward zero: for completeness, which must never reach a minimum it misses."""
    x = exact(value)
    units = abs(x.numerator) * 10**places // x.denominator
    return _from_units(-units if x.numerator < 0 else units, places)


def indicator_score(value: Number, *, worst: Number, best: Number) -> Fraction:
    """§3.1: clamp((v − worst) / (best − worst), 0, 1) × 100. best < worst: lower is better."""
    v, w, b = exact(value), exact(worst), exact(best)
    score = (v - w) * HUNDRED / (b - w)
    if score < ZERO:
        return ZERO
    if score > HUNDRED:
        return HUNDRED
    return score


def mean(scores: Sequence[Fraction]) -> Fraction | None:
    return sum(scores, ZERO) / len(scores) if scores else None


def variable_index(
    scores: Mapping[int, Fraction] | Mapping[int, Decimal], indicators: Sequence[IndicatorSpec]
) -> VariableIndex:
    """§3.3 over `indicators` (the active ones of one variable, at the levels in view)."""
    total = scored = acc = ZERO
    weighted: dict[int, Fraction] = {}
    for spec in indicators:
        weight = exact(spec.weight)
        total += weight
        score = scores.get(spec.id)
        if score is None:
            continue
        scored += weight
        weighted[spec.id] = weight * exact(score)
        acc += weighted[spec.id]
    if not scored:
        return VariableIndex(index=None, coverage=ZERO, contributions={})
    return VariableIndex(
        index=acc / scored,
        coverage=scored / total,
        contributions={pk: w / scored for pk, w in weighted.items()},
    )


def weighted_mean(terms: Iterable[tuple[Number, Number]]) -> Fraction | None:
    """Σ w·x / Σ w over (w, x) pairs, exactly; None without weight. The sums are kept as one
    unreduced numerator over one denominator and reduced once by Fraction at the end: the
    same exact value without a gcd per term (it runs for every region of every period)."""
    numerator, denominator = 0, 1
    weight_n, weight_d = 0, 1
    for weight, value in terms:
        w, x = exact(weight), exact(value)
        term_n, term_d = w.numerator * x.numerator, w.denominator * x.denominator
        numerator, denominator = numerator * term_d + term_n * denominator, denominator * term_d
        weight_n, weight_d = (
            weight_n * w.denominator + w.numerator * weight_d,
            weight_d * w.denominator,
        )
    if not weight_n:
        return None
    return Fraction(numerator * weight_d, denominator * weight_n)


def _index_only(
    scores: Mapping[int, Fraction], indicators: Sequence[IndicatorSpec]
) -> Fraction | None:
    """variable_index(...).index without coverage and contributions: the territorial view
    computes it for every kelurahan of every period, so it stays lean."""
    return weighted_mean((spec.weight, scores[spec.id]) for spec in indicators if spec.id in scores)


def ikotan(
    indices: Mapping[str, Fraction | None] | Mapping[str, Decimal | None],
    weights: Mapping[str, Number],
) -> tuple[Fraction | None, tuple[str, ...]]:
    """§3.4: (IKOTAN, ()) when every weighted variable has an index, else (None, missing)."""
    missing = tuple(code for code in weights if indices.get(code) is None)
    if missing:
        return None, missing
    return weighted_mean((w, indices[code]) for code, w in weights.items()), ()  # type: ignore[misc]


def weighted_completeness(parts: Mapping[str, Fraction], weights: Mapping[str, Number]) -> Fraction:
    """§3.9: Σ W_v·completeness_v / Σ W_v (a variable without any part counts as 0)."""
    return weighted_mean((w, parts.get(code, ZERO)) for code, w in weights.items()) or ZERO


def _is_percent(edition: EditionSpec) -> bool:
    return edition.scale_min == 0 and edition.scale_max == 100


def to_scale(x: Number, edition: EditionSpec) -> Fraction:
    """§3.5: 0–100 → the edition's scale (for 1–4: 1 + 3·x/100)."""
    if _is_percent(edition):
        return exact(x)
    low, high = exact(edition.scale_min), exact(edition.scale_max)
    return low + (high - low) * exact(x) / HUNDRED


def from_scale(value: Number, edition: EditionSpec) -> Fraction:
    if _is_percent(edition):
        return exact(value)
    low, high = exact(edition.scale_min), exact(edition.scale_max)
    return (exact(value) - low) * HUNDRED / (high - low)


def round_half_up(value: Number) -> Decimal:
    return to_decimal(value, 2)


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


def categorise(x: Number, edition: EditionSpec) -> Category:
    """§3.5: the one rounding of the method, on the edition's scale, then the band."""
    scaled = round_half_up(to_scale(x, edition))
    band = band_for(scaled, edition.bands)
    next_band = next((b for b in edition.bands if b.lower > scaled), None)
    gap = next_band.lower - scaled if next_band else None
    return Category(scaled=scaled, band=band, next_band=next_band, gap=gap)


def index_to_store(x: Number, category: Category, edition: EditionSpec, places: int = 4) -> Decimal:
    """`x` (0–100) as a decimal of `places` places that categorises exactly as `x` does.

    Plain rounding would round twice: a true 80.00496 stores as 80.0050, which a reader
    rounds to 80.01 while the category says 80.00. So the stored value is the nearest one
    inside the interval of indices that round to `category.scaled`."""
    stored = to_decimal(x, places)
    if _is_percent(edition) and stored.quantize(CENT, ROUND_HALF_UP) == category.scaled:
        return stored  # already inside: the usual case, without Fraction arithmetic
    half = Fraction(1, 200)
    low = from_scale(exact(category.scaled) - half, edition)
    high = from_scale(exact(category.scaled) + half, edition)  # excluded
    step = Fraction(1, 10**places)
    if exact(stored) < low:
        stored = _ceil_decimal(low, places)
    if exact(stored) >= high:
        stored = _ceil_decimal(high, places) - Decimal(step.numerator) / step.denominator
    return stored


def _ceil_decimal(x: Fraction, places: int) -> Decimal:
    return _from_units(-((-x.numerator * 10**places) // x.denominator), places)


def fingerprint(values: Iterable[ValueRow]) -> str:
    """sha256 of the sorted approved values used, so a snapshot is traceable to its inputs."""
    lines = sorted(f"{i}:{r or ''}:{s or ''}:{v}" for i, r, s, v in values)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


# --- Aggregation ------------------------------------------------------------------------


@dataclass
class _UnitScores:
    city: dict[int, Fraction]
    city_units: dict[int, int]
    kecamatan: dict[int, dict[int, Fraction]]
    kelurahan: dict[int, dict[int, Fraction]]


def unit_scores(inputs: PeriodInputs) -> _UnitScores:
    """§3.2: each indicator's score for the city (kota value, or the plain mean over the
    units with an approved value), for each kelurahan, and for each kecamatan (mean over its
    kelurahan).

    A unit's score is its clamped distance from `worst` times 100/(best − worst). Distances
    are Decimal arithmetic on the values' few digits, exact (the context traps any rounding),
    so a mean over units is one Fraction division of their summed distances rather than a
    Fraction addition per unit: the same exact number, several times faster (issue 13)."""
    with localcontext() as context:
        context.prec = 60
        context.traps[Inexact] = True
        context.traps[Rounded] = True
        return _unit_scores(inputs)


def _unit_scores(inputs: PeriodInputs) -> _UnitScores:
    specs = {spec.id: spec for spec in inputs.indicators}
    bounds = {
        spec.id: (spec.worst, spec.best - spec.worst, HUNDRED / exact(spec.best - spec.worst))
        for spec in inputs.indicators
    }
    scores: dict[tuple[int, Decimal], Fraction] = {}

    def score_of(indicator_id: int, distance: Decimal) -> Fraction:
        key = (indicator_id, distance)
        if key not in scores:
            scores[key] = exact(distance) * bounds[indicator_id][2]
        return scores[key]

    kelurahan_parent = {k.id: k.parent_id for k in inputs.kelurahan}
    city: dict[int, Fraction] = {}
    kelurahan_distance: dict[int, dict[int, Decimal]] = defaultdict(dict)
    by_stakeholder: dict[int, list[Decimal]] = defaultdict(list)
    for indicator_id, region_id, stakeholder_id, value in inputs.values:
        spec = specs.get(indicator_id)
        if spec is None:
            continue  # a retired indicator
        worst, span, _factor = bounds[indicator_id]
        distance = value - worst
        # Clamp to [0, span] (span < 0 when lower is better: [span, 0]).
        if (distance < 0) == (span > 0) and distance:
            distance = ZERO_DECIMAL
        elif abs(distance) > abs(span):
            distance = span
        if spec.level == KELURAHAN:
            if region_id in kelurahan_parent:
                kelurahan_distance[region_id][indicator_id] = distance
        elif spec.level == STAKEHOLDER:
            if stakeholder_id is not None:
                by_stakeholder[indicator_id].append(distance)
        elif region_id == inputs.city.id:
            city[indicator_id] = score_of(indicator_id, distance)

    def mean_of(indicator_id: int, distances: list[Decimal]) -> Fraction:
        return exact(sum(distances)) * bounds[indicator_id][2] / len(distances)

    city_units = dict.fromkeys(city, 1)
    kel_sums: dict[int, list[Decimal]] = defaultdict(list)
    kec_sums: dict[int, dict[int, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    for kel_id, distances in kelurahan_distance.items():
        kec = kec_sums[kelurahan_parent[kel_id]]  # type: ignore[index]
        for indicator_id, distance in distances.items():
            kel_sums[indicator_id].append(distance)
            kec[indicator_id].append(distance)
    for indicator_id, unit_list in (*kel_sums.items(), *by_stakeholder.items()):
        city[indicator_id] = mean_of(indicator_id, unit_list)
        city_units[indicator_id] = len(unit_list)
    kecamatan = {
        kec_id: {pk: mean_of(pk, d) for pk, d in per_indicator.items()}
        for kec_id, per_indicator in kec_sums.items()
    }
    kelurahan = {
        kel_id: {pk: score_of(pk, d) for pk, d in distances.items()}
        for kel_id, distances in kelurahan_distance.items()
    }
    return _UnitScores(city=city, city_units=city_units, kecamatan=kecamatan, kelurahan=kelurahan)


def _by_variable(
    indicators: Iterable[IndicatorSpec], variables: Sequence[VariableSpec]
) -> dict[str, list[IndicatorSpec]]:
    grouped: dict[str, list[IndicatorSpec]] = {v.code: [] for v in variables}
    for spec in indicators:
        grouped.setdefault(spec.variable, []).append(spec)
    return grouped


def _factor(variable: VariableResult, result: IndicatorResult, total_weight: Fraction) -> Fraction:
    """IKOTAN points per score point of one scored indicator: W_v/ΣW · w_i/Σw_scored."""
    scored_weight = sum(
        (exact(r.spec.weight) for r in variable.indicators if r.score is not None), ZERO
    )
    return exact(variable.weight) / total_weight * exact(result.spec.weight) / scored_weight


def _levers(
    variables: Sequence[VariableResult], edition: EditionSpec, x: Fraction, category: Category
) -> tuple[Lever, ...]:
    """§3.7 turned into advice: for each scored indicator, the IKOTAN points its best value
    would add (W_v/ΣW · w_i/Σw_scored · (100 − s_i)) and the score it alone would need for
    the city to reach the next category. Largest possible gain first."""
    total_weight = sum((exact(w) for w in edition.weights.values()), ZERO)
    needed = points_needed_for_next_band(edition, x, category)
    levers = []
    for variable in variables:
        for result in variable.indicators:
            if result.score is None:
                continue
            factor = _factor(variable, result, total_weight)
            score_needed = value_needed = None
            if needed is not None and needed > 0:
                target = result.score + needed / factor
                if target <= HUNDRED:
                    score_needed = target
                    worst, best = exact(result.spec.worst), exact(result.spec.best)
                    value_needed = worst + target * (best - worst) / HUNDRED
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


def points_needed_for_next_band(
    edition: EditionSpec, x: Fraction, category: Category
) -> Fraction | None:
    """IKOTAN points (0–100) from `x` to the next band's lower bound (§3.7's gap, exact)."""
    if category.next_band is None:
        return None
    return from_scale(category.next_band.lower, edition) - x


def path_to_next_band(levers: Sequence[Lever], needed: Fraction | None) -> tuple[PathStep, ...]:
    """The fewest indicators to raise to their best value so that IKOTAN reaches the next
    band. Raising one indicator never changes another's gain (each enters IKOTAN linearly,
    with a fixed factor), so taking the largest gains first is optimal for the count: no k
    indicators add more than the k largest gains. Empty if all of them are not enough."""
    if needed is None or needed <= 0:
        return ()
    steps: list[PathStep] = []
    total = ZERO
    for lever in sorted(levers, key=lambda lv: (-lv.max_gain, lv.spec.code)):
        if lever.max_gain <= 0:
            break
        steps.append(PathStep(spec=lever.spec, score=lever.score, gain=lever.max_gain))
        total += lever.max_gain
        if total >= needed:
            return tuple(steps)
    return ()


def _territory(
    regions: Sequence[RegionSpec],
    indices: Mapping[int, Mapping[str, Fraction | None]],
    completeness: Mapping[int, Mapping[str, Fraction]],
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
                completeness=weighted_completeness(completeness[region.id], edition.weights),
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


def _region_completeness(
    inputs: PeriodInputs,
    units: _UnitScores,
    kel_by_variable: Mapping[str, Sequence[IndicatorSpec]],
) -> dict[int, dict[str, Fraction]]:
    """§3.9 per kelurahan (u_i is 1 or 0) and per kecamatan (u_i = its kelurahan with a
    value ÷ its kelurahan), per variable, over the kelurahan-level indicators."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for kel in inputs.kelurahan:
        children[kel.parent_id].append(kel.id)
    # Weights are Decimals: Σ w_i·count_i stays exact Decimal arithmetic, one Fraction each.
    totals = {
        code: sum((spec.weight for spec in specs), Decimal(0))
        for code, specs in kel_by_variable.items()
    }
    result: dict[int, dict[str, Fraction]] = {}
    for region in (*inputs.kecamatan, *inputs.kelurahan):
        members = [region.id] if region.level == KELURAHAN else children.get(region.id, [])
        filled = [units.kelurahan.get(m, {}) for m in members]
        per_variable: dict[str, Fraction] = {}
        for code, specs in kel_by_variable.items():
            total = totals[code]
            if not total or not members:
                per_variable[code] = ZERO
                continue
            acc = sum(
                (spec.weight * sum(1 for scores in filled if spec.id in scores) for spec in specs),
                Decimal(0),
            )
            per_variable[code] = Fraction(acc) / (Fraction(total) * len(members))
        result[region.id] = per_variable
    return result


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
    region_indices: dict[int, dict[str, Fraction | None]] = {}
    for regions, scores in (
        (inputs.kecamatan, units.kecamatan),
        (inputs.kelurahan, units.kelurahan),
    ):
        for region in regions:
            own = scores.get(region.id, {})
            region_indices[region.id] = {
                code: _index_only(own, specs) for code, specs in kel_by_variable.items()
            }
    region_completeness = _region_completeness(inputs, units, kel_by_variable)
    n_kelurahan = len(inputs.kelurahan)
    # A stakeholder-level indicator expects one value per organisation responsible for it.
    n_responsible: dict[int, int] = defaultdict(int)
    for stakeholder in inputs.stakeholders:
        for indicator_id in stakeholder.indicator_ids:
            n_responsible[indicator_id] += 1
    city_variables: dict[str, tuple[tuple[IndicatorResult, ...], Fraction]] = {}
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
        total = sum((exact(r.spec.weight) for r in indicators), ZERO)
        done = sum((exact(r.spec.weight) * r.completeness for r in indicators), ZERO)
        city_variables[variable.code] = (indicators, done / total if total else ZERO)
    results = []
    for edition in editions:
        variables = []
        for variable in inputs.variables:
            vi = city_indices[variable.code]
            indicators, completeness = city_variables[variable.code]
            variables.append(
                VariableResult(
                    spec=variable,
                    weight=edition.weights.get(variable.code, Decimal(0)),
                    index=vi.index,
                    coverage=vi.coverage,
                    completeness=completeness,
                    category=categorise(vi.index, edition) if vi.index is not None else None,
                    indicators=indicators,
                )
            )
        index, missing = ikotan({c: v.index for c, v in city_indices.items()}, edition.weights)
        category = categorise(index, edition) if index is not None else None
        territory = _territory(
            inputs.kecamatan, region_indices, region_completeness, edition
        ) + _territory(inputs.kelurahan, region_indices, region_completeness, edition)
        levers = (
            _levers(variables, edition, index, category) if category and index is not None else ()
        )
        results.append(
            EditionResult(
                edition=edition,
                index=index,
                category=category,
                missing=missing,
                variables=tuple(variables),
                levers=levers,
                territory=tuple(territory),
                completeness=weighted_completeness(
                    {code: c for code, (_i, c) in city_variables.items()}, edition.weights
                ),
                path=path_to_next_band(
                    levers, points_needed_for_next_band(edition, index, category)
                )
                if category and index is not None
                else (),
            )
        )
    return PeriodScores(
        period_id=inputs.period_id,
        city=inputs.city,
        fingerprint=values_fingerprint or fingerprint(inputs.values),
        value_count=len(inputs.values),
        editions=tuple(results),
        completeness=_completeness(inputs),
        is_final=inputs.is_final,
        stakeholders=inputs.stakeholders,
    )
