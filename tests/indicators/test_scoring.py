"""Hand-computed cases for DOMAIN.md §3. Pure functions: no database."""

from __future__ import annotations

from decimal import Decimal as D
from fractions import Fraction

import pytest

from indicators.scoring.method import (
    Band,
    EditionSpec,
    IndicatorSpec,
    PeriodInputs,
    RegionSpec,
    StakeholderSpec,
    VariableSpec,
    band_for,
    categorise,
    fingerprint,
    ikotan,
    indicator_score,
    period_scores,
    round_half_up,
    variable_index,
)

WEIGHTS_2019 = {"KK": D(10), "KM": D(25), "KW": D(20), "KL": D(25), "HK": D(20)}
IKOTAN_2019 = EditionSpec(
    id=1,
    name="IKOTAN 2019",
    scale_min=D(0),
    scale_max=D(100),
    weights=WEIGHTS_2019,
    bands=(
        Band(1, "Tidak Tanggap", D("0"), D("20")),
        Band(2, "Kurang Tanggap", D("20.01"), D("40")),
        Band(3, "Cukup Tanggap", D("40.01"), D("60")),
        Band(4, "Tanggap", D("60.01"), D("80")),
        Band(5, "Sangat Tanggap", D("80.01"), D("100")),
    ),
)
JUKNIS_2021 = EditionSpec(
    id=2,
    name="Juknis 2021 (4 kategori)",
    scale_min=D(0),
    scale_max=D(100),
    weights=WEIGHTS_2019,
    bands=(
        Band(1, "Tidak Tanggap", D("0"), D("25")),
        Band(2, "Cukup Tanggap", D("25.01"), D("50")),
        Band(3, "Tanggap", D("50.01"), D("75")),
        Band(4, "Sangat Tanggap", D("75.01"), D("100")),
    ),
)
# The published 1–4 bands (2022/23); the lower one is this test's own assumption.
SCALE_1_4 = EditionSpec(
    id=3,
    name="Skala 1–4",
    scale_min=D(1),
    scale_max=D(4),
    weights=WEIGHTS_2019,
    bands=(
        Band(1, "Kurang Tanggap", D("1.000"), D("2.599")),
        Band(2, "Cukup Tanggap", D("2.600"), D("3.064")),
        Band(3, "Tanggap", D("3.065"), D("3.532")),
        Band(4, "Sangat Tanggap", D("3.533"), D("4.000")),
    ),
)
VARIABLES = tuple(VariableSpec(code, code) for code in WEIGHTS_2019)


def band(result) -> str:
    assert result.category is not None
    return result.category.band_name


def spec(pk, code, variable, level="kota", worst=0, best=1, weight=1):
    return IndicatorSpec(pk, code, code, variable, level, D(worst), D(best), D(weight))


# --- §3.1 indicator score ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "worst", "best", "expected"),
    [
        (1, 0, 1, 100),  # yes
        (0, 0, 1, 0),  # no
        ("37.5", 0, 100, "37.5"),  # percentage
        ("2.5", 1, 4, 50),  # Likert mean 1–4
        (3, 0, 5, 60),  # count against a target of 5
        (7, 0, 5, 100),  # above the target is clamped to 100
        ("0.5", 1, 4, 0),  # below the worst value is clamped to 0
        (30, 100, 0, 70),  # lower is better: 30% → 70
        (2, 5, 0, 60),  # lower-is-better count: 2 against a ceiling of 5
        (9, 5, 0, 0),  # lower is better, worse than the worst: 0
    ],
)
def test_indicator_score_follows_the_formula(value, worst, best, expected):
    assert indicator_score(D(str(value)), worst=D(worst), best=D(best)) == D(str(expected))


# --- §3.5 rounding and bands ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "scaled", "band"),
    [
        ("0", "0.00", "Tidak Tanggap"),  # the first band includes its lower bound
        ("20", "20.00", "Tidak Tanggap"),  # a band includes its upper bound
        ("20.004999", "20.00", "Tidak Tanggap"),
        ("20.005", "20.01", "Kurang Tanggap"),  # half-up, not half-even
        ("20.01", "20.01", "Kurang Tanggap"),
        ("40.0049", "40.00", "Kurang Tanggap"),
        ("60.015", "60.02", "Tanggap"),
        ("100", "100.00", "Sangat Tanggap"),
    ],
)
def test_category_edges_round_half_up_then_take_the_band(x, scaled, band):
    category = categorise(D(x), IKOTAN_2019)
    assert category.scaled == D(scaled)
    assert category.band_name == band


