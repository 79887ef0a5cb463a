"""Admin Pusat's read-only list of every city's latest scores."""

from __future__ import annotations

import pytest
from django.urls import reverse

from indicators.scoring.recompute import scores_recompute
from tests.conftest import login
from tests.factories import make_approved_submission, make_period, seed_framework_for


@pytest.fixture
def two_cities_scored(kupang, other_city):
    seed_framework_for(kupang)
    for city, years in ((kupang, (2024, 2025)), (other_city, (2025,))):
        for year in years:
            period = make_period(city=city, year=year)
            make_approved_submission(period=period, values={"HK1": 1, "KL1": 1})
            scores_recompute(period_ids=[period.pk])


def test_admin_pusat_sees_each_city_s_latest_score_once(
    client, admin_pusat, two_cities_scored, kupang, other_city, django_assert_max_num_queries
):
    login(client, admin_pusat)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("reports:national-scores"))
    assert response.status_code == 200
    rows = response.context["snapshots"]
    assert [(s.region, s.period.year) for s in rows] == sorted(
        [(kupang, 2025), (other_city, 2025)], key=lambda row: row[0].code
    )
    assert kupang.name in response.content.decode()
    assert other_city.name in response.content.decode()


@pytest.mark.parametrize("persona", ["admin_user", "pimpinan", "other_city_operator"])
def test_a_city_user_may_not_see_other_cities_scores(client, persona, request):
    login(client, request.getfixturevalue(persona))
    assert client.get(reverse("reports:national-scores")).status_code == 403
