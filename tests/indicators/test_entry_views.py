import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicators.models import AssessmentPeriod, Indicator, IndicatorValue, Submission
from indicators.services.values import (
    ValueInput,
    submission_approve,
    submission_get_or_create,
    submission_submit,
    submission_values_save,
)
from kotan.models import AuditEntry
from tests.conftest import login
from tests.factories import PDF_BYTES, PNG_BYTES


def _ind(code):
    return Indicator.objects.get(code=code)


def _city_url(period):
    return reverse("indicators:entry-city", kwargs={"pk": period.pk})


def _stakeholder_url(period, stakeholder):
    return reverse(
        "indicators:entry-stakeholder", kwargs={"pk": period.pk, "stakeholder": stakeholder.pk}
    )


def _city_post(values, version=1, action="save", **extra):
    data = {"version": str(version), "action": action}
    for code, value in values.items():
        data[f"v{_ind(code).pk}"] = value
    data.update(extra)
    return data


def test_the_city_form_groups_the_kota_indicators_by_variable(client, operator, period):
    response = login(client, operator).get(_city_url(period))
    assert response.status_code == 200
    html = response.content.decode()
    assert "KK · Ketahanan Keluarga" in html and "KW1 · " in html
    assert "KK1 · " not in html  # a kelurahan-level indicator
    assert html.index("KK2") < html.index("KW1") < html.index("HK1")


def test_an_operator_saves_a_draft_and_the_history_shows_it(client, operator, period):
    response = login(client, operator).post(
        _city_url(period), _city_post({"KW1": "45,5", "KW2": "1"}, c_extra=""), follow=True
    )
    assert response.status_code == 200
    submission = Submission.objects.get(period=period, level="kota")
    assert submission.status == Submission.Status.DRAFT
    values = {v.indicator.code: v.value for v in submission.values.select_related("indicator")}
    assert values == {"KW1": Decimal("45.5"), "KW2": Decimal(1)}
    assert "45,5" in response.content.decode()  # history: old → new
    assert "Data tersimpan sebagai draf." in response.content.decode()


