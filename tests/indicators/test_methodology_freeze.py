"""A methodology that final scores used is frozen: a locked period's snapshots keep the
numbers they were computed with (issue 10)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.models import AssessmentPeriod, Indicator, MethodologyEdition, ScoreSnapshot
from indicators.scoring.recompute import scores_recompute
from indicators.services.framework import FrameworkError, indicator_save
from tests.conftest import login
from tests.factories import make_approved_submission, make_period
from tests.indicators.test_framework_views import _edition_data


@pytest.fixture
def edition(client, admin_pusat, framework):
    login(client, admin_pusat).post(reverse("indicators:edition-create"), _edition_data())
    return MethodologyEdition.objects.get(name="Edisi uji")


@pytest.fixture
def locked_period(kupang, edition):
    period = make_period(city=kupang, year=2025)
    make_approved_submission(period=period, values={"HK1": 1, "KL1": 1})
    scores_recompute(period_ids=[period.pk])
    assert ScoreSnapshot.objects.filter(period=period, edition=edition).exists()
    AssessmentPeriod.objects.filter(pk=period.pk).update(status=AssessmentPeriod.Status.LOCKED)
    return period


def _edit(**overrides):
    """The edition page's data: the bands are the formset's initial forms when editing."""
    return _edition_data(**{"band-INITIAL_FORMS": "3", **overrides})


def _weights(edition):
    return {w.variable.code: w.weight for w in edition.weights.select_related("variable")}


def test_changing_the_weights_of_a_final_edition_in_place_is_refused(
    client, admin_pusat, edition, locked_period
):
    before = _weights(edition)
    url = reverse("indicators:edition-edit", kwargs={"pk": edition.pk})
    response = client.post(url, _edit(w_KK="15", w_KM="20"))
    assert response.status_code == 200
    assert "Simpan perubahan sebagai edisi baru" in response.content.decode()
    assert _weights(edition) == before


def test_the_change_is_saved_as_a_new_edition_and_the_old_one_stays(
    client, admin_pusat, edition, locked_period
):
    before = _weights(edition)
    url = reverse("indicators:edition-edit", kwargs={"pk": edition.pk})
    response = client.post(url, {**_edit(w_KK="15", w_KM="20"), "as_new": "1"})
    assert response.status_code == 302
    assert _weights(edition) == before
    copy = MethodologyEdition.objects.get(name="Edisi uji (revisi)")
    assert _weights(copy)["KK"] == Decimal(15)


def test_a_final_edition_s_name_and_description_may_still_change(
    client, admin_pusat, edition, locked_period
):
    url = reverse("indicators:edition-edit", kwargs={"pk": edition.pk})
    response = client.post(url, _edit(description="Catatan baru"))
    assert response.status_code == 302
    edition.refresh_from_db()
    assert edition.description == "Catatan baru"


def test_an_edition_no_final_score_used_is_edited_in_place(client, admin_pusat, edition):
    url = reverse("indicators:edition-edit", kwargs={"pk": edition.pk})
    assert client.post(url, _edit(w_KK="15", w_KM="20")).status_code == 302
    assert _weights(edition)["KK"] == Decimal(15)


def test_an_indicator_s_scale_and_weight_stay_once_final_scores_used_them(
    admin_pusat, locked_period
):
    kl1 = Indicator.objects.get(code="KL1")
    with pytest.raises(FrameworkError):
        indicator_save(actor=admin_pusat, indicator=kl1, fields={"weight": Decimal(5)})
    # Even handed the refused instance again, the stored numbers are what count.
    saved = indicator_save(actor=admin_pusat, indicator=kl1, fields={"name": "SK Tim Terpadu"})
    assert saved.name == "SK Tim Terpadu"
    kl1.refresh_from_db()
    assert kl1.weight == Decimal(3)
