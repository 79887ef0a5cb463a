"""A stakeholder officer sees its own organisation's values and evidence, never another
organisation's (DOMAIN.md §5; issue 10's probe downloaded 8 files for KL4–KL7)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from indicators.models import IndicatorValue
from indicators.services.values import submission_approve, submission_get_or_create
from tests.conftest import login
from tests.factories import make_value

PDF = b"%PDF-1.4\n%%EOF"


@pytest.fixture
def kl4_of_kesbangpol(period, kesbangpol):
    """KL4 is asked of every organisation: Kesbangpol's own answer, with evidence."""
    submission = submission_get_or_create(
        period=period, level="stakeholder", stakeholder=kesbangpol
    )
    return make_value(submission=submission, code="KL4", value=1, evidence=PDF)


@pytest.fixture
def kl3_of_the_city(period, kupang):
    """KL3 is a city-level indicator Kesbangpol and Bappeda answer for together."""
    submission = submission_get_or_create(period=period, level="kota", region=kupang)
    return make_value(submission=submission, code="KL3", value=1, evidence=PDF)


@pytest.mark.parametrize("url_name", ["indicators:evidence", "reports:value-evidence"])
def test_another_organisation_s_officer_cannot_download_its_evidence(
    client, other_officer, kl4_of_kesbangpol, url_name
):
    login(client, other_officer)
    response = client.get(reverse(url_name, kwargs={"pk": kl4_of_kesbangpol.pk}))
    assert response.status_code == 404


@pytest.mark.parametrize("url_name", ["indicators:evidence", "reports:value-evidence"])
def test_the_organisation_s_own_officer_downloads_it(
    client, stakeholder_officer, kl4_of_kesbangpol, url_name
):
    login(client, stakeholder_officer)
    response = client.get(reverse(url_name, kwargs={"pk": kl4_of_kesbangpol.pk}))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_both_organisations_answering_for_a_city_indicator_see_its_value(
    client, stakeholder_officer, other_officer, uninvited_officer, kl3_of_the_city
):
    url = reverse("indicators:evidence", kwargs={"pk": kl3_of_the_city.pk})
    assert login(client, stakeholder_officer).get(url).status_code == 200
    assert login(client, other_officer).get(url).status_code == 200
    # Dinkes does not answer for KL3.
    assert login(client, uninvited_officer).get(url).status_code == 404


def test_an_officer_s_values_are_its_own_and_its_assigned_ones(
    stakeholder_officer, other_officer, operator, kl4_of_kesbangpol, kl3_of_the_city
):
    assert set(IndicatorValue.objects.for_user(stakeholder_officer)) == {
        kl4_of_kesbangpol,
        kl3_of_the_city,
    }
    assert set(IndicatorValue.objects.for_user(other_officer)) == {kl3_of_the_city}
    assert set(IndicatorValue.objects.for_user(operator)) == {kl4_of_kesbangpol, kl3_of_the_city}


def test_the_review_service_refuses_a_user_who_may_not_review(operator, kl4_of_kesbangpol):
    with pytest.raises(PermissionDenied):
        submission_approve(
            submission=kl4_of_kesbangpol.submission, actor=operator, expected_version=None
        )
