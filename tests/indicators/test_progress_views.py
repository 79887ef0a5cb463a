import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import Indicator, IndicatorValue, Submission
from indicators.services.values import (
    ValueInput,
    submission_get_or_create,
    submission_values_save,
)
from kotan.models import Region, Stakeholder
from tests.conftest import login
from tests.factories import make_region


def _kelurahan(kupang):
    return list(Region.objects.filter(city=kupang, level="kelurahan").order_by("code"))


def _fill(period, operator, regions, *, status=None):
    indicators = list(Indicator.objects.active().filter(level="kelurahan"))
    for region in regions:
        submission = submission_get_or_create(period=period, level="kelurahan", region=region)
        submission_values_save(
            submission=submission,
            actor=operator,
            inputs={i.pk: ValueInput(i.best) for i in indicators},
            expected_version=None,
        )
        if status:
            Submission.objects.filter(pk=submission.pk).update(status=status)


def _grow_city(kupang, n=5):
    kecamatan = Region.objects.filter(city=kupang, level="kecamatan").first()
    for i in range(n):
        make_region(
            code=f"53.71.09.{2000 + i}",
            name=f"Kelurahan Uji {i}",
            level="kelurahan",
            parent=kecamatan,
            city=kupang,
        )


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_grid_runs_a_fixed_number_of_queries(client, operator, period, kupang):
    url = reverse("indicators:kelurahan-grid", kwargs={"pk": period.pk})
    login(client, operator)
    small = _count_queries(client, url)
    _grow_city(kupang)
    _fill(period, operator, _kelurahan(kupang))
    large = _count_queries(client, url)
    assert small == large
    assert len(client.get(url).context["rows"]) == 56


def test_the_completeness_page_runs_a_fixed_number_of_queries(
    client, operator, verifier, period, kupang
):
    url = reverse("indicators:completeness", kwargs={"pk": period.pk})
    login(client, verifier)
    small = _count_queries(client, url)
    _grow_city(kupang)
    _fill(period, operator, _kelurahan(kupang)[:30], status=Submission.Status.APPROVED)
    for stakeholder in Stakeholder.objects.filter(city=kupang, code__in=["polres", "dinkes"]):
        submission_get_or_create(period=period, level="stakeholder", stakeholder=stakeholder)
    large = _count_queries(client, url)
    assert small == large


def test_completeness_counts_and_highlights_late_units(client, verifier, operator, period, kupang):
    regions = _kelurahan(kupang)
    _fill(period, operator, regions[:1], status=Submission.Status.APPROVED)
    _fill(period, operator, regions[1:2])
    period.opens_on = datetime.date(2020, 11, 1)
    period.closes_on = datetime.date(2020, 11, 30)
    period.save()
    response = login(client, verifier).get(
        reverse("indicators:completeness", kwargs={"pk": period.pk})
    )
    rows = {row.label: row for row in response.context["progress"].rows}
    approved, draft = rows[regions[0].name], rows[regions[1].name]
    kelurahan_count = Indicator.objects.active().filter(level="kelurahan").count()
    assert (approved.applicable, approved.entered, approved.approved) == (
        kelurahan_count,
        kelurahan_count,
        kelurahan_count,
    )
    assert not approved.late and draft.late and draft.submitted == 0
    kesbangpol = Stakeholder.objects.get(city=kupang, code="kesbangpol")
    assert rows[str(kesbangpol)].applicable == 4  # KL4–KL7 go to every agency
    assert "table-late" in response.content.decode()


def _grid_data(form_context):
    form = form_context["form"]
    data = {}
    for name, _field in form.fields.items():
        if name.startswith(("ef", "ei")):
            continue
        value = form[name].value()
        data[name] = "" if value is None else str(value)
    return data


def test_the_grid_saves_changed_rows_through_the_service(client, operator, period, kupang):
    url = reverse("indicators:kelurahan-grid", kwargs={"pk": period.pk})
    login(client, operator)
    data = _grid_data(client.get(url).context)
    first, second = _kelurahan(kupang)[:2]
    kk1, km3 = Indicator.objects.get(code="KK1"), Indicator.objects.get(code="KM3")
    data[f"r{first.pk}_{kk1.pk}"] = "55,5"
    data[f"r{second.pk}_{km3.pk}"] = "1"
    response = client.post(url, data)
    assert response.status_code == 302
    assert Submission.objects.filter(period=period).count() == 2  # only changed rows
    assert IndicatorValue.objects.get(indicator=kk1).value == Decimal("55.5")
    assert IndicatorValue.objects.get(indicator=km3).submission.region == second


def test_a_stale_row_keeps_its_error_while_the_other_rows_are_saved(
    client, operator, admin_user, period, kupang
):
    url = reverse("indicators:kelurahan-grid", kwargs={"pk": period.pk})
    login(client, operator)
    data = _grid_data(client.get(url).context)
    first, second = _kelurahan(kupang)[:2]
    kk1 = Indicator.objects.get(code="KK1")
    _fill(period, admin_user, [second])  # someone saves the second kelurahan meanwhile
    data[f"r{first.pk}_{kk1.pk}"] = "10"
    data[f"r{second.pk}_{kk1.pk}"] = "20"
    response = client.post(url, data)
    assert response.status_code == 409
    assert "sudah diubah orang lain" in response.content.decode()
    assert IndicatorValue.objects.get(submission__region=first, indicator=kk1).value == 10
    assert IndicatorValue.objects.get(submission__region=second, indicator=kk1).value == 100