def test_round_half_up_is_not_bankers_rounding():
    assert round_half_up(D("0.125")) == D("0.13")
    assert round_half_up(D("0.135")) == D("0.14")


def test_the_gap_is_to_the_next_bands_lower_bound():
    category = categorise(D("35.5"), IKOTAN_2019)
    assert category.band_name == "Kurang Tanggap"
    assert category.next_band is not None and category.next_band.name == "Cukup Tanggap"
    assert category.gap == D("4.51")
    assert categorise(D("95"), IKOTAN_2019).gap is None


def test_a_value_in_an_unpublished_band_has_no_category():
    assert band_for(D("0.5"), SCALE_1_4.bands) is None


@pytest.mark.parametrize(
    ("x", "scaled", "band"),
    [
        ("70", "3.10", "Tanggap"),  # 1 + 3·0.70
        ("68.8", "3.06", "Cukup Tanggap"),  # 3.064 → 3.06
        ("68.85", "3.07", "Tanggap"),  # 3.0655 → 3.07 (half-up)
        ("51", "2.53", "Kurang Tanggap"),
        ("100", "4.00", "Sangat Tanggap"),
    ],
)
def test_an_edition_on_a_1_to_4_scale_maps_linearly(x, scaled, band):
    category = categorise(D(x), SCALE_1_4)
    assert category.scaled == D(scaled)
    assert category.band_name == band


def test_the_same_index_falls_in_different_categories_under_two_editions():
    assert categorise(D(22), IKOTAN_2019).band_name == "Kurang Tanggap"
    assert categorise(D(22), JUKNIS_2021).band_name == "Tidak Tanggap"
    assert categorise(D("40.5"), IKOTAN_2019).band_name == "Cukup Tanggap"
    assert categorise(D("50.5"), JUKNIS_2021).band_name == "Tanggap"


# --- §3.3 variable index and coverage; §3.4 IKOTAN -----------------------------------------


def test_variable_index_uses_only_scored_indicators_and_reports_coverage():
    specs = [spec(1, "A", "KK", weight=3), spec(2, "B", "KK", weight=2), spec(3, "C", "KK")]
    result = variable_index({1: D(50), 3: D(100)}, specs)
    # (3·50 + 1·100) / (3 + 1) = 62.5; coverage (3 + 1) / 6
    assert result.index == D("62.5")
    assert result.coverage == Fraction(4, 6)  # exact (§3.8), not 28 digits of it
    assert result.contributions == {1: D("37.5"), 3: D(25)}
    assert sum(result.contributions.values()) == result.index


def test_a_variable_without_data_has_no_index_and_no_coverage():
    result = variable_index({}, [spec(1, "A", "HK")])
    assert result.index is None
    assert result.coverage == 0


def test_ikotan_is_the_weighted_mean_of_the_five_variables():
    indices = {"KK": D(50), "KM": D(40), "KW": D(30), "KL": D(20), "HK": D(10)}
    value, missing = ikotan(indices, WEIGHTS_2019)
    # (10·50 + 25·40 + 20·30 + 25·20 + 20·10) / 100 = 28
    assert value == D(28)
    assert missing == ()


def test_ikotan_is_incomplete_when_a_variable_lacks_data():
    indices = {"KK": D(50), "KM": D(40), "KW": None, "KL": D(20)}
    assert ikotan(indices, WEIGHTS_2019) == (None, ("KW", "HK"))


# --- §3.2 aggregation, §3.6 territory, §3.7 explanation -----------------------------------

CITY = RegionSpec(100, "99.71", "Kota Uji", "kota", None)
KEC_A = RegionSpec(110, "99.71.01", "Kec A", "kecamatan", 100)
KEC_B = RegionSpec(120, "99.71.02", "Kec B", "kecamatan", 100)
KEL_A1 = RegionSpec(111, "99.71.01.1001", "Kel A1", "kelurahan", 110)
KEL_A2 = RegionSpec(112, "99.71.01.1002", "Kel A2", "kelurahan", 110)
KEL_B1 = RegionSpec(121, "99.71.02.1001", "Kel B1", "kelurahan", 120)
KEL_B2 = RegionSpec(122, "99.71.02.1002", "Kel B2", "kelurahan", 120)

