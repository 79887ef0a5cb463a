"""Brief pages: request, status (htmx), list, retry and the permission-checked download."""

import pytest
from django.urls import reverse

from kotan.models import Stakeholder
from reports.models import Brief, BriefDownload
from tests.conftest import login
from tests.factories import make_brief, make_user

UNREACHABLE_BROKER = "redis://127.0.0.1:1/8"


def test_an_operator_requests_a_brief_and_lands_on_its_status_page(
    client, operator, period, django_capture_on_commit_callbacks
):
    login(client, operator)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("reports:brief-request"),
            {"period": period.pk, "kind": Brief.Kind.CITY_SUMMARY},
        )
    brief = Brief.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:brief-detail", args=[brief.pk])
    assert len(callbacks) == 1
    page = client.get(response["Location"]).content.decode()
    assert "dalam antrean" in page
    assert 'hx-trigger="every 2s"' in page


def test_with_redis_down_the_request_is_kept_and_the_user_is_told_it_is_queued(
    client, operator, period, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_BROKER_URL = UNREACHABLE_BROKER
    login(client, operator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:brief-request"),
            {"period": period.pk, "kind": Brief.Kind.CITY_SUMMARY},
        )
    assert response.status_code == 302
    brief = Brief.objects.get()
    assert brief.status == Brief.Status.QUEUED and brief.dispatched_at is None
    page = client.get(response["Location"]).content.decode()
    assert "Ringkasan dalam antrean" in page
    assert "permintaan Anda tersimpan dan akan dikirim otomatis" in page


def test_a_stakeholder_brief_needs_an_organisation(client, operator, period):
    login(client, operator)
    response = client.post(
        reverse("reports:brief-request"), {"period": period.pk, "kind": Brief.Kind.STAKEHOLDER}
    )
    assert response.status_code == 200
    assert "Pilih pemangku kepentingan untuk ringkasan ini." in response.content.decode()
    assert 'value="stakeholder" selected' in response.content.decode()  # the form is kept
    assert not Brief.objects.exists()


def test_an_unknown_kind_is_a_form_error_not_a_500(client, operator, period):
    login(client, operator)
    response = client.post(reverse("reports:brief-request"), {"period": period.pk, "kind": "x"})
    assert response.status_code == 200
    assert not Brief.objects.exists()


def test_get_on_the_request_url_is_not_allowed(client, operator):
    login(client, operator)
    assert client.get(reverse("reports:brief-request")).status_code == 405


def test_htmx_polling_gets_the_status_panel_and_stops_when_done(client, operator, period):
    brief = make_brief(period=period, status=Brief.Status.RENDERING)
    login(client, operator)
    url = reverse("reports:brief-detail", args=[brief.pk])
    panel = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert panel.lstrip().startswith('<div id="brief-status"') or 'id="brief-status"' in panel
    assert "<html" not in panel
    assert "PDF sedang dibuat" in panel and "every 2s" in panel
    Brief.objects.filter(pk=brief.pk).delete()
    done = make_brief(period=period, status=Brief.Status.DONE)
    panel = client.get(
        reverse("reports:brief-detail", args=[done.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert "every 2s" not in panel
    assert reverse("reports:brief-download", args=[done.pk]) in panel


def test_a_failed_brief_shows_its_reason_and_a_retry_button_to_operators(
    client, operator, pimpinan, period
):
    brief = make_brief(period=period, status=Brief.Status.FAILED, failure_reason="Disk penuh")
    url = reverse("reports:brief-detail", args=[brief.pk])
    page = login(client, operator).get(url).content.decode()
    assert "Disk penuh" in page and reverse("reports:brief-retry", args=[brief.pk]) in page
    client.logout()
    page = login(client, pimpinan).get(url).content.decode()
    assert "Disk penuh" in page and reverse("reports:brief-retry", args=[brief.pk]) not in page


def test_retry_puts_a_failed_brief_back_in_the_queue(client, operator, period):
    brief = make_brief(period=period, status=Brief.Status.FAILED, failure_reason="x")
    response = login(client, operator).post(reverse("reports:brief-retry", args=[brief.pk]))
    assert response.status_code == 302
    brief.refresh_from_db()
    assert brief.status == Brief.Status.QUEUED


def _stuck(period):
    """Rendering, but its worker's lease ran out: the worker died."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    expired = timezone.now() - timedelta(seconds=settings.BRIEF_LEASE_SECONDS + 5)
    return make_brief(
        period=period,
        status=Brief.Status.RENDERING,
        started_at=expired,
        heartbeat_at=expired,
        dispatched_at=expired,
        render_token="dead",
        attempts=1,
    )


def test_a_stuck_brief_says_so_and_offers_to_start_it_again(client, operator, period):
    brief = _stuck(period)
    page = login(client, operator).get(reverse("reports:brief-detail", args=[brief.pk]))
    text = page.content.decode()
    assert "Pembuatan PDF terhenti" in text
    assert reverse("reports:brief-retry", args=[brief.pk]) in text
    response = client.post(reverse("reports:brief-retry", args=[brief.pk]))
    assert response.status_code == 302
    brief.refresh_from_db()
    assert brief.status == Brief.Status.QUEUED and brief.render_token == ""


def test_regenerating_a_stuck_brief_starts_that_brief_again(client, operator, period):
    brief = _stuck(period)
    response = login(client, operator).post(
        reverse("reports:brief-request"),
        {"period": period.pk, "kind": Brief.Kind.CITY_SUMMARY, "regenerate": "on"},
    )
    assert response["Location"] == reverse("reports:brief-detail", args=[brief.pk])
    brief.refresh_from_db()
    assert brief.status == Brief.Status.QUEUED
    assert "dalam antrean" in client.get(response["Location"]).content.decode()


def test_the_download_serves_the_file_and_logs_who_downloaded_it(client, pimpinan, period):
    brief = make_brief(period=period, status=Brief.Status.DONE, content=b"%PDF-1.7 isi")
    response = login(client, pimpinan).get(reverse("reports:brief-download", args=[brief.pk]))
    assert response.status_code == 200
    assert response.getvalue() == b"%PDF-1.7 isi"
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    log = BriefDownload.objects.get()
    assert (log.brief, log.user) == (brief, pimpinan)


def test_a_brief_not_yet_done_cannot_be_downloaded(client, operator, period):
    brief = make_brief(period=period, status=Brief.Status.RENDERING)
    response = login(client, operator).get(reverse("reports:brief-download", args=[brief.pk]))
    assert response.status_code == 404
    assert not BriefDownload.objects.exists()


@pytest.mark.parametrize(("own", "expected"), [(True, 200), (False, 404)])
def test_a_stakeholder_officer_downloads_only_briefs_addressed_to_their_organisation(
    client, stakeholder_officer, kupang, period, own, expected
):
    stakeholder = (
        stakeholder_officer.stakeholder
        if own
        else Stakeholder.objects.get(city=kupang, code="dinkes")
    )
    brief = make_brief(
        period=period,
        kind=Brief.Kind.STAKEHOLDER,
        stakeholder=stakeholder,
        status=Brief.Status.DONE,
    )
    login(client, stakeholder_officer)
    assert client.get(reverse("reports:brief-download", args=[brief.pk])).status_code == expected
    assert client.get(reverse("reports:brief-detail", args=[brief.pk])).status_code == expected


def test_the_list_shows_a_stakeholder_officer_the_city_summary_and_their_own_briefs(
    client, stakeholder_officer, kupang, period
):
    dinkes = Stakeholder.objects.get(city=kupang, code="dinkes")
    make_brief(period=period, status=Brief.Status.DONE)
    make_brief(period=period, kind=Brief.Kind.STAKEHOLDER, stakeholder=dinkes)
    make_brief(
        period=period, kind=Brief.Kind.STAKEHOLDER, stakeholder=stakeholder_officer.stakeholder
    )
    page = login(client, stakeholder_officer).get(reverse("reports:brief-list")).content.decode()
    assert "Ringkasan kota untuk pimpinan" in page
    assert stakeholder_officer.stakeholder.name in page
    assert dinkes.name not in page
    # The officer may ask for its own organisation's brief, and only that.
    form = page.split('data-testid="brief-request-form"')[1].split("</form>")[0]
    assert str(stakeholder_officer.stakeholder) in form and str(dinkes) not in form
    assert "Ringkasan kota untuk pimpinan" not in form


def test_an_inactive_user_sees_no_brief(period, kupang):
    user = make_user(city=kupang, role="pimpinan", is_active=False)
    make_brief(period=period)
    assert not Brief.objects.for_user(user).exists()


@pytest.mark.parametrize("size", [1, 6])
def test_the_list_page_makes_the_same_number_of_queries_at_any_size(
    client, operator, kupang, period, size, django_assert_num_queries
):
    stakeholders = list(Stakeholder.objects.filter(city=kupang)[:size])
    for stakeholder in stakeholders:
        make_brief(period=period, kind=Brief.Kind.STAKEHOLDER, stakeholder=stakeholder)
        make_brief(period=period, status=Brief.Status.DONE)
    login(client, operator)
    client.get(reverse("reports:brief-list"))  # warm the session and the form's querysets
    with django_assert_num_queries(12):  # 11 + the navigation's counts
        response = client.get(reverse("reports:brief-list"))
    assert response.content.decode().count("/laporan/ringkasan/") >= 2 * size


# Minutes (notulen) as a PDF, asked for from a meeting's page. Access (design): city staff
# and pimpinan for every meeting of their city; a stakeholder officer for the meetings their
# organisation was invited to or signed in at; another city's users get 404.


@pytest.fixture
def held_meeting(kupang, period, kesbangpol):
    from meetings.models import Meeting
    from tests.factories import make_meeting

    return make_meeting(
        city=kupang, status=Meeting.Status.HELD, minutes="Catatan.", invited=[kesbangpol]
    )


def _minutes_url(meeting) -> str:
    return reverse("reports:brief-request-minutes", args=[meeting.pk])


def test_the_meeting_page_offers_the_minutes_pdf_and_the_request_queues_it(
    client, pimpinan, held_meeting
):
    login(client, pimpinan)
    page = client.get(reverse("meetings:meeting-detail", args=[held_meeting.pk])).content.decode()
    assert "Unduh notulen (PDF)" in page and _minutes_url(held_meeting) in page
    response = client.post(_minutes_url(held_meeting))
    brief = Brief.objects.get(kind=Brief.Kind.MINUTES)
    assert brief.meeting == held_meeting and brief.status == Brief.Status.QUEUED
    assert response["Location"] == reverse("reports:brief-detail", args=[brief.pk])
    assert client.get(response["Location"]).status_code == 200


def test_a_stakeholder_officer_gets_the_minutes_of_a_meeting_their_organisation_was_invited_to(
    client, stakeholder_officer, held_meeting
):
    login(client, stakeholder_officer)
    response = client.post(_minutes_url(held_meeting))
    assert response.status_code == 302
    brief = Brief.objects.get(kind=Brief.Kind.MINUTES)
    assert client.get(reverse("reports:brief-detail", args=[brief.pk])).status_code == 200


def test_a_stakeholder_officer_gets_404_for_a_meeting_their_organisation_was_not_part_of(
    client, stakeholder_officer, kupang, period
):
    from meetings.models import Meeting
    from tests.factories import make_brief, make_meeting

    meeting = make_meeting(city=kupang, status=Meeting.Status.HELD)
    login(client, stakeholder_officer)
    page = client.get(reverse("meetings:meeting-detail", args=[meeting.pk])).content.decode()
    assert "Unduh notulen (PDF)" not in page
    assert client.post(_minutes_url(meeting)).status_code == 404
    brief = make_brief(period=period, kind=Brief.Kind.MINUTES, meeting=meeting, status="done")
    assert client.get(reverse("reports:brief-download", args=[brief.pk])).status_code == 404


def test_a_planned_meeting_has_no_minutes_to_print(client, operator, kupang, period):
    from tests.factories import make_meeting

    meeting = make_meeting(city=kupang)
    login(client, operator)
    response = client.post(_minutes_url(meeting), follow=True)
    assert "hanya dapat dibuat untuk rapat yang sudah terlaksana" in response.content.decode()
    assert not Brief.objects.filter(kind=Brief.Kind.MINUTES).exists()


def test_get_on_the_minutes_request_url_is_not_allowed(client, operator, held_meeting):
    login(client, operator)
    assert client.get(_minutes_url(held_meeting)).status_code == 405


def test_anonymous_users_are_sent_to_login_for_minutes(client, held_meeting):
    response = client.post(_minutes_url(held_meeting))
    assert response.status_code == 302 and "login" in response["Location"]


# --- Issue 12: officers request their own brief; names and defaults ---------------------


def test_a_stakeholder_officer_requests_and_downloads_its_own_brief(
    client, stakeholder_officer, kupang, period
):
    own = stakeholder_officer.stakeholder
    login(client, stakeholder_officer)
    response = client.post(
        reverse("reports:brief-request"),
        {"period": period.pk, "kind": Brief.Kind.STAKEHOLDER, "stakeholder": own.pk},
    )
    assert response.status_code == 302
    brief = Brief.objects.get(kind=Brief.Kind.STAKEHOLDER, stakeholder=own)
    assert brief.requested_by == stakeholder_officer
    done = make_brief(period=period, kind=Brief.Kind.STAKEHOLDER, stakeholder=own, status="done")
    download = client.get(reverse("reports:brief-download", args=[done.pk]))
    assert download.status_code == 200
    slug = own.short_name.lower().replace(" ", "-").replace(".", "")
    assert (
        f'filename="ringkasan-kebijakan-{slug}-kota-kupang-{period.year}.pdf"'
        in (download["Content-Disposition"])
    )


def test_a_stakeholder_officer_cannot_request_or_download_another_organisations_brief(
    client, stakeholder_officer, kupang, period
):
    dinkes = Stakeholder.objects.get(city=kupang, code="dinkes")
    login(client, stakeholder_officer)
    response = client.post(
        reverse("reports:brief-request"),
        {"period": period.pk, "kind": Brief.Kind.STAKEHOLDER, "stakeholder": dinkes.pk},
    )
    assert response.status_code == 403
    response = client.post(
        reverse("reports:brief-request"), {"period": period.pk, "kind": Brief.Kind.CITY_SUMMARY}
    )
    assert response.status_code == 403
    assert not Brief.objects.filter(stakeholder=dinkes).exists()
    theirs = make_brief(
        period=period, kind=Brief.Kind.STAKEHOLDER, stakeholder=dinkes, status="done"
    )
    assert client.get(reverse("reports:brief-download", args=[theirs.pk])).status_code == 404


def test_the_city_brief_downloads_under_an_indonesian_name(client, pimpinan, period):
    brief = make_brief(period=period, status="done")
    response = login(client, pimpinan).get(reverse("reports:brief-download", args=[brief.pk]))
    assert (
        f'filename="ringkasan-kebijakan-kota-kupang-{period.year}.pdf"'
        in (response["Content-Disposition"])
    )


def test_the_request_form_defaults_to_the_period_being_viewed(client, operator, kupang, period):
    from tests.factories import make_period

    later = make_period(city=kupang, year=period.year + 1)
    login(client, operator)
    form = client.get(reverse("reports:brief-list"), {"tahun": period.year}).context["form"]
    assert form["period"].value() == period.pk
    form = client.get(reverse("reports:brief-list")).context["form"]
    assert form["period"].value() == later.pk
