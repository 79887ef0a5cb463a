"""Issue 13: the headline-only recompute of the nightly and national runs. Its numbers, from
the database's per-indicator sums, are exactly those of the full method (on random data and
on §3.8's ties); its snapshots are explained when somebody opens them."""

from __future__ import annotations

import random
from collections import Counter
from decimal import Decimal as D

import pytest
from django.urls import reverse

from indicators.models import (
    AssessmentPeriod,
    Indicator,
    IndicatorValue,
    MethodologyEdition,
    ScoreSnapshot,
    Submission,
)
from indicators.scoring.detail import detail_explained
from indicators.scoring.headline import Catalogue, HeadlineInputs, period_headline
from indicators.scoring.inputs import headlines_load, scores_load, values_fingerprints
from indicators.scoring.method import (
    IndicatorSpec,
    PeriodInputs,
    RegionSpec,
    StakeholderSpec,
    period_scores,
)
from indicators.scoring.recompute import scores_recompute
from indicators.services.demo import demo_scores_seed
from kotan.models import Notification, Region, Stakeholder
from reports.briefs.common import score_snapshot
from tests.conftest import login
from tests.factories import make_approved_submission, make_period
from tests.indicators.test_scoring import IKOTAN_2019, JUKNIS_2021, SCALE_1_4, VARIABLES
from tests.indicators.test_scoring_exact import TARGETS, _city_inputs, _sums_for_tie

EDITIONS = (IKOTAN_2019, JUKNIS_2021, SCALE_1_4)
# Columns a headline-only recompute writes exactly as a full one does.
COLUMNS = (
    "period_id",
    "edition_id",
    "region_id",
    "fingerprint",
    "method_fingerprint",
    "value_count",
    "index",
    "scaled",
    "band_order",
    "band_name",
    "missing_variables",
    "completeness",
    "is_final",
)


def database_sums(inputs: PeriodInputs) -> HeadlineInputs:
    """What `inputs.headlines_load`'s GROUP BY makes of these values, in Python."""
    specs = {spec.id: spec for spec in inputs.indicators}
    sums: dict[int, tuple[int, D]] = {}
    for indicator_id, _region, _stakeholder, value in inputs.values:
        spec = specs[indicator_id]
        low, high = min(spec.worst, spec.best), max(spec.worst, spec.best)
        units, distance = sums.get(indicator_id, (0, D(0)))
        sums[indicator_id] = (units + 1, distance + min(max(value, low), high) - spec.worst)
    return HeadlineInputs(
        period_id=inputs.period_id,
        city_id=inputs.city.id,
        is_final=inputs.is_final,
        value_count=len(inputs.values),
        fingerprint="",
        sums=sums,
        kelurahan_count=len(inputs.kelurahan),
        responsible=Counter(i for s in inputs.stakeholders for i in s.indicator_ids),
    )


def assert_same_headline(inputs: PeriodInputs) -> None:
    full = period_scores(inputs, EDITIONS)
    catalogue = Catalogue(inputs.variables, inputs.indicators)
    headlines = period_headline(database_sums(inputs), catalogue, EDITIONS)
    for result, headline in zip(full.editions, headlines, strict=True):
        assert headline.index == result.index  # exact rationals, not rounded copies
        assert headline.category == result.category
        assert headline.missing == result.missing
        assert headline.completeness == result.completeness


# (worst, best) of the catalogue's kinds: percentages both ways, yes/no, Likert, a count.
RANGES: list[tuple[int | D, int | D]] = [
    (0, 100),
    (100, 0),
    (0, 1),
    (1, 4),
    (0, 12),
    (30, 0),
    (D("0.5"), D("2.5")),
]


