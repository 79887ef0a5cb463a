from decimal import Decimal

from django.urls import reverse

from indicators.models import AssessmentPeriod, Indicator, MethodologyEdition
from kotan.models import AuditEntry, Stakeholder
from tests.conftest import login
from tests.factories import make_value


def _edition_data(**overrides):
    data = {
        "name": "Edisi uji",
        "description": "",
        "scale_min": "1",
        "scale_max": "4",
        "w_KK": "10",
        "w_KM": "25",
        "w_KW": "20",
        "w_KL": "25",
        "w_HK": "20",
        "band-TOTAL_FORMS": "3",
        "band-INITIAL_FORMS": "0",
        "band-0-name": "Cukup Tanggap",
        "band-0-lower": "1",
        "band-0-upper": "3,064",
        "band-1-name": "Tanggap",
        "band-1-lower": "3,074",
        "band-1-upper": "3,532",
        "band-2-name": "Sangat Tanggap",
        "band-2-lower": "3,542",
        "band-2-upper": "4",
    }
    data.update(overrides)
    return data


def test_admin_pusat_creates_an_edition_on_another_scale(client, admin_pusat, framework):
    url = reverse("indicators:edition-create")
    response = login(client, admin_pusat).post(url, _edition_data())
    assert response.status_code == 302, response.context["form"].errors
    edition = MethodologyEdition.objects.get(name="Edisi uji")
    assert [b.name for b in edition.bands.all()] == ["Cukup Tanggap", "Tanggap", "Sangat Tanggap"]
    assert edition.weights.count() == 5
    assert AuditEntry.objects.filter(action="edition.create").exists()


def test_admin_pusat_sets_an_editions_minimum_completeness(client, admin_pusat, framework):
    url = reverse("indicators:edition-create")
    login(client, admin_pusat).post(url, _edition_data(min_completeness="75,5"))
    assert MethodologyEdition.objects.get(name="Edisi uji").min_completeness == Decimal("75.5")
    edition = MethodologyEdition.objects.get(is_default=True)
    page = client.get(reverse("indicators:edition-edit", kwargs={"pk": edition.pk}))
    assert page.context["form"].initial["min_completeness"] == Decimal(80)


def test_a_minimum_completeness_above_100_is_refused(client, admin_pusat, framework):
    response = login(client, admin_pusat).post(
        reverse("indicators:edition-create"), _edition_data(min_completeness="120")
    )
    assert "min_completeness" in response.context["form"].errors


def test_an_edition_whose_weights_do_not_sum_to_100_is_refused(client, admin_pusat, framework):
    response = login(client, admin_pusat).post(
        reverse("indicators:edition-create"), _edition_data(w_HK="30")
    )
    assert response.status_code == 200
    assert any("harus 100" in e for e in response.context["form"].non_field_errors())
    assert not MethodologyEdition.objects.filter(name="Edisi uji").exists()


def test_an_edition_with_a_gap_between_bands_is_refused(client, admin_pusat, framework):
    response = login(client, admin_pusat).post(
        reverse("indicators:edition-create"), _edition_data(**{"band-1-lower": "3,2"})
    )
    assert any("Kategori ke-2" in e for e in response.context["form"].non_field_errors())


def test_editing_the_default_edition_keeps_it_valid(client, admin_pusat, framework):
    edition = MethodologyEdition.objects.get(is_default=True)
    url = reverse("indicators:edition-edit", kwargs={"pk": edition.pk})
    login(client, admin_pusat)
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["bands"].initial[0]["name"] == "Tidak Tanggap"


def test_an_indicator_with_values_is_retired_not_deleted(client, admin_pusat, period, kupang):
    from indicators.services.values import submission_get_or_create

    submission = submission_get_or_create(period=period, level="kota", region=kupang)
    make_value(submission=submission, code="KW1", value=50)
    kw1 = Indicator.objects.get(code="KW1")
    login(client, admin_pusat)
    response = client.post(
        reverse("indicators:indicator-delete", kwargs={"pk": kw1.pk}), follow=True
    )
    assert "tidak dapat dihapus" in response.content.decode()
    assert Indicator.objects.filter(pk=kw1.pk).exists()
    client.post(reverse("indicators:indicator-retire", kwargs={"pk": kw1.pk}))
    kw1.refresh_from_db()
    assert kw1.active is False
    assert AuditEntry.objects.filter(action="indicator.retire", object_pk=str(kw1.pk)).exists()


def test_an_unused_indicator_can_be_deleted(client, admin_pusat, framework):
    hk5 = Indicator.objects.get(code="HK5")
    login(client, admin_pusat).post(reverse("indicators:indicator-delete", kwargs={"pk": hk5.pk}))
    assert not Indicator.objects.filter(code="HK5").exists()


def _indicator_data(indicator, **overrides):
    data = {
        "code": indicator.code,
        "variable": indicator.variable_id,
        "name": indicator.name,
        "help_text": indicator.help_text,
        "kind": indicator.kind,
        "unit": indicator.unit,
        "worst": str(indicator.worst),
        "best": str(indicator.best),
        "level": indicator.level,
        "weight": str(indicator.weight),
        "provider_note": indicator.provider_note,
        "evidence_required": "on" if indicator.evidence_required else "",
        "active": "on",
        "order": indicator.order,
    }
    data.update(overrides)
    return data


