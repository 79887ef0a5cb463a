"""The dashboard's snapshot fragments come from the cache (issue 13): keyed by the snapshots
shown, so a recompute shows new numbers at once, and never shared across cities or roles."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import IndicatorValue, ScoreSnapshot
from indicators.scoring.recompute import scores_recompute
from indicators.services.demo import demo_scores_seed
from kotan.models import Region, User
from reports.selectors import dashboard_cache_key, dashboard_head_load
from tests.conftest import login
from tests.factories import make_user, seed_framework_for

DASHBOARD = reverse("reports:dashboard")


def _ikotan(body: str) -> str:
    match = re.search(r'data-testid="ikotan">([^<]+)<', body)
    assert match is not None
    return match.group(1)


def _queries(client, *args) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(DASHBOARD, *args)
    assert response.status_code == 200
    return response.content.decode(), len(ctx)


def test_a_cached_dashboard_uses_fewer_queries_and_the_same_content(
    client, pimpinan, kupang, framework, operator, verifier
):
    demo_scores_seed(city=kupang)
    login(client, pimpinan)
    first, missed = _queries(client)
    second, hit = _queries(client)
    assert hit < missed  # neither the snapshot detail nor the region names are read again
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
    assert strip.sub("", first) == strip.sub("", second)


def test_a_recompute_shows_its_numbers_right_away(
    client, pimpinan, kupang, framework, operator, verifier
):
    periods, _result = demo_scores_seed(city=kupang)
    period = next(p for p in periods if p.year == 2025)
    login(client, pimpinan)
    before, _n = _queries(client)
    _queries(client)  # now cached
    old = ScoreSnapshot.objects.get(period=period, edition__is_default=True)
    # Every city-level value of the period drops to zero: IKOTAN must move.
    IndicatorValue.objects.filter(submission__period=period, value__gt=0).update(value=0)
    scores_recompute(period_ids=[period.pk])
    new = ScoreSnapshot.objects.get(period=period, edition__is_default=True)
    assert new.fingerprint != old.fingerprint and new.scaled != old.scaled
    after, _n = _queries(client)
    assert _ikotan(before) == f"{old.scaled:.2f}".replace(".", ",")
    assert _ikotan(after) == f"{new.scaled:.2f}".replace(".", ",")
    assert new.fingerprint in after and old.fingerprint not in after


def test_two_cities_never_share_a_fragment(client, kupang, other_city, framework):
    seed_framework_for(other_city)
    for city in (kupang, other_city):
        demo_scores_seed(city=city)
    bodies = {}
    for city in (kupang, other_city):
        user = make_user(city=city, role=User.Role.PIMPINAN)
        login(client, user)
        _queries(client)
        bodies[city.pk], _n = _queries(client)  # served from the cache
        client.logout()
    for city, other in ((kupang, other_city), (other_city, kupang)):
        own = ScoreSnapshot.objects.get(
            period__city=city, period__year=2025, edition__is_default=True
        )
        theirs = ScoreSnapshot.objects.get(
            period__city=other, period__year=2025, edition__is_default=True
        )
        assert own.fingerprint in bodies[city.pk]
        assert theirs.fingerprint not in bodies[city.pk]
        kelurahan = Region.objects.filter(city=other, level="kelurahan").first()
        assert kelurahan is not None and f">{kelurahan.name} <" not in bodies[city.pk]


def test_roles_languages_and_sort_orders_have_their_own_fragments(
    kupang, framework, pimpinan, operator, verifier
):
    demo_scores_seed(city=kupang)

    def key(user, language="id", **kwargs) -> str:
        board = dashboard_head_load(user=user, year=None, edition_id=None, **kwargs)
        return dashboard_cache_key(board, role=user.role, language=language)

    keys = {
        key(pimpinan),
        key(operator),
        key(pimpinan, language="en"),
        key(pimpinan, sort="nama"),
        key(pimpinan, sort="nama", descending=True),
    }
    assert len(keys) == 5
    assert key(pimpinan) == key(make_user(city=kupang, role=User.Role.PIMPINAN))