def random_inputs(rng: random.Random) -> PeriodInputs:
    city = RegionSpec(1, "99.71", "Kota Uji", "kota", None)
    kecamatan = tuple(
        RegionSpec(10 + k, f"99.71.0{k}", f"Kec {k}", "kecamatan", 1)
        for k in range(rng.randint(1, 3))
    )
    kelurahan = tuple(
        RegionSpec(100 + n, f"99.71.0{n}", f"Kel {n}", "kelurahan", rng.choice(kecamatan).id)
        for n in range(rng.randint(1, 12))
    )
    indicators = []
    for pk in range(1, rng.randint(6, 26)):
        worst, best = rng.choice(RANGES)
        weight = D(rng.choice(["1", "2", "2.5", "3", "0.25"]))
        variable = VARIABLES[pk % len(VARIABLES)].code
        level = rng.choice(["kota", "kelurahan", "stakeholder"])
        spec = IndicatorSpec(pk, f"I{pk}", f"I{pk}", variable, level, D(worst), D(best), weight)
        indicators.append(spec)
    by_level = {lv: [i for i in indicators if i.level == lv] for lv in ("kota", "stakeholder")}
    stakeholders = tuple(
        StakeholderSpec(
            500 + s,
            f"OPD {s}",
            tuple(sorted(i.id for i in by_level["stakeholder"] if rng.random() < 0.6)),
        )
        for s in range(rng.randint(0, 4))
    )

    def value(spec: IndicatorSpec) -> D:
        low, high = sorted((float(spec.worst), float(spec.best)))
        return D(str(round(rng.uniform(low - 0.2 * (high - low), high * 1.2), 3)))

    specs = {i.id: i for i in indicators}
    values: list[tuple[int, int | None, int | None, D]] = [
        (i.id, city.id, None, value(i)) for i in by_level["kota"] if rng.random() < 0.8
    ]
    values += [
        (i.id, kel.id, None, value(i))
        for i in indicators
        if i.level == "kelurahan"
        for kel in kelurahan
        if rng.random() < 0.7
    ]
    values += [
        (pk, None, s.id, value(specs[pk]))
        for s in stakeholders
        for pk in s.indicator_ids
        if rng.random() < 0.7
    ]
    return PeriodInputs(
        period_id=1,
        city=city,
        kecamatan=kecamatan,
        kelurahan=kelurahan,
        variables=VARIABLES,
        indicators=tuple(indicators),
        values=values,
        stakeholders=stakeholders,
        is_final=rng.random() < 0.5,
    )


@pytest.mark.parametrize("seed", range(40))
def test_the_headline_of_random_data_is_that_of_the_full_method(seed):
    assert_same_headline(random_inputs(random.Random(seed)))


@pytest.mark.parametrize("n", [3, 7, 51])
@pytest.mark.parametrize(("target", "rounded", "band"), TARGETS)
def test_a_tie_after_a_mean_over_n_kelurahan_rounds_up_on_the_headline_path_too(
    n, target, rounded, band
):
    inputs = _city_inputs(n, _sums_for_tie(n, target), kecamatan=2)
    assert_same_headline(inputs)
    catalogue = Catalogue(inputs.variables, inputs.indicators)
    (headline, *_rest) = period_headline(database_sums(inputs), catalogue, EDITIONS)
    assert headline.index == target
    assert headline.category is not None
    assert (headline.category.scaled, headline.category.band_name) == (rounded, band)


# --- Against the database ----------------------------------------------------------------


def seed_random_period(city: Region, year: int, rng: random.Random) -> None:
    """Approved (and a few submitted) values at every level, some outside their range."""
    period = make_period(city=city, year=year)
    indicators = list(Indicator.objects.active())

    def values(level: str) -> dict[str, str]:
        chosen = [i for i in indicators if i.level == level and rng.random() < 0.8]
        return {
            i.code: str(round(rng.uniform(float(i.value_min), float(i.value_max) * 1.1), 2))
            for i in chosen
        }

    make_approved_submission(period=period, values=values("kota"))
    for kelurahan in Region.objects.filter(city=city, level=Region.Level.KELURAHAN):
        if rng.random() < 0.6:
            status = "approved" if rng.random() < 0.9 else Submission.Status.SUBMITTED
            make_approved_submission(
                period=period, region=kelurahan, values=values("kelurahan"), status=status
            )
    for stakeholder in Stakeholder.objects.filter(city=city):
        duties = {i.code for i in stakeholder.indicators.all()}
        mine = {c: v for c, v in values("stakeholder").items() if c in duties}
        if mine:
            make_approved_submission(period=period, stakeholder=stakeholder, values=mine)


@pytest.fixture
def periods(kupang, framework) -> list[int]:
    rng = random.Random(13)
    for year in (2023, 2024, 2025):
        seed_random_period(kupang, year, rng)
    return list(kupang.periods.values_list("pk", flat=True))


def columns() -> list[tuple[object, ...]]:
    return list(ScoreSnapshot.objects.order_by("period_id", "edition_id").values_list(*COLUMNS))


def test_the_database_sums_are_those_of_the_values(periods):
    loaded = {p.period_id: p for p in scores_load(period_ids=periods)}
    for headline in headlines_load(period_ids=periods):
        expected = database_sums(loaded[headline.period_id])
        assert headline.sums == expected.sums
        assert headline.value_count == expected.value_count
        assert headline.kelurahan_count == expected.kelurahan_count
        assert dict(headline.responsible) == dict(expected.responsible)
        assert (
            headline.fingerprint
            == values_fingerprints(period_ids=[headline.period_id])[headline.period_id]
        )


