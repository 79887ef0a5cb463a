from django.urls import reverse

from indicators.surveys.models import Respondent
from kotan.models import AuditEntry
from tests.conftest import login
from tests.surveys.helpers import make_respondent


def test_the_verifikator_excludes_a_respondent_with_a_reason(client, verifier, survey):
    respondent = make_respondent(survey=survey, answers={"KK01": 4}, flags=["straight"])
    login(client, verifier)
    listing = client.get(reverse("surveys:respondent-list", args=[survey.pk]) + "?tanda=straight")
    assert "Jawaban seragam" in listing.content.decode()
    url = reverse("surveys:respondent-exclude", args=[respondent.pk])
    assert client.post(url, {"reason": "Semua jawaban 4, enumerator ragu"}).status_code == 302
    respondent.refresh_from_db()
    assert respondent.excluded and respondent.exclusion_reason.startswith("Semua jawaban")
    entry = AuditEntry.objects.for_object(respondent).get()
    assert entry.action == "respondent.exclude" and entry.actor == verifier
    client.post(url, {"action": "include", "reason": "Sudah dikonfirmasi"})
    respondent.refresh_from_db()
    assert not respondent.excluded
    assert AuditEntry.objects.for_object(respondent).count() == 2


def test_excluding_without_a_reason_changes_nothing(client, verifier, survey):
    respondent = make_respondent(survey=survey, answers={"KK01": 4})
    response = login(client, verifier).post(
        reverse("surveys:respondent-exclude", args=[respondent.pk]), {"reason": "  "}, follow=True
    )
    assert "Alasan wajib diisi" in response.content.decode()
    assert not Respondent.objects.get(pk=respondent.pk).excluded


def test_an_operator_cannot_exclude(client, operator, survey):
    respondent = make_respondent(survey=survey, answers={"KK01": 4})
    response = login(client, operator).post(
        reverse("surveys:respondent-exclude", args=[respondent.pk]), {"reason": "x"}
    )
    assert response.status_code == 403