def test_admin_pusat_s_edit_of_an_indicator_is_audited_nationally(
    client, admin_pusat, framework, kupang
):
    kw5 = Indicator.objects.get(code="KW5")
    login(client, admin_pusat)
    response = client.post(
        reverse("indicators:indicator-edit", kwargs={"pk": kw5.pk}),
        _indicator_data(kw5, best="24"),
    )
    assert response.status_code == 302
    kw5.refresh_from_db()
    assert kw5.best == Decimal(24)
    entry = AuditEntry.objects.get(action="indicator.update", object_pk=str(kw5.pk))
    assert entry.changes == {"best": ["12.000", "24.000"]}
    assert entry.city is None
    assert entry.actor == admin_pusat
    assert list(AuditEntry.objects.national()) == [entry]


def test_a_city_admin_s_attempt_to_edit_the_catalogue_is_refused(client, admin_user, framework):
    kw5 = Indicator.objects.get(code="KW5")
    login(client, admin_user)
    for name in ("indicator-edit", "indicator-retire", "indicator-delete"):
        url = reverse(f"indicators:{name}", kwargs={"pk": kw5.pk})
        assert client.post(url, _indicator_data(kw5, best="24")).status_code == 403
    url = reverse("indicators:edition-create")
    assert client.post(url, _edition_data()).status_code == 403
    kw5.refresh_from_db()
    assert kw5.best == Decimal(12)
    assert kw5.active
    assert not AuditEntry.objects.exists()


def test_a_city_admin_reads_the_catalogue_without_edit_links(client, admin_user, framework):
    page = login(client, admin_user).get(reverse("indicators:framework")).content.decode()
    kw5 = Indicator.objects.get(code="KW5")
    assert f'href="{reverse("indicators:indicator-edit", kwargs={"pk": kw5.pk})}"' not in page
    assert f'href="{reverse("indicators:indicator-assign", kwargs={"pk": kw5.pk})}"' in page


def test_a_city_admin_assigns_an_indicator_to_the_city_s_organisations(
    client, admin_user, framework, kupang, other_city
):
    kw5 = Indicator.objects.get(code="KW5")
    polres = Stakeholder.objects.get(city=kupang, code="polres")
    elsewhere = Stakeholder.objects.create(
        city=other_city, code="polres", name="Polres lain", short_name="Polres", kind="vertikal"
    )
    kw5.responsible.add(elsewhere)
    login(client, admin_user)
    url = reverse("indicators:indicator-assign", kwargs={"pk": kw5.pk})
    assert client.post(url, {"responsible": [polres.pk]}).status_code == 302
    assert set(kw5.responsible.all()) == {polres, elsewhere}  # other cities keep theirs
    entry = AuditEntry.objects.get(action="indicator.assign")
    assert entry.city == kupang
    assert entry.changes["responsible"] == ["bnnk, dinkes", "polres"]
    # Another city's organisation is not a choice.
    response = client.post(url, {"responsible": [elsewhere.pk]})
    assert response.status_code == 200
    assert "responsible" in response.context["form"].errors


def test_the_level_of_an_indicator_with_values_cannot_change(client, admin_pusat, period, kupang):
    from indicators.services.values import submission_get_or_create

    submission = submission_get_or_create(period=period, level="kota", region=kupang)
    make_value(submission=submission, code="KW1", value=50)
    kw1 = Indicator.objects.get(code="KW1")
    response = login(client, admin_pusat).post(
        reverse("indicators:indicator-edit", kwargs={"pk": kw1.pk}),
        _indicator_data(kw1, level="kelurahan"),
    )
    assert response.status_code == 200
    assert "pensiunkan" in response.content.decode()
    kw1.refresh_from_db()
    assert kw1.level == "kota"


def test_a_yes_no_indicator_must_use_0_and_1(client, admin_pusat, framework):
    kw2 = Indicator.objects.get(code="KW2")
    response = login(client, admin_pusat).post(
        reverse("indicators:indicator-edit", kwargs={"pk": kw2.pk}), _indicator_data(kw2, best="5")
    )
    assert response.context["form"].errors["best"] == ["Indikator ya/tidak memakai nilai 0 dan 1."]


def test_an_operator_creates_a_period_and_a_verifier_locks_it(
    client, operator, verifier, framework
):
    login(client, operator)
    response = client.post(
        reverse("indicators:period-create"),
        {"year": "2027", "opens_on": "2027-11-01", "closes_on": "2027-11-30"},
    )
    assert response.status_code == 302
    period = AssessmentPeriod.objects.get(year=2027)
    status_url = reverse("indicators:period-status", kwargs={"pk": period.pk})
    client.post(status_url, {"status": "locked"})
    period.refresh_from_db()
    assert period.status == "open"  # an operator may not lock
    client.post(status_url, {"status": "closed"})
    login(client, verifier).post(status_url, {"status": "locked"})
    period.refresh_from_db()
    assert period.status == "locked"
    actions = list(
        AuditEntry.objects.filter(object_pk=str(period.pk)).values_list("action", flat=True)
    )
    assert actions == ["period.locked", "period.closed", "period.create"]


def test_a_period_window_must_be_ordered_and_years_unique(client, operator, period):
    login(client, operator)
    url = reverse("indicators:period-create")
    response = client.post(
        url, {"year": "2028", "opens_on": "2028-11-30", "closes_on": "2028-11-01"}
    )
    assert response.context["form"].errors["closes_on"] == [
        "Tanggal tutup tidak boleh sebelum tanggal buka."
    ]
    response = client.post(
        url, {"year": str(period.year), "opens_on": "2026-11-01", "closes_on": "2026-11-30"}
    )
    assert "sudah ada" in response.context["form"].errors["year"][0]


def test_the_framework_page_lists_the_catalogue(client, operator, framework):
    response = login(client, operator).get(reverse("indicators:framework"))
    assert response.status_code == 200
    assert response.context["can_edit"] is False
    assert len(response.context["indicators"]) == 26