def test_a_headline_recompute_writes_the_numbers_of_a_full_one(periods):
    scores_recompute(period_ids=periods)
    full = columns()
    details = {(s.period_id, s.edition_id): s.detail for s in ScoreSnapshot.objects.order_by("pk")}
    ScoreSnapshot.objects.all().delete()
    result = scores_recompute(period_ids=periods, explain=False)
    assert result.written == len(full) == 2 * len(periods)
    assert columns() == full
    for snapshot in ScoreSnapshot.objects.all():
        assert not detail_explained(snapshot.detail)
        explained = details[(snapshot.period_id, snapshot.edition_id)]
        for key in ("edition", "category", "is_final", "completeness"):
            assert snapshot.detail[key] == explained[key]


def test_a_headline_recompute_of_unchanged_values_writes_nothing(periods):
    scores_recompute(period_ids=periods, explain=False)
    assert scores_recompute(period_ids=periods, explain=False).written == 0
    # An explained snapshot counts as current for the headline path too.
    scores_recompute(period_ids=periods)
    assert scores_recompute(period_ids=periods, explain=False).written == 0


def test_swapping_two_kelurahan_values_changes_the_fingerprint(periods):
    """The city's sums stay the same; the territorial view does not."""
    period = periods[-1]
    before = values_fingerprints(period_ids=[period])[period]
    first, second = (
        IndicatorValue.objects.filter(
            submission__period_id=period,
            submission__status="approved",
            submission__level="kelurahan",
            indicator__code="KK1",
        )
        .exclude(value=None)
        .order_by("submission__region__code")[:2]
    )
    assert first.value != second.value
    first.value, second.value = second.value, first.value
    IndicatorValue.objects.bulk_update([first, second], ["value"])
    assert values_fingerprints(period_ids=[period])[period] != before
    assert scores_recompute(period_ids=[period], explain=False).written == 2


def test_a_period_with_a_submission_outside_its_city_is_explained_in_full(periods, other_city):
    """The database's sums would count it; the full method leaves it out."""
    period = periods[0]
    stray = Region.objects.filter(city=other_city, level=Region.Level.KELURAHAN).first()
    make_approved_submission(
        period=AssessmentPeriod.objects.get(pk=period), region=stray, values={"KK1": 100}
    )
    scores_recompute(period_ids=periods, explain=False)
    explained = {s.period_id for s in ScoreSnapshot.objects.all() if detail_explained(s.detail)}
    assert explained == {period}


@pytest.fixture
def headline_only(kupang, framework, operator, verifier):
    """The demo city's scores as the nightly job writes them: headline only."""
    periods, _result = demo_scores_seed(city=kupang)
    ScoreSnapshot.objects.all().delete()
    scores_recompute(period_ids=[p.pk for p in periods], explain=False)
    return {p.year: p for p in periods}


def test_opening_the_dashboard_explains_the_snapshot_it_shows(client, pimpinan, headline_only):
    body = login(client, pimpinan).get(reverse("reports:dashboard")).content.decode()
    for testid in ("variables-table", "territory-table", "completeness-table", "weakest"):
        assert f'data-testid="{testid}"' in body
    shown = ScoreSnapshot.objects.get(period=headline_only[2025], edition__is_default=True)
    assert detail_explained(shown.detail)
    other = ScoreSnapshot.objects.get(period=headline_only[2024], edition__is_default=True)
    assert not detail_explained(other.detail)  # the trend reads columns only


def test_the_home_score_card_reads_a_headline_snapshot_as_it_is(client, pimpinan, headline_only):
    response = login(client, pimpinan).get(reverse("kotan:home"))
    assert response.status_code == 200
    shown = ScoreSnapshot.objects.get(period=headline_only[2025], edition__is_default=True)
    assert not detail_explained(shown.detail)


def test_a_brief_reads_an_explained_snapshot(headline_only):
    period = headline_only[2025]
    edition = MethodologyEdition.objects.default()
    assert edition is not None
    snapshot = score_snapshot(period=period, edition=edition)
    assert snapshot is not None and detail_explained(snapshot.detail)
    assert snapshot.detail["variables"] and snapshot.detail["territory"]


def test_explaining_keeps_the_headline_numbers(headline_only):
    before = columns()
    ScoreSnapshot.objects.update(computed_at="2025-01-01T00:00Z")
    for snapshot in ScoreSnapshot.objects.all():
        score_snapshot(period=snapshot.period, edition=snapshot.edition)
    assert columns() == before
    assert all(detail_explained(s.detail) for s in ScoreSnapshot.objects.all())


def test_explaining_a_snapshot_tells_its_pimpinan_nothing_new(pimpinan, headline_only):
    ScoreSnapshot.objects.all().delete()
    periods = [p.pk for p in headline_only.values()]
    scores_recompute(period_ids=periods, explain=False)
    told = Notification.objects.filter(recipient=pimpinan).count()
    assert told == len(periods)  # one new score a year under the default edition
    for snapshot in ScoreSnapshot.objects.all():
        score_snapshot(period=snapshot.period, edition=snapshot.edition)
    assert Notification.objects.filter(recipient=pimpinan).count() == told
