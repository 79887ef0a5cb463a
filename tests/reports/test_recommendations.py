"""The recommendation library: the selector, the browser editing, the demo seed."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from indicators.models import CategoryBand, Indicator, MethodologyEdition, Variable
from kotan.models import AuditEntry, Stakeholder
from reports.briefs.common import VariableStanding
from reports.briefs.recommendations import recommendations_matching
from reports.models import Recommendation
from tests.conftest import login
from tests.factories import make_recommendation


def _band(order: int) -> CategoryBand:
    return CategoryBand.objects.get(edition=MethodologyEdition.objects.default(), order=order)


def _standing(code: str, index: str, band_order: int, **indicator_bands) -> VariableStanding:
    return VariableStanding(
        variable_id=Variable.objects.get(code=code).pk,
        index=Decimal(index),
        band_id=_band(band_order).pk,
        indicator_band_ids={
            Indicator.objects.get(code=c).pk: _band(o).pk for c, o in indicator_bands.items()
        },
    )


def test_it_picks_recommendations_of_the_current_bands_weakest_variable_first(
    kupang, framework, django_assert_num_queries
):
    hk = make_recommendation(city=kupang, variable_code="HK", bands=[_band(1), _band(2)])
    kl = make_recommendation(city=kupang, variable_code="KL", bands=[_band(1)])
    make_recommendation(city=kupang, variable_code="KM", bands=[_band(4)])  # band not reached
    make_recommendation(city=kupang, variable_code="HK", bands=[_band(1)], active=False)
    standings = [
        _standing("KL", "12.5", 1),
        _standing("HK", "31.0", 2),
        _standing("KM", "45.0", 3),
    ]
    with django_assert_num_queries(3):
        chosen = recommendations_matching(city=kupang, standings=standings)
    assert chosen == [kl, hk]


def test_an_indicator_recommendation_follows_the_indicator_band(kupang, framework):
    perda = make_recommendation(
        city=kupang,
        variable_code="HK",
        indicator=Indicator.objects.get(code="HK1"),
        bands=[_band(1)],
    )
    # The variable is Cukup Tanggap but the Perda indicator scores Tidak Tanggap.
    standings = [_standing("HK", "50", 3, HK1=1)]
    assert recommendations_matching(city=kupang, standings=standings) == [perda]
    assert recommendations_matching(city=kupang, standings=[_standing("HK", "50", 3)]) == []


def test_it_filters_by_addressee_and_city(kupang, framework, other_city):
    kesbangpol = Stakeholder.objects.get(city=kupang, code="kesbangpol")
    dinkes = Stakeholder.objects.get(city=kupang, code="dinkes")
    mine = make_recommendation(city=kupang, addressees=[kesbangpol], bands=[_band(1)])
    make_recommendation(city=kupang, addressees=[dinkes], bands=[_band(1)])
    make_recommendation(
        city=other_city,
        addressees=list(Stakeholder.objects.filter(city=other_city)),
        bands=[_band(1)],
    )
    standings = [_standing("HK", "10", 1)]
    assert recommendations_matching(city=kupang, standings=standings, stakeholder=kesbangpol) == [
        mine
    ]
    assert len(recommendations_matching(city=kupang, standings=standings)) == 2


def _form_data(kupang, **overrides):
    data = {
        "variable": Variable.objects.get(code="HK").pk,
        "indicator": Indicator.objects.get(code="HK1").pk,
        "bands": [_band(1).pk, _band(2).pk],
        "title": "Menyusun Ranperda Fasilitasi P4GN",
        "body": "Naskah akademik disiapkan tahun ini.",
        "legal_basis": "Permendagri No. 12 Tahun 2019",
        "addressees": [Stakeholder.objects.get(city=kupang, code="kesbangpol").pk],
        "order": 1,
        "active": "on",
    }
    data.update(overrides)
    return data


def test_an_operator_adds_a_recommendation_in_the_browser(client, operator, kupang, framework):
    response = login(client, operator).post(
        reverse("reports:recommendation-create"), _form_data(kupang)
    )
    assert response.status_code == 302
    recommendation = Recommendation.objects.get()
    assert recommendation.city == kupang
    assert set(recommendation.bands.all()) == {_band(1), _band(2)}
    entry = AuditEntry.objects.for_object(recommendation).get()
    assert entry.action == "recommendation.created" and entry.actor == operator


def test_an_indicator_of_another_variable_is_refused_next_to_the_field(
    client, operator, kupang, framework
):
    data = _form_data(kupang, indicator=Indicator.objects.get(code="KL1").pk)
    response = login(client, operator).post(reverse("reports:recommendation-create"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Indikator harus termasuk variabel yang dipilih." in page
    assert "Menyusun Ranperda Fasilitasi P4GN" in page  # the rest of the form is kept
    assert not Recommendation.objects.exists()


def test_a_recommendation_needs_a_band_and_an_addressee(client, operator, kupang, framework):
    data = _form_data(kupang)
    del data["bands"], data["addressees"]
    page = login(client, operator).post(reverse("reports:recommendation-create"), data)
    assert "Pilih paling sedikit satu kategori." in page.content.decode()
    assert "Pilih paling sedikit satu instansi." in page.content.decode()


def test_a_stakeholder_of_another_city_cannot_be_addressed(
    client, operator, kupang, framework, other_city
):
    foreign = Stakeholder.objects.get(city=other_city)
    data = _form_data(kupang, addressees=[foreign.pk])
    response = login(client, operator).post(reverse("reports:recommendation-create"), data)
    assert response.status_code == 200
    assert not Recommendation.objects.exists()


def test_a_concurrent_edit_is_refused_with_a_message(
    client, operator, admin_user, kupang, framework
):
    recommendation = make_recommendation(city=kupang, bands=[_band(1)])
    url = reverse("reports:recommendation-edit", args=[recommendation.pk])
    stale_version = recommendation.version
    login(client, admin_user).post(
        url, _form_data(kupang, title="Versi admin", version=stale_version)
    )
    client.logout()
    response = login(client, operator).post(
        url, _form_data(kupang, title="Versi operator", version=stale_version), follow=True
    )
    recommendation.refresh_from_db()
    assert recommendation.title == "Versi admin"
    assert "sudah diubah orang lain" in response.content.decode()


def test_a_stakeholder_officer_sees_only_recommendations_addressed_to_them(
    client, stakeholder_officer, kupang, framework
):
    make_recommendation(city=kupang, title="Untuk Kesbangpol")
    make_recommendation(
        city=kupang,
        title="Untuk Dinkes",
        addressees=[Stakeholder.objects.get(city=kupang, code="dinkes")],
    )
    page = login(client, stakeholder_officer).get(reverse("reports:recommendation-list"))
    assert "Untuk Kesbangpol" in page.content.decode()
    assert "Untuk Dinkes" not in page.content.decode()


def test_the_demo_seed_adds_kupang_recommendations_once(kupang, framework):
    call_command("seed_demo_recommendations")
    count = Recommendation.objects.filter(city=kupang).count()
    call_command("seed_demo_recommendations")
    assert Recommendation.objects.filter(city=kupang).count() == count >= 6
    perda = Recommendation.objects.get(title__startswith="Menyusun dan mengajukan Ranperda")
    assert perda.indicator is not None and perda.indicator.code == "HK1"
    assert {b.name for b in perda.bands.all()} >= {"Tidak Tanggap", "Kurang Tanggap"}
    assert "Tanggap" not in {b.name for b in perda.bands.all()}


@hyp_settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    title=st.text(max_size=250),
    order=st.one_of(st.integers(min_value=-5, max_value=2000), st.text(max_size=5)),
)
def test_any_input_to_the_form_gives_a_page_or_a_redirect_never_a_500(
    client, operator, kupang, framework, title, order
):
    login(client, operator)
    response = client.post(
        reverse("reports:recommendation-create"), _form_data(kupang, title=title, order=order)
    )
    # NUL and lone surrogates are refused for every request by kotan.middleware (400).
    unreadable = any(c == "\x00" or "\ud800" <= c <= "\udfff" for c in f"{title}{order}")
    assert response.status_code in ((400,) if unreadable else (200, 302))


pytestmark = pytest.mark.django_db
