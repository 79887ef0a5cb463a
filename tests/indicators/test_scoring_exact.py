"""DOMAIN.md §3.8–3.9: exact arithmetic with one rounding at the end, unit completeness and
a path to the next category. Pure functions: no database.

The tie cases are built so that every intermediate index is a non-terminating decimal (a
third, a seventh, a fifty-first) while the final index is exactly x.xx5: 28-digit Decimal
arithmetic lands just below the tie and rounds down, the method rounds up."""

from __future__ import annotations

import decimal
from decimal import Decimal as D
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indicators.scoring.method import (
    EditionSpec,
    IndicatorSpec,
    PeriodInputs,
    RegionSpec,
    StakeholderSpec,
    categorise,
    ikotan,
    index_to_store,
    path_to_next_band,
    period_scores,
    points_needed_for_next_band,
)
from tests.indicators.test_scoring import IKOTAN_2019, SCALE_1_4, VARIABLES, WEIGHTS_2019

CITY = RegionSpec(1, "99.71", "Kota Uji", "kota", None)
CODES = tuple(WEIGHTS_2019)


def _kelurahan(n: int, kecamatan: int = 1) -> tuple[tuple[RegionSpec, ...], tuple[RegionSpec, ...]]:
    """n kelurahan spread over `kecamatan` kecamatan (the first takes the remainder)."""
    kecs = tuple(
        RegionSpec(10 + k, f"99.71.0{k}", f"Kec {k}", "kecamatan", CITY.id)
        for k in range(kecamatan)
    )
    kels = tuple(
        RegionSpec(
            1000 + i,
            f"99.71.0{i % kecamatan}.{1000 + i}",
            f"Kel {i}",
            "kelurahan",
            10 + i % kecamatan,
        )
        for i in range(n)
    )
    return kecs, kels


def _sums_for_tie(n: int, target: Fraction) -> dict[str, Fraction]:
    """Per variable, a sum of n unit scores (in thousandths) that is not a multiple of n, so
    that every variable index S_v/n is non-terminating, while Σ W_v·S_v/(100·n) = target
    exactly; preferably data on which 28-digit Decimal lands below the target (searched among
    small moves; with thirds alone the Decimal errors cancel, see the 80/20 example below)."""
    base = target * n
    fallback: dict[str, Fraction] | None = (
        None  # every variable at the target: exact, but terminating per variable
    )
    step = Fraction(1, 1000)
    for k1 in range(1, 40):
        for k2 in range(1, 40):
            # KK +5k₁ and KM −2k₁ thousandths cancel under weights 10 and 25; KW +5k₂ and
            # KL −4k₂ under weights 20 and 25. HK stays at the target.
            offsets = {"KK": 5 * k1, "KM": -2 * k1, "KW": 5 * k2, "KL": -4 * k2, "HK": 0}
            sums = {code: base + offsets[code] * step for code in CODES}
            if any((offsets[c] % n) == 0 for c in CODES if c != "HK"):
                continue
            assert sum(Fraction(WEIGHTS_2019[c]) * sums[c] for c in CODES) / (100 * n) == target
            fallback = fallback or sums
            if _decimal_ikotan(sums, n) < target:
                return sums
    assert fallback is not None
    return fallback


def _spread(total: Fraction, n: int) -> list[D]:
    """n percentages with 3 decimals adding up to `total`."""
    each = (total / n * 1000) // 1 / Fraction(1000)
    values = [each] * (n - 1) + [total - each * (n - 1)]
    return [D(v.numerator) / D(v.denominator) for v in values]


def _decimal_ikotan(sums: dict[str, Fraction], n: int) -> D:
    """What 28-digit Decimal arithmetic (the previous implementation) made of the same data."""
    with decimal.localcontext(decimal.Context(prec=28)):
        indices = {c: D(s.numerator) / D(s.denominator) / n for c, s in sums.items()}
        return sum((D(WEIGHTS_2019[c]) * indices[c] for c in CODES), D(0)) / 100


def _percent_indicator(
    pk: int, code: str, variable: str, level: str, weight: int = 1
) -> IndicatorSpec:
    return IndicatorSpec(pk, code, code, variable, level, D(0), D(100), D(weight))


def _city_inputs(n: int, sums: dict[str, Fraction], kecamatan: int) -> PeriodInputs:
    kecs, kels = _kelurahan(n, kecamatan)
    indicators = tuple(
        _percent_indicator(i + 1, f"{c}1", c, "kelurahan") for i, c in enumerate(CODES)
    )
    values = [
        (spec.id, kel.id, None, value)
        for spec in indicators
        for kel, value in zip(kels, _spread(sums[spec.variable], n), strict=True)
    ]
    return PeriodInputs(
        period_id=1,
        city=CITY,
        kecamatan=kecs,
        kelurahan=kels,
        variables=VARIABLES,
        indicators=indicators,
        values=values,
    )


