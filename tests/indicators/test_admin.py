from decimal import Decimal

from django.urls import reverse

from indicators.models import Indicator, IndicatorValue, Submission
from indicators.services.values import submission_get_or_create
from kotan.models import AuditEntry, User
from tests.conftest import login
from tests.factories import make_user, make_value


def _superuser(kupang):
    return make_user(
        username="root", city=kupang, role=User.Role.ADMIN, is_staff=True, is_superuser=True
    )


def test_the_admin_refuses_to_change_an_approved_value(client, kupang, period):
    submission = submission_get_or_create(period=period, level="kota", region=kupang)
    value = make_value(submission=submission, code="KW1", value=40)
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.APPROVED)
    login(client, _superuser(kupang))
    url = reverse("admin:indicators_indicatorvalue_change", args=[value.pk])
    client.post(url, {"value": "99", "comment": "x"})
    assert IndicatorValue.objects.get(pk=value.pk).value == Decimal(40)
    page = client.get(url).content.decode()
    assert 'name="value"' not in page  # shown read-only


def test_the_admin_changes_a_draft_value_through_the_service(client, kupang, period):
    submission = submission_get_or_create(period=period, level="kota", region=kupang)
    value = make_value(submission=submission, code="KW1", value=40)
    login(client, _superuser(kupang))
    url = reverse("admin:indicators_indicatorvalue_change", args=[value.pk])
    response = client.post(url, {"value": "150", "comment": ""})
    assert response.status_code == 200  # out of range: refused at the field
    response = client.post(url, {"value": "55", "comment": "dari admin"})
    assert response.status_code == 302
    assert IndicatorValue.objects.get(pk=value.pk).value == Decimal(55)
    assert AuditEntry.objects.filter(action="value.admin").exists()


def test_the_admin_cannot_delete_an_indicator_that_holds_values(client, kupang, period):
    submission = submission_get_or_create(period=period, level="kota", region=kupang)
    make_value(submission=submission, code="KW1", value=40)
    kw1 = Indicator.objects.get(code="KW1")
    login(client, _superuser(kupang))
    response = client.post(
        reverse("admin:indicators_indicator_delete", args=[kw1.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Indicator.objects.filter(pk=kw1.pk).exists()


def test_admin_edits_of_an_indicator_are_audited(client, kupang, framework):
    kw5 = Indicator.objects.get(code="KW5")
    login(client, _superuser(kupang))
    url = reverse("admin:indicators_indicator_change", args=[kw5.pk])
    assert client.post(url, _kw5_data(kw5, help_text="Hitung kegiatan")).status_code == 302
    entry = AuditEntry.objects.get(action="indicator.update")
    assert entry.changes["help_text"] == ["", "Hitung kegiatan"]


def test_admin_pages_of_the_app_open(client, kupang, period):
    login(client, _superuser(kupang))
    for model in (
        "methodologyedition",
        "variable",
        "indicator",
        "assessmentperiod",
        "submission",
        "indicatorvalue",
    ):
        assert client.get(reverse(f"admin:indicators_{model}_changelist")).status_code == 200


def _kw5_data(kw5, **overrides):
    data = {
        "code": "KW5",
        "variable": kw5.variable_id,
        "name": kw5.name,
        "help_text": "",
        "kind": kw5.kind,
        "unit": kw5.unit,
        "worst": "0",
        "best": "12",
        "level": kw5.level,
        "weight": "1",
        "provider_note": "",
        "active": "on",
        "order": "1",
    }
    return {**data, **overrides}


def test_a_city_admin_reads_the_catalogue_in_the_admin_but_cannot_change_it(
    client, admin_user, framework
):
    kw5 = Indicator.objects.get(code="KW5")
    url = reverse("admin:indicators_indicator_change", args=[kw5.pk])
    login(client, admin_user)
    assert client.get(url).status_code == 200
    assert client.post(url, _kw5_data(kw5, help_text="Diubah")).status_code == 403
    kw5.refresh_from_db()
    assert kw5.help_text == ""


def test_admin_pusat_changes_the_catalogue_in_the_admin_with_a_national_audit_entry(
    client, admin_pusat, framework
):
    kw5 = Indicator.objects.get(code="KW5")
    url = reverse("admin:indicators_indicator_change", args=[kw5.pk])
    login(client, admin_pusat)
    assert client.post(url, _kw5_data(kw5, help_text="Diubah")).status_code == 302
    entry = AuditEntry.objects.get(action="indicator.update")
    assert entry.city is None
    assert entry.actor == admin_pusat
