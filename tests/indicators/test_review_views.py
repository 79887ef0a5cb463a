"""The verifier's queue (indicators/views/review.py): filters, waiting order, previous/next,
last period's values and validation warnings, single and bulk decisions."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from indicators.models import Indicator, Submission
from kotan.models import AuditEntry, Notification, Region, Stakeholder
from tests.conftest import login
from tests.factories import make_approved_submission, make_period

pytestmark = pytest.mark.django_db

QUEUE = reverse("indicators:review-queue")


def _kelurahan(kupang, n):
    return list(Region.objects.filter(city=kupang, level="kelurahan").order_by("code")[:n])


def _submitted(period, kelurahan, *, operator=None, ago_hours=0, values=None):
    submission = make_approved_submission(
        period=period,
        region=kelurahan,
        values=values or {"KK1": 50, "KM1": 4},
        status="submitted",
        entered_by=operator,
    )
    Submission.objects.filter(pk=submission.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(hours=ago_hours)
    )
    return submission


def test_the_queue_lists_submitted_units_longest_waiting_first(client, verifier, period, kupang):
    first, second, third = _kelurahan(kupang, 3)
    _submitted(period, first, ago_hours=1)
    _submitted(period, second, ago_hours=30)
    _submitted(period, third, ago_hours=5)
    make_approved_submission(period=period, values={"KL1": 1})  # approved: not waiting
    login(client, verifier)
    units = client.get(QUEUE).context["units"]
    assert [u.region for u in units] == [second, third, first]


def test_the_queue_filters_by_kecamatan_level_organisation_and_status(
    client, verifier, period, kupang, kesbangpol
):
    first, *_rest = _kelurahan(kupang, 1)
    elsewhere = Region.objects.filter(city=kupang, level="kelurahan").exclude(parent=first.parent)[
        0
    ]
    _submitted(period, first)
    _submitted(period, elsewhere)
    make_approved_submission(
        period=period, stakeholder=kesbangpol, values={"KL4": 1}, status="submitted"
    )
    returned = make_approved_submission(period=period, values={"KL1": 1}, status="returned")
    login(client, verifier)

    def regions(**query):
        return [u.region_id or u.stakeholder_id for u in client.get(QUEUE, query).context["units"]]

    assert regions(kecamatan=first.parent_id) == [first.pk]
    assert regions(tingkat="stakeholder") == [kesbangpol.pk]
    assert regions(instansi=kesbangpol.pk) == [kesbangpol.pk]
    assert regions(status="returned") == [returned.region_id]
    assert len(regions(periode=period.pk)) == 3
    assert regions(
        variabel=Indicator.objects.get(code="KL4").variable_id, tingkat="stakeholder"
    ) == [kesbangpol.pk]


def test_the_review_page_shows_last_periods_value_the_change_and_warnings(
    client, verifier, period, kupang
):
    (kelurahan,) = _kelurahan(kupang, 1)
    kk1 = Indicator.objects.get(code="KK1")
    kk1.warn_max_change = Decimal(20)
    kk1.warn_max = Decimal(90)
    kk1.save()
    before = make_period(city=kupang, year=2025)
    make_approved_submission(period=before, region=kelurahan, values={"KK1": 40})
    submission = _submitted(period, kelurahan, values={"KK1": 95})
    login(client, verifier)
    response = client.get(reverse("indicators:review-detail", args=[submission.pk]))
    row = next(r for r in response.context["rows"] if r.indicator == kk1)
    assert (row.previous, row.change) == (Decimal(40), Decimal(55))
    assert len(row.warnings) == 2
    body = response.content.decode()
    assert "di atas batas wajar 90" in body
    assert "berubah lebih dari 20 dari periode lalu" in body
    # Warnings never block: the unit can still be approved.
    assert 'data-testid="approve"' in body


def test_previous_and_next_follow_the_filtered_queue(client, verifier, period, kupang):
    units = [_submitted(period, k, ago_hours=10 - i) for i, k in enumerate(_kelurahan(kupang, 3))]
    login(client, verifier)
    url = reverse("indicators:review-detail", args=[units[1].pk])
    context = client.get(url, {"tingkat": "kelurahan"}).context
    assert context["previous_url"].startswith(
        reverse("indicators:review-detail", args=[units[0].pk])
    )
    assert "tingkat=kelurahan" in context["next_url"]
    assert context["next_url"].startswith(reverse("indicators:review-detail", args=[units[2].pk]))


def test_approving_goes_to_the_next_unit_and_tells_the_operator(
    client, verifier, operator, period, kupang
):
    first, second = (
        _submitted(period, k, operator=operator, ago_hours=5 - i)
        for i, k in enumerate(_kelurahan(kupang, 2))
    )
    login(client, verifier)
    response = client.post(
        reverse("indicators:review-decide", args=[first.pk]),
        {"action": "approve", "version": first.version},
    )
    assert response.status_code == 302
    assert response.url == reverse("indicators:review-detail", args=[second.pk])
    first.refresh_from_db()
    assert first.status == Submission.Status.APPROVED
    note = Notification.objects.get(recipient=operator)
    assert note.kind == Notification.Kind.SUBMISSION_APPROVED
    assert first.region.name in note.title


def test_returning_needs_a_reason(client, verifier, period, kupang):
    submission = _submitted(period, _kelurahan(kupang, 1)[0])
    login(client, verifier)
    url = reverse("indicators:review-decide", args=[submission.pk])
    response = client.post(url, {"action": "return", "version": submission.version, "reason": " "})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED
    client.post(url, {"action": "return", "version": submission.version, "reason": "KK1 keliru"})
    submission.refresh_from_db()
    assert (submission.status, submission.return_reason) == ("returned", "KK1 keliru")


def test_bulk_approval_asks_once_then_approves_each_with_its_own_audit_entry(
    client, verifier, operator, period, kupang
):
    operator.email = "operator@kupang.go.id"
    operator.save()
    units = [_submitted(period, k, operator=operator) for k in _kelurahan(kupang, 4)]
    login(client, verifier)
    url = reverse("indicators:review-bulk-approve")
    ids = [u.pk for u in units[:3]]
    confirm = client.post(url, {"ids": ids})
    assert confirm.status_code == 200
    assert len(confirm.context["units"]) == 3
    assert Submission.objects.filter(status="approved").count() == 0
    response = client.post(url, {"ids": ids, "confirmed": "on"})
    assert response.status_code == 302
    assert set(Submission.objects.filter(status="approved").values_list("pk", flat=True)) == set(
        ids
    )
    approvals = AuditEntry.objects.filter(action="submission.approved")
    assert sorted(int(a.object_pk) for a in approvals) == sorted(ids)
    assert Notification.objects.filter(recipient=operator).count() == 3


def test_bulk_approval_refuses_units_no_longer_waiting(client, verifier, period, kupang):
    done = make_approved_submission(period=period, values={"KL1": 1})
    login(client, verifier)
    client.post(reverse("indicators:review-bulk-approve"), {"ids": [done.pk], "confirmed": "on"})
    assert AuditEntry.objects.filter(action="submission.approved").count() == 0


def test_bulk_approval_is_for_reviewers_only(client, operator, period, kupang):
    submission = _submitted(period, _kelurahan(kupang, 1)[0])
    login(client, operator)
    response = client.post(
        reverse("indicators:review-bulk-approve"), {"ids": [submission.pk], "confirmed": "on"}
    )
    assert response.status_code == 403


def test_operators_read_the_queue_without_decision_controls(client, operator, period, kupang):
    _submitted(period, _kelurahan(kupang, 1)[0])
    login(client, operator)
    response = client.get(QUEUE)
    assert response.status_code == 200
    assert 'data-testid="bulk-approve"' not in response.content.decode()


def test_get_on_a_decision_is_405(client, verifier, period, kupang):
    submission = _submitted(period, _kelurahan(kupang, 1)[0])
    login(client, verifier)
    assert client.get(reverse("indicators:review-decide", args=[submission.pk])).status_code == 405


def test_another_citys_unit_is_404(client, period, kupang, other_city):
    from tests.factories import make_user

    submission = _submitted(period, _kelurahan(kupang, 1)[0])
    outsider = make_user(username="verif-kediri", city=other_city, role="verifikator")
    login(client, outsider)
    assert client.get(reverse("indicators:review-detail", args=[submission.pk])).status_code == 404


@pytest.mark.parametrize("size", [1, 10])
def test_the_queue_runs_a_fixed_number_of_queries(
    client, verifier, period, kupang, kesbangpol, size, django_assert_num_queries
):
    for kelurahan in _kelurahan(kupang, size):
        _submitted(period, kelurahan)
    for stakeholder in Stakeholder.objects.filter(city=kupang)[:size]:
        make_approved_submission(
            period=period, stakeholder=stakeholder, values={"KL4": 1}, status="submitted"
        )
    login(client, verifier)
    # session, user with its city, the verified TOTP device (django-otp), navigation counts,
    # the filter form's choices (periods, kecamatan, organisations, variables), the queue
    with django_assert_num_queries(10):
        response = client.get(QUEUE)
    assert len(response.context["units"]) == 2 * size


@pytest.mark.parametrize("size", [1, 10])
def test_the_review_page_runs_a_fixed_number_of_queries(
    client, verifier, period, kupang, size, django_assert_num_queries
):
    units = [
        _submitted(period, k, ago_hours=size - i) for i, k in enumerate(_kelurahan(kupang, size))
    ]
    before = make_period(city=kupang, year=2025)
    make_approved_submission(period=before, region=units[-1].region, values={"KK1": 10})
    login(client, verifier)
    url = reverse("indicators:review-detail", args=[units[-1].pk])
    # session, user, the verified TOTP device, the unit, the queue's order (previous/next),
    # the unit's indicators with their organisations, values, last period and its values,
    # the navigation
    with django_assert_num_queries(13):
        client.get(url)