TARGETS = [
    # (target IKOTAN, rounded, band under IKOTAN 2019)
    (Fraction(80005, 1000), D("80.01"), "Sangat Tanggap"),
    (Fraction(60005, 1000), D("60.01"), "Tanggap"),
    (Fraction(40005, 1000), D("40.01"), "Cukup Tanggap"),
]


@pytest.mark.parametrize("n", [3, 7, 51])
@pytest.mark.parametrize(("target", "rounded", "band"), TARGETS)
def test_a_city_tie_after_a_mean_over_n_kelurahan_rounds_up(n, target, rounded, band):
    sums = _sums_for_tie(n, target)
    if n != 3:
        assert _decimal_ikotan(sums, n) < target  # the trap the previous Decimal code fell in
    result = period_scores(_city_inputs(n, sums, kecamatan=2), [IKOTAN_2019]).editions[0]
    assert result.index == target
    assert result.category is not None
    assert (result.category.scaled, result.category.band_name) == (rounded, band)


@pytest.mark.parametrize("n", [3, 7, 51])
def test_a_kecamatan_tie_after_a_mean_over_its_n_kelurahan_rounds_up(n):
    target = Fraction(60005, 1000)
    sums = _sums_for_tie(n, target)
    result = period_scores(_city_inputs(n, sums, kecamatan=1), [IKOTAN_2019]).editions[0]
    kecamatan = next(r for r in result.territory if r.region.level == "kecamatan")
    assert kecamatan.index == target
    assert kecamatan.category is not None
    assert (kecamatan.category.scaled, kecamatan.category.band_name) == (D("60.01"), "Tanggap")


@pytest.mark.parametrize("n", [3, 7, 51])
def test_a_kelurahan_tie_after_a_division_by_the_indicator_weights_rounds_up(n):
    """In one kelurahan, each variable has two indicators weighing 1 and n − 1: its index is
    (s₁ + (n − 1)·s₂)/n, and only the weighted mean over the variables is a tie."""
    target = Fraction(80005, 1000)
    sums = _sums_for_tie(n, target)
    kecs, kels = _kelurahan(1)
    indicators, values = [], []
    for i, code in enumerate(CODES):
        light = _percent_indicator(2 * i + 1, f"{code}1", code, "kelurahan", weight=1)
        heavy = _percent_indicator(2 * i + 2, f"{code}2", code, "kelurahan", weight=n - 1)
        indicators += [light, heavy]
        # s₂ = 80 and s₁ = S − (n − 1)·80, so that s₁ + (n − 1)·s₂ = S.
        s1 = sums[code] - (n - 1) * 80
        values += [
            (light.id, kels[0].id, None, D(s1.numerator) / D(s1.denominator)),
            (heavy.id, kels[0].id, None, D(80)),
        ]
    assert all(0 <= v[3] <= 100 for v in values)
    inputs = PeriodInputs(1, CITY, kecs, kels, VARIABLES, tuple(indicators), values)
    result = period_scores(inputs, [IKOTAN_2019]).editions[0]
    kelurahan = next(r for r in result.territory if r.region.level == "kelurahan")
    assert kelurahan.index == target
    assert kelurahan.category is not None
    assert (kelurahan.category.scaled, kelurahan.category.band_name) == (
        D("80.01"),
        "Sangat Tanggap",
    )


@pytest.mark.parametrize("n", [3, 21, 51])
def test_a_tie_on_a_1_to_4_edition_rounds_up(n):
    """1 + 3·x/100 = 3.005 needs x = 200.5/3: a mean over n kelurahan (n a multiple of 3,
    21 = 3·7) that only the exact method keeps exactly."""
    x = (Fraction("3.005") - 1) * 100 / 3
    sums = {code: x * n for code in CODES}
    result = period_scores(_city_inputs(n, sums, kecamatan=2), [SCALE_1_4]).editions[0]
    assert result.index == x
    assert result.category is not None
    assert (result.category.scaled, result.category.band_name) == (D("3.01"), "Cukup Tanggap")


def test_the_example_of_the_issue_is_80_01_sangat_tanggap():
    """(80·240.016 + 20·240.011)/300 is exactly 80.005 → 80.01 Sangat Tanggap."""
    two = EditionSpec(9, "80/20", D(0), D(100), {"A": D(80), "B": D(20)}, IKOTAN_2019.bands)
    index, missing = ikotan(
        {"A": Fraction("240.016") / 3, "B": Fraction("240.011") / 3}, two.weights
    )
    assert missing == ()
    assert index == Fraction("80.005")
    category = categorise(index, two)
    assert (category.scaled, category.band_name) == (D("80.01"), "Sangat Tanggap")


