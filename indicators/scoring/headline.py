"""A city's headline scores from per-indicator sums: what a national recompute writes.

`method.period_scores` explains a period (every indicator's contribution, levers, the
territory of every kelurahan) and needs each approved value in Python: at national scale a
million values, about 35 s. The headline (IKOTAN, its category, the missing variables and the
data completeness under each edition) needs only, per indicator, how many units have an
approved value and the sum of their clamped distances from `worst`, which PostgreSQL keeps
added up as the values change (models.ValueTally; `inputs.headlines_load` reads them). This
module turns those sums into the same exact numbers as `period_scores`
(tests/indicators/test_headline.py compares the two), in integer arithmetic: a Fraction per
term would cost more than reading the sums.

A mean over n units is §3.2's plain mean of unit scores: Σ(100·dᵤ/span)/n = 100·Σdᵤ/(span·n),
so the sum of distances carries everything the city's score needs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from indicators.scoring.method import (
    KELURAHAN,
    STAKEHOLDER,
    ZERO,
    Category,
    EditionSpec,
    IndicatorSpec,
    VariableSpec,
    categorise,
    ikotan,
    weighted_completeness,
)

# One indicator's approved values in one period, added up by the database: the units (the
# city, kelurahan or organisations) with an approved value, and Σ (v − worst) over them with
# v clamped into the indicator's range, exact as numeric sums are. A plain tuple: a national
# recompute reads 50,000.
IndicatorSums = tuple[int, Decimal]


@dataclass(frozen=True)
class HeadlineInputs:
    period_id: int
    city_id: int
    is_final: bool
    # Approved values of active indicators at their level, and their fingerprint.
    value_count: int
    fingerprint: str
    sums: Mapping[int, IndicatorSums]
    kelurahan_count: int
    # Indicator id → active organisations of the city responsible for it (§3.9's expected
    # units of a stakeholder-level indicator).
    responsible: Mapping[int, int]


@dataclass(frozen=True, slots=True)
class Headline:
    edition: EditionSpec
    index: Fraction | None
    category: Category | None
    missing: tuple[str, ...]
    completeness: Fraction


@dataclass(frozen=True, slots=True)
class _Term:
    """An indicator's constants as integers: weight wn/wd and 100/span as fn/fd."""

    id: int
    level: str
    weight_n: int
    weight_d: int
    factor_n: int
    factor_d: int


class Catalogue:
    """The active indicators grouped by variable, with their constants as integer ratios,
    prepared once for every period of a recompute."""

    def __init__(self, variables: Sequence[VariableSpec], indicators: Sequence[IndicatorSpec]):
        self.codes = [v.code for v in variables]
        grouped: dict[str, list[_Term]] = {code: [] for code in self.codes}
        weights: dict[str, list[Decimal]] = {code: [] for code in self.codes}
        for spec in indicators:
            weight_n, weight_d = spec.weight.as_integer_ratio()
            span_n, span_d = (spec.best - spec.worst).as_integer_ratio()
            # 100/span with a positive denominator (span < 0 when lower is better; the
            # clamped distances then are ≤ 0 too, and the score comes out positive).
            factor_n, factor_d = (100 * span_d, span_n) if span_n > 0 else (-100 * span_d, -span_n)
            term = _Term(spec.id, spec.level, weight_n, weight_d, factor_n, factor_d)
            grouped.setdefault(spec.variable, []).append(term)
            weights.setdefault(spec.variable, []).append(spec.weight)
        self.terms = grouped
        self.total_weight = {code: Fraction(sum(ws, Decimal(0))) for code, ws in weights.items()}


def _variable(terms: Sequence[_Term], inputs: HeadlineInputs) -> tuple[Fraction | None, int, int]:
    """§3.3's index over the indicators with a score, and §3.9's Σ w_i·u_i (not yet divided
    by Σ w_i) as a numerator and denominator: exact, each sum kept unreduced until the end."""
    num, den = 0, 1  # Σ w_i·s_i
    wn_sum, wd_sum = 0, 1  # Σ w_i over the indicators with a score
    done_n, done_d = 0, 1  # Σ w_i·u_i
    sums, responsible, kelurahan = inputs.sums, inputs.responsible, inputs.kelurahan_count
    for term in terms:
        found = sums.get(term.id)
        if found is None:
            continue
        units, distance = found
        level = term.level
        expected = (
            kelurahan
            if level == KELURAHAN
            else responsible.get(term.id, 0)
            if level == STAKEHOLDER
            else 1
        )
        weight_n, weight_d = term.weight_n, term.weight_d
        # u_i = min(1, units/expected), 1 when nothing is expected
        if expected <= 0 or units >= expected:
            done_n, done_d = done_n * weight_d + weight_n * done_d, done_d * weight_d
        else:
            part_d = weight_d * expected
            done_n, done_d = done_n * part_d + weight_n * units * done_d, done_d * part_d
        dist_n, dist_d = distance.as_integer_ratio()
        # w·s = (wn/wd)·(fn/fd)·(dn/dd)/units
        term_n = weight_n * term.factor_n * dist_n
        term_d = weight_d * term.factor_d * dist_d * units
        num, den = num * term_d + term_n * den, den * term_d
        wn_sum, wd_sum = wn_sum * weight_d + weight_n * wd_sum, wd_sum * weight_d
    index = Fraction(num * wd_sum, den * wn_sum) if wn_sum else None
    return index, done_n, done_d


# IKOTAN, the missing variables and the completeness under one set of variable weights.
_Weighed = tuple[Fraction | None, tuple[str, ...], Fraction]


def period_headline(
    inputs: HeadlineInputs, catalogue: Catalogue, editions: Sequence[EditionSpec]
) -> tuple[Headline, ...]:
    """IKOTAN, category, missing variables and completeness under each edition: the same
    numbers as `method.period_scores` gives for the values these sums come from."""
    indices: dict[str, Fraction | None] = {}
    completeness: dict[str, Fraction] = {}
    for code in catalogue.codes:
        index, done_n, done_d = _variable(catalogue.terms[code], inputs)
        indices[code] = index
        total = catalogue.total_weight[code]
        completeness[code] = (
            Fraction(done_n * total.denominator, done_d * total.numerator) if total else ZERO
        )
    # Editions often share their weights (Juknis 2021 reuses 2019's): weigh once per set.
    weighed: dict[tuple[tuple[str, Decimal], ...], _Weighed] = {}
    headlines = []
    for edition in editions:
        key = tuple(edition.weights.items())
        if key not in weighed:
            index, missing = ikotan(indices, edition.weights)
            weighed[key] = (index, missing, weighted_completeness(completeness, edition.weights))
        index, missing, done = weighed[key]
        headlines.append(
            Headline(
                edition=edition,
                index=index,
                category=categorise(index, edition) if index is not None else None,
                missing=missing,
                completeness=done,
            )
        )
    return tuple(headlines)