def test_the_grid_saves_valid_cells_and_keeps_the_bad_one_with_its_error(
    client, operator, period, kupang
):
    url = reverse("indicators:kelurahan-grid", kwargs={"pk": period.pk})
    login(client, operator)
    data = _grid_data(client.get(url).context)
    first, second = _kelurahan(kupang)[:2]
    kk1, kk4 = Indicator.objects.get(code="KK1"), Indicator.objects.get(code="KK4")
    data[f"r{first.pk}_{kk4.pk}"] = "2,5"
    data[f"r{first.pk}_{kk1.pk}"] = "40"
    data[f"r{second.pk}_{kk1.pk}"] = "60"
    response = client.post(url, data)
    assert response.status_code == 200
    bad = f"r{first.pk}_{kk4.pk}"
    assert response.context["form"].errors[bad] == ["Jumlah harus bilangan bulat."]
    html = response.content.decode()
    assert "2 isian disimpan, 1 perlu diperbaiki." in html
    assert 'value="2,5"' in html and 'aria-invalid="true"' in html
    values = {
        (v.submission.region_id, v.indicator_id): v.value for v in IndicatorValue.objects.all()
    }
    assert values == {(first.pk, kk1.pk): 40, (second.pk, kk1.pk): 60}

    # Fixing the cell: the page carries the new versions, so the next save is not stale.
    data = _grid_data(response.context)
    data[bad] = "3"
    assert client.post(url, data).status_code == 302
    assert IndicatorValue.objects.get(submission__region=first, indicator=kk4).value == 3


def test_submit_all_complete_rows_submits_only_complete_rows(client, operator, period, kupang):
    first, second, third = _kelurahan(kupang)[:3]
    _fill(period, operator, [first, second])
    km3 = Indicator.objects.get(code="KM3")
    # KM3 needs evidence: the first row gets it, the second does not.
    IndicatorValue.objects.filter(submission__region=first, indicator=km3).update(
        evidence="evidence/x.pdf"
    )
    url = reverse("indicators:kelurahan-grid", kwargs={"pk": period.pk})
    login(client, operator)
    page = client.get(url)
    statuses = {r["region"].pk: r["missing"] for r in page.context["rows"]}
    assert statuses[first.pk] == [] and statuses[second.pk] == ["bukti KM3"]
    assert statuses[third.pk][:2] == ["KK1", "KK3"]
    data = {**_grid_data(page.context), "action": "submit-complete"}
    response = client.post(url, data, follow=True)
    assert "1 kelurahan diajukan" in response.content.decode()
    submitted = set(
        Submission.objects.filter(status=Submission.Status.SUBMITTED).values_list(
            "region", flat=True
        )
    )
    assert submitted == {first.pk}


def test_evidence_uploaded_from_a_row_is_stored_with_its_value(client, operator, period, kupang):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import PDF_BYTES

    first = _kelurahan(kupang)[0]
    km3 = Indicator.objects.get(code="KM3")
    url = reverse("indicators:kelurahan-grid", kwargs={"pk": period.pk})
    login(client, operator)
    data = _grid_data(client.get(url).context)
    data[f"r{first.pk}_{km3.pk}"] = "1"
    data[f"ei{first.pk}"] = str(km3.pk)
    data[f"ef{first.pk}"] = SimpleUploadedFile("bersinar.pdf", PDF_BYTES, "application/pdf")
    assert client.post(url, data).status_code == 302
    stored = IndicatorValue.objects.get(submission__region=first, indicator=km3)
    assert stored.value == 1 and stored.evidence.read() == PDF_BYTES


def test_the_grid_headers_show_name_unit_and_code(client, operator, period):
    url = reverse("indicators:kelurahan-grid", kwargs={"pk": period.pk})
    html = login(client, operator).get(url).content.decode()
    assert "KM1" in html and "Penggiat/relawan anti narkoba aktif" in html and "(orang)" in html
    assert "(%) (%)" not in html
    assert 'src="/static/js/grid.js"' in html


def test_approved_rows_of_the_grid_are_locked(client, operator, period, kupang):
    first = _kelurahan(kupang)[0]
    _fill(period, operator, [first], status=Submission.Status.APPROVED)
    url = reverse("indicators:kelurahan-grid", kwargs={"pk": period.pk})
    login(client, operator)
    data = _grid_data(client.get(url).context)
    kk1 = Indicator.objects.get(code="KK1")
    assert client.get(url).context["form"].fields[f"r{first.pk}_{kk1.pk}"].disabled
    data[f"r{first.pk}_{kk1.pk}"] = "1"
    client.post(url, data)
    assert IndicatorValue.objects.get(submission__region=first, indicator=kk1).value == 100


@pytest.mark.parametrize("role", ["verifikator", "pimpinan", "pemangku"])
def test_only_operators_and_admins_use_the_grid(client, personas, role, period):
    url = reverse("indicators:kelurahan-grid", kwargs={"pk": period.pk})
    assert personas.client(role).get(url).status_code == 403