def test_the_example_of_the_issue_through_three_kelurahan():
    """The same numbers as unit values: KK and KM are means over three kelurahan, under an
    edition weighing them 80 and 20 (the other variables weigh nothing here)."""
    weights = {"KK": D(80), "KM": D(20), "KW": D(0), "KL": D(0), "HK": D(0)}
    edition = EditionSpec(9, "80/20", D(0), D(100), weights, IKOTAN_2019.bands)
    sums = {code: Fraction(240) for code in CODES}
    sums |= {"KK": Fraction("240.016"), "KM": Fraction("240.011")}
    with decimal.localcontext(decimal.Context(prec=28)):
        kk, km = D("240.016") / 3, D("240.011") / 3
        assert round((80 * kk + 20 * km) / 100, 2) == D("80.00")  # the stored 80.00 "Tanggap"
    result = period_scores(_city_inputs(3, sums, kecamatan=1), [edition]).editions[0]
    assert result.index == Fraction("80.005")
    assert result.category is not None
    assert (result.category.scaled, result.category.band_name) == (D("80.01"), "Sangat Tanggap")


# --- The stored index and the scaled value never disagree -------------------------------

exact_indices = st.fractions(min_value=0, max_value=100, max_denominator=10**6)


@given(x=exact_indices, edition=st.sampled_from([IKOTAN_2019, SCALE_1_4]))
def test_the_stored_index_rounds_to_the_stored_scaled_value(x, edition):
    category = categorise(x, edition)
    stored = index_to_store(x, category, edition)
    assert categorise(stored, edition).scaled == category.scaled
    assert abs(Fraction(stored) - x) <= Fraction(1, 10**4)


def test_an_index_just_below_a_tie_is_not_stored_as_the_tie():
    x = Fraction("80.00496")
    category = categorise(x, IKOTAN_2019)
    assert category.scaled == D("80.00")
    assert index_to_store(x, category, IKOTAN_2019) == D("80.0049")  # not 80.0050
    assert index_to_store(
        Fraction("80.005"), categorise(Fraction("80.005"), IKOTAN_2019), IKOTAN_2019
    ) == D("80.0050")


# --- §3.9 unit completeness -------------------------------------------------------------


def test_completeness_counts_units_per_indicator_variable_and_city():
    kecs, kels = _kelurahan(4, 2)
    indicators = (
        _percent_indicator(1, "KK1", "KK", "kelurahan", weight=3),
        _percent_indicator(2, "KK2", "KK", "kota", weight=1),
        _percent_indicator(3, "KM1", "KM", "kota"),
        _percent_indicator(4, "KW1", "KW", "kota"),
        _percent_indicator(5, "KL4", "KL", "stakeholder"),
        _percent_indicator(6, "HK1", "HK", "kota"),
    )
    stakeholders = tuple(StakeholderSpec(70 + i, f"OPD {i}", (5,)) for i in range(4))
    values = [
        (1, kels[0].id, None, D(50)),  # KK1 at 1 of 4 kelurahan
        (2, CITY.id, None, D(50)),
        (3, CITY.id, None, D(50)),
        (4, CITY.id, None, D(50)),
        (5, None, 70, D(1)),  # KL4 from 1 of 4 organisations
        (6, CITY.id, None, D(50)),
    ]
    inputs = PeriodInputs(1, CITY, kecs, kels, VARIABLES, indicators, values, stakeholders)
    result = period_scores(inputs, [IKOTAN_2019]).editions[0]
    kk, km, _kw, kl, _hk = result.variables
    assert [r.completeness for r in kk.indicators] == [Fraction(1, 4), 1]
    assert kk.coverage == 1  # every indicator has a score …
    assert kk.completeness == Fraction(3 * Fraction(1, 4) + 1, 4)  # … from few units
    assert (km.completeness, kl.completeness) == (1, Fraction(1, 4))
    # City: (10·7/16 + 25 + 20 + 25·1/4 + 20) / 100
    assert result.completeness == (10 * Fraction(7, 16) + 25 + 20 + 25 * Fraction(1, 4) + 20) / 100
    kelurahan = {r.region.id: r.completeness for r in result.territory}
    assert kelurahan[kels[0].id] == Fraction(10, 100)  # only KK has kelurahan indicators here
    assert kelurahan[kels[1].id] == 0


# --- Path to the next category ----------------------------------------------------------


def test_the_path_takes_the_fewest_indicators_largest_gain_first():
    from tests.indicators.test_scoring import KUPANG_LIKE, inputs

    result = period_scores(inputs(KUPANG_LIKE), [IKOTAN_2019]).editions[0]
    assert result.index is not None and result.category is not None
    needed = points_needed_for_next_band(IKOTAN_2019, result.index, result.category)
    assert needed is not None and needed > 0
    path = result.path
    assert path, "the city can reach the next band"
    gains = [step.gain for step in path]
    assert sum(gains) >= needed
    assert sum(gains[:-1]) < needed  # one fewer is not enough …
    everyone = sorted((lv.max_gain for lv in result.levers), reverse=True)
    assert sum(everyone[: len(path) - 1]) < needed  # … whichever indicators one picks
    assert gains == sorted(gains, reverse=True)


def test_there_is_no_path_when_even_every_indicator_is_not_enough():
    from indicators.scoring.method import Lever

    spec = _percent_indicator(1, "KK1", "KK", "kota")
    levers = [Lever(spec, Fraction(0), Fraction(3), None, None)]
    assert path_to_next_band(levers, Fraction(5)) == ()
    assert len(path_to_next_band(levers, Fraction(2))) == 1