def test_it_rejects_a_percentage_above_100_at_the_field_and_keeps_the_input(
    client, operator, period
):
    response = login(client, operator).post(
        _city_url(period), _city_post({"KW1": "150", "KW2": "1"})
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors[f"v{_ind('KW1').pk}"] == ["Nilai harus antara 0 dan 100."]
    assert 'value="150"' in response.content.decode()
    assert not IndicatorValue.objects.exists()


def test_it_rejects_text_in_a_number_field(client, operator, period):
    response = login(client, operator).post(_city_url(period), _city_post({"KW5": "dua"}))
    assert response.context["form"].errors[f"v{_ind('KW5').pk}"] == [
        "Masukkan angka, misalnya 12,5."
    ]


def test_a_second_save_from_the_same_version_is_refused_and_shows_what_changed(
    client, operator, admin_user, period
):
    login(client, operator).post(_city_url(period), _city_post({"KW1": "40"}))
    other = client.__class__()
    login(other, admin_user)
    response = other.post(_city_url(period), _city_post({"KW1": "90"}, version=1))
    assert response.status_code == 409
    html = response.content.decode()
    assert "sudah diubah orang lain" in html
    assert response.context["conflicts"][0]["theirs"].value == Decimal(40)
    assert IndicatorValue.objects.get().value == Decimal(40)
    # The refused form keeps what the user typed and now carries the current version.
    assert 'value="90"' in html
    assert response.context["form"].data["version"] == "2"


def test_submit_reports_what_is_missing_and_keeps_the_draft(client, operator, period):
    response = login(client, operator).post(
        _city_url(period), _city_post({"KW1": "40"}, action="submit"), follow=True
    )
    assert "Belum dapat diajukan" in response.content.decode()
    assert Submission.objects.get().status == Submission.Status.DRAFT


def _complete(period, kupang, operator):
    submission = submission_get_or_create(period=period, level="kota", region=kupang)
    from indicators.services.values import applicable_indicators

    submission = submission_values_save(
        submission=submission,
        actor=operator,
        inputs={i.pk: ValueInput(i.best) for i in applicable_indicators(submission)},
        expected_version=1,
    )
    submission.values.filter(indicator__evidence_required=True).update(evidence="evidence/x.pdf")
    return submission


def test_a_verifier_returns_with_a_reason_then_approves(client, operator, verifier, period, kupang):
    submission = _complete(period, kupang, operator)
    submission = submission_submit(submission=submission, actor=operator, expected_version=None)
    login(client, verifier)
    url = reverse("indicators:submission-return", kwargs={"pk": submission.pk})
    response = client.post(url, {"return-version": submission.version, "return-reason": ""})
    assert response.status_code == 200
    assert response.context["return_form"].errors["reason"] == ["Alasan wajib diisi."]
    response = client.post(
        url, {"return-version": submission.version, "return-reason": "KW1 tidak wajar"}
    )
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == Submission.Status.RETURNED
    page = client.get(_city_url(period)).content.decode()
    assert "KW1 tidak wajar" in page


def test_approved_data_refuses_a_save_until_reopened(client, operator, verifier, period, kupang):
    submission = _complete(period, kupang, operator)
    submission = submission_submit(submission=submission, actor=operator, expected_version=None)
    submission = submission_approve(submission=submission, actor=verifier, expected_version=None)
    login(client, operator)
    page = client.get(_city_url(period))
    assert page.context["can_save"] is False
    response = client.post(_city_url(period), _city_post({"KW1": "10"}, version=submission.version))
    assert response.status_code == 409
    assert "sudah disetujui dan terkunci" in response.content.decode()
    assert IndicatorValue.objects.get(indicator__code="KW1").value == Decimal(100)
    login(client, verifier)
    client.post(
        reverse("indicators:submission-reopen", kwargs={"pk": submission.pk}),
        {"reopen-version": submission.version, "reopen-reason": "Koreksi KW1"},
    )
    submission.refresh_from_db()
    assert submission.status == Submission.Status.DRAFT
    assert AuditEntry.objects.filter(reason="Koreksi KW1").exists()


def test_a_stakeholder_officer_sees_only_the_indicators_of_their_organisation(
    client, stakeholder_officer, period
):
    response = login(client, stakeholder_officer).get(_city_url(period))
    codes = {row.indicator.code for _v, rows in response.context["groups"] for row in rows}
    assert codes == {"KL1", "KL3", "HK5"}


def test_a_stakeholder_officer_cannot_write_another_indicator_by_crafting_the_post(
    client, stakeholder_officer, period
):
    login(client, stakeholder_officer).post(
        _city_url(period), _city_post({"KL1": "1", "KW1": "50"})
    )
    assert set(IndicatorValue.objects.values_list("indicator__code", flat=True)) == {"KL1"}


def test_a_stakeholder_officer_cannot_open_another_organisations_unit(
    client, stakeholder_officer, period, kupang
):
    from kotan.models import Stakeholder

    polres = Stakeholder.objects.get(city=kupang, code="polres")
    response = login(client, stakeholder_officer).get(_stakeholder_url(period, polres))
    assert response.status_code == 403


def test_after_the_window_closes_only_operators_enter(
    client, stakeholder_officer, operator, period, kesbangpol
):
    period.closes_on = datetime.date.today() - datetime.timedelta(days=1)
    period.opens_on = period.closes_on - datetime.timedelta(days=30)
    period.save()
    url = _stakeholder_url(period, kesbangpol)
    kl4 = _ind("KL4")
    data = {"version": "1", f"v{kl4.pk}": "1"}
    login(client, stakeholder_officer)
    assert client.get(url).context["can_save"] is False
    assert client.post(url, data).status_code == 403
    login(client, operator)
    assert client.post(url, data).status_code == 302
    assert IndicatorValue.objects.filter(indicator=kl4).exists()


def test_a_locked_period_refuses_everyone(client, operator, period):
    period.status = AssessmentPeriod.Status.LOCKED
    period.save()
    response = login(client, operator).post(_city_url(period), _city_post({"KW1": "1"}))
    assert response.status_code == 403


def test_evidence_is_checked_by_content_not_by_name(client, operator, period, settings):
    kk2 = _ind("KK2")
    login(client, operator)
    fake = SimpleUploadedFile("bukti.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    response = client.post(
        _city_url(period), {"version": "1", f"v{kk2.pk}": "3", f"e{kk2.pk}": fake}
    )
    assert response.context["form"].errors[f"e{kk2.pk}"] == [
        "Berkas bukti.pdf bukan PDF, JPEG atau PNG."
    ]
    settings.EVIDENCE_MAX_BYTES = 10
    big = SimpleUploadedFile("b.png", PNG_BYTES, "image/png")
    response = client.post(_city_url(period), {"version": "1", f"e{kk2.pk}": big})
    assert "terlalu besar" in response.context["form"].errors[f"e{kk2.pk}"][0]
    settings.EVIDENCE_MAX_BYTES = 5_000_000
    good = SimpleUploadedFile("../../etc/x.exe", PDF_BYTES, "application/x-msdownload")
    response = client.post(
        _city_url(period), {"version": "1", f"v{kk2.pk}": "3", f"e{kk2.pk}": good}
    )
    assert response.status_code == 302
    stored = IndicatorValue.objects.get(indicator=kk2)
    assert stored.evidence.name.endswith(".pdf") and "etc" not in stored.evidence.name
    download = client.get(reverse("indicators:evidence", kwargs={"pk": stored.pk}))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF_BYTES


def test_review_views_refuse_get(client, verifier, period, kupang):
    submission = submission_get_or_create(period=period, level="kota", region=kupang)
    login(client, verifier)
    for name in ("submission-approve", "submission-return", "submission-reopen"):
        assert (
            client.get(reverse(f"indicators:{name}", kwargs={"pk": submission.pk})).status_code
            == 405
        )


@pytest.mark.parametrize("role_fixture", ["pimpinan"])
def test_pimpinan_does_not_open_entry_pages(client, request, role_fixture, period):
    user = request.getfixturevalue(role_fixture)
    assert login(client, user).get(_city_url(period)).status_code == 403


def test_stored_values_are_shown_as_typed(client, operator, period, kupang):
    from tests.factories import make_value

    submission = submission_get_or_create(period=period, level="kota", region=kupang)
    make_value(submission=submission, code="KW2", value=1)
    make_value(submission=submission, code="KW1", value="12.5")
    html = login(client, operator).get(_city_url(period)).content.decode()
    assert '<option value="1" selected>Ya</option>' in html
    assert 'value="12,5"' in html


def test_an_invalid_value_is_summarised_marked_and_focused_and_the_rest_is_kept(
    client, operator, period
):
    kw1, kw5 = _ind("KW1"), _ind("KW5")
    response = login(client, operator).post(
        _city_url(period), _city_post({"KW1": "150", "KW5": "7", "KW2": "1"})
    )
    html = response.content.decode()
    summary = html[html.index('data-testid="form-errors"') :]
    assert f'href="#id_v{kw1.pk}"' in summary.split("</ul>")[0]
    assert "Nilai harus antara 0 dan 100." in summary.split("</ul>")[0]
    field = html[html.index(f'id="id_v{kw1.pk}"') - 200 : html.index(f'id="id_v{kw1.pk}"') + 200]
    assert "is-invalid" in field and 'aria-invalid="true"' in field and "autofocus" in field
    assert f'aria-describedby="id_v{kw1.pk}-error"' in field
    assert f'id="id_v{kw1.pk}-error"' in html
    assert html.count("autofocus") == 1
    # The valid values stay as typed.
    assert response.context["form"][f"v{kw5.pk}"].value() == "7"


def test_evidence_chosen_with_an_invalid_value_is_kept_for_the_next_save(client, operator, period):
    kk2, kw1 = _ind("KK2"), _ind("KW1")
    login(client, operator)
    upload = SimpleUploadedFile("sk-tim.pdf", PDF_BYTES, "application/pdf")
    response = client.post(
        _city_url(period),
        _city_post({"KW1": "150", "KK2": "3"}, **{f"e{kk2.pk}": upload}),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bukti terpilih: sk-tim.pdf" in html
    pending = response.context["form"].pending[kk2.pk]
    assert pending.owner == operator and f'value="{pending.pk}"' in html
    assert not IndicatorValue.objects.exists()

    # Fixing the value and saving again (no file chosen) stores the kept evidence.
    response = client.post(
        _city_url(period), _city_post({"KW1": "50", "KK2": "3"}, **{f"p{kk2.pk}": pending.pk})
    )
    assert response.status_code == 302
    stored = IndicatorValue.objects.get(indicator=kk2)
    assert stored.evidence.read() == PDF_BYTES
    assert IndicatorValue.objects.get(indicator=kw1).value == Decimal(50)
    from indicators.models import PendingEvidence

    assert not PendingEvidence.objects.exists()


def test_another_users_pending_evidence_is_never_used(client, operator, admin_user, period):
    kk2 = _ind("KK2")
    login(client, admin_user)
    upload = SimpleUploadedFile("a.pdf", PDF_BYTES, "application/pdf")
    response = client.post(_city_url(period), _city_post({"KW1": "150"}, **{f"e{kk2.pk}": upload}))
    pending = response.context["form"].pending[kk2.pk]
    other = client.__class__()
    login(other, operator)
    assert "Bukti terpilih" not in other.get(_city_url(period)).content.decode()
    response = other.post(_city_url(period), _city_post({"KK2": "3"}, **{f"p{kk2.pk}": pending.pk}))
    assert response.status_code == 302
    assert not IndicatorValue.objects.get(indicator=kk2).evidence


def test_evidence_needed_only_for_ya_is_shown_and_not_asked_for_tidak(operator, period, kupang):
    from indicators.services.values import missing_for_submit

    kl1 = _ind("KL1")
    kl1.evidence_when_positive = True
    kl1.save()
    assert kl1.evidence_rule == "Wajib bukti dukung bila jawabannya Ya"
    submission = submission_get_or_create(period=period, level="kota", region=kupang)
    submission_values_save(
        submission=submission,
        actor=operator,
        inputs={kl1.pk: ValueInput(Decimal(0))},
        expected_version=1,
    )
    assert "KL1 belum ada bukti dukung" not in missing_for_submit(submission)
    submission.refresh_from_db()
    submission_values_save(
        submission=submission,
        actor=operator,
        inputs={kl1.pk: ValueInput(Decimal(1))},
        expected_version=submission.version,
    )
    assert "KL1 belum ada bukti dukung" in missing_for_submit(submission)


def test_the_page_shows_evidence_rules_and_each_unit_once(client, operator, period):
    html = login(client, operator).get(_city_url(period)).content.decode()
    assert "Wajib bukti dukung" in html
    assert "(%) (%)" not in html and "(%)" in html