# One indicator per variable, plus a kelurahan-level one in KK, a stakeholder-level one in KL
# and a lower-is-better one in KW.
INDICATORS = (
    spec(1, "KK1", "KK", "kelurahan", 0, 100, weight=3),
    spec(2, "KK2", "KK", "kota", 1, 4, weight=1),
    spec(3, "KM1", "KM", "kelurahan", 0, 10),
    spec(4, "KW1", "KW", "kota", 100, 0),
    spec(5, "KL4", "KL", "stakeholder"),
    spec(6, "HK1", "HK", "kota", weight=4),
    spec(7, "HK3", "HK", "kelurahan", weight=1),
)


def inputs(values, stakeholders=()):
    return PeriodInputs(
        period_id=1,
        city=CITY,
        kecamatan=(KEC_A, KEC_B),
        kelurahan=(KEL_A1, KEL_A2, KEL_B1, KEL_B2),
        variables=VARIABLES,
        indicators=INDICATORS,
        values=[(i, r, s, D(str(v))) for i, r, s, v in values],
        stakeholders=stakeholders,
    )


KUPANG_LIKE = [
    (1, 111, None, 100),  # KK1 at A1: 100
    (1, 112, None, 100),  # KK1 at A2: 100
    (1, 121, None, 10),  # KK1 at B1: 10; B2 has no value
    (2, 100, None, "2.5"),  # KK2 (Likert): 50
    (3, 111, None, 5),  # KM1 at A1: 50
    (4, 100, None, 30),  # KW1, lower is better: 70
    (5, None, 7, 1),  # KL4 at two stakeholders: 100 and 0
    (5, None, 8, 0),
    (6, 100, None, 0),  # HK1: no Perda
    (7, 111, None, 1),  # HK3 at A1
]


def test_the_city_score_is_the_mean_over_kelurahan_with_a_value_not_over_kecamatan():
    result = period_scores(inputs(KUPANG_LIKE), [IKOTAN_2019]).editions[0]
    kk = result.variables[0]
    kk1 = kk.indicators[0]
    # KK1: (100 + 100 + 10) / 3 = 70 (the mean of kecamatan means would be 55)
    assert kk1.score == D(70)
    assert (kk1.units_with_value, kk1.units_expected) == (3, 4)
    # KK = (3·70 + 1·50) / 4 = 65
    assert kk.index == D(65)
    assert kk.coverage == 1


def test_hand_computed_ikotan_with_every_level():
    result = period_scores(inputs(KUPANG_LIKE), [IKOTAN_2019]).editions[0]
    indices = {v.spec.code: v.index for v in result.variables}
    # KK 65; KM 50; KW 70 (lower is better); KL mean(100, 0) = 50; HK (4·0 + 1·100)/5 = 20
    assert indices == {"KK": D(65), "KM": D(50), "KW": D(70), "KL": D(50), "HK": D(20)}
    # (10·65 + 25·50 + 20·70 + 25·50 + 20·20) / 100 = 49.5
    assert result.index == D("49.5")
    assert band(result) == "Cukup Tanggap"
    assert result.category is not None and result.category.gap == D("10.51")


def test_the_same_data_under_two_editions_gives_different_categories():
    without_agency_budget = [row for row in KUPANG_LIKE if row[:3] != (5, None, 7)]
    editions = period_scores(inputs(without_agency_budget), [IKOTAN_2019, JUKNIS_2021]).editions
    # KL falls to 0: (650 + 1250 + 1400 + 0 + 400) / 100 = 37 under both editions' weights.
    assert [e.index for e in editions] == [D(37), D(37)]
    assert [band(e) for e in editions] == ["Kurang Tanggap", "Cukup Tanggap"]
    heavy_law = EditionSpec(
        id=9,
        name="Bobot hukum",
        scale_min=D(0),
        scale_max=D(100),
        weights={"KK": D(10), "KM": D(10), "KW": D(10), "KL": D(10), "HK": D(60)},
        bands=IKOTAN_2019.bands,
    )
    result = period_scores(inputs(KUPANG_LIKE), [heavy_law]).editions[0]
    # (650 + 500 + 700 + 500 + 60·20) / 100 = 35.5
    assert result.index == D("35.5")
    assert band(result) == "Kurang Tanggap"


def test_a_variable_without_data_makes_the_city_incomplete_and_names_it():
    values = [row for row in KUPANG_LIKE if row[0] not in (6, 7)]
    result = period_scores(inputs(values), [IKOTAN_2019]).editions[0]
    assert result.index is None
    assert result.category is None
    assert result.missing == ("HK",)
    assert result.levers == ()


def test_the_territorial_view_uses_kelurahan_level_indicators_only():
    result = period_scores(inputs(KUPANG_LIKE), [IKOTAN_2019]).editions[0]
    rows = {row.region.code: row for row in result.territory}
    a1 = rows["99.71.01.1001"]
    # Kelurahan-level only: KK1 100, KM1 50, HK3 100; no KW or KL indicator at that level.
    assert a1.variables == {"KK": D(100), "KM": D(50), "KW": None, "KL": None, "HK": D(100)}
    assert a1.index is None and a1.missing == ("KW", "KL")
    # Kecamatan A: KK1 mean(100, 100), KM1 50 (A2 has none), HK3 100.
    assert rows["99.71.01"].variables["KK"] == D(100)
    assert rows["99.71.02"].variables == {
        "KK": D(10),
        "KM": None,
        "KW": None,
        "KL": None,
        "HK": None,
    }
    assert rows["99.71.02.1002"].variables["KK"] is None


def test_a_territorial_ikotan_needs_kelurahan_indicators_in_every_variable():
    indicators = (*INDICATORS, spec(8, "KW3", "KW", "kelurahan"), spec(9, "KL2", "KL", "kelurahan"))
    data = inputs([*KUPANG_LIKE, (8, 111, None, 1), (9, 111, None, 0)])
    data = PeriodInputs(**{**data.__dict__, "indicators": indicators})
    result = period_scores(data, [IKOTAN_2019]).editions[0]
    a1 = next(row for row in result.territory if row.region.code == "99.71.01.1001")
    # KK 100, KM 50, KW 100, KL 0, HK 100 → (1000 + 1250 + 2000 + 0 + 2000) / 100 = 62.5
    assert a1.index == D("62.5")
    assert a1.category is not None and a1.category.band_name == "Tanggap"


def test_contributions_add_up_to_each_variable_index():
    result = period_scores(inputs(KUPANG_LIKE), [IKOTAN_2019]).editions[0]
    for variable in result.variables:
        contributions = [r.contribution for r in variable.indicators if r.contribution is not None]
        assert sum(contributions) == variable.index


def test_levers_say_what_closing_the_gap_would_take():
    result = period_scores(inputs(KUPANG_LIKE), [IKOTAN_2019]).editions[0]
    hk1 = next(lever for lever in result.levers if lever.spec.code == "HK1")
    # HK1 weighs 20/100 · 4/5 of IKOTAN: from 0 to 100 adds 16 points.
    assert hk1.max_gain == D(16)
    # The gap to Cukup→Tanggap is 60.01 − 49.5 = 10.51 points: HK1 needs 10.51 / 0.16.
    assert hk1.score_needed == D("10.51") / D("0.16")
    assert result.levers[0].spec.code == "HK1"  # the biggest lever comes first


def test_stakeholder_completeness_counts_approved_values_per_unit():
    stakeholders = (
        StakeholderSpec(7, "Kesbangpol", (5, 6)),  # KL4 (own), HK1 (city)
        StakeholderSpec(8, "DP3A", (1,)),  # KK1 in each of 4 kelurahan
        StakeholderSpec(9, "Dispar", ()),  # no duties: not listed
    )
    result = period_scores(inputs(KUPANG_LIKE, stakeholders), [IKOTAN_2019])
    rows = {(c.stakeholder.name, c.expected, c.approved) for c in result.completeness}
    assert rows == {("Kesbangpol", 2, 2), ("DP3A", 4, 3)}


def test_the_fingerprint_ignores_order_and_sees_any_change():
    rows = [(1, 2, None, D("1.000")), (2, None, 3, D("0.000"))]
    assert fingerprint(rows) == fingerprint(list(reversed(rows)))
    assert fingerprint(rows) != fingerprint([(1, 2, None, D("1.000")), (2, None, 3, D("1.000"))])
