import datetime
import json
import uuid

import pytest
from django.urls import reverse

from indicators.surveys.models import Enumerator, Respondent
from tests.conftest import login
from tests.surveys.helpers import kelurahan, likert_answers


def _post(client, survey, payload):
    return client.post(
        reverse("surveys:respondent-submit", args=[survey.pk]),
        json.dumps(payload),
        content_type="application/json",
    )


def _payload(survey, setting="keluarga", **overrides):
    answers = likert_answers(survey, setting, 3)
    answers[next(iter(answers))] = 2  # not straight-lined
    payload = {
        "uuid": str(uuid.uuid4()),
        "kelurahan": kelurahan().pk,
        "setting": setting,
        "sex": "P",
        "age_group": "35-49",
        "answers": answers,
    }
    payload.update(overrides)
    return payload


def test_a_resubmitted_respondent_is_stored_once(client, operator, survey):
    login(client, operator)
    payload = _payload(survey)
    first = _post(client, survey, payload)
    second = _post(client, survey, payload)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["created"] is True and second.json()["created"] is False
    respondent = Respondent.objects.get()
    assert str(respondent.uuid) == payload["uuid"]
    assert respondent.enumerator == operator and respondent.flags == []


def test_an_answer_outside_likert_is_refused_by_item(client, operator, survey):
    payload = _payload(survey)
    payload["answers"]["KK03"] = 5
    response = _post(login(client, operator), survey, payload)
    assert response.status_code == 400
    assert "KK03" in response.json()["errors"]
    assert not Respondent.objects.exists()


def test_answers_to_items_not_asked_in_the_setting_are_dropped(client, operator, survey):
    payload = _payload(survey)
    payload["answers"]["KM01"] = 4  # a community item, not asked of families
    assert _post(login(client, operator), survey, payload).status_code == 201
    assert "KM01" not in Respondent.objects.get().answers


def test_a_kelurahan_of_another_city_is_refused(client, operator, survey, other_city):
    payload = _payload(survey, kelurahan=kelurahan("35.71.01.1001").pk)
    response = _post(login(client, operator), survey, payload)
    assert response.status_code == 400 and "kelurahan" in response.json()["errors"]


def test_quality_flags_mark_straight_lining_incomplete_and_too_fast(client, operator, survey):
    answers = likert_answers(survey, "keluarga", 4)
    answers.pop("KK08")
    start = datetime.datetime(2026, 11, 3, 9, 0, tzinfo=datetime.UTC)
    payload = _payload(
        survey,
        answers=answers,
        started_at=start.isoformat(),
        finished_at=(start + datetime.timedelta(seconds=5)).isoformat(),
    )
    assert _post(login(client, operator), survey, payload).status_code == 201
    assert set(Respondent.objects.get().flags) == {"straight", "incomplete", "too_fast"}


def test_a_stakeholder_officer_collects_only_once_marked(
    client, admin_user, stakeholder_officer, survey
):
    login(client, stakeholder_officer)
    assert client.get(reverse("surveys:collect", args=[survey.pk])).status_code == 403
    login(client, admin_user).post(
        reverse("surveys:enumerator-toggle", args=[stakeholder_officer.pk])
    )
    assert Enumerator.objects.filter(user=stakeholder_officer).exists()
    login(client, stakeholder_officer)
    page = client.get(reverse("surveys:collect", args=[survey.pk]))
    assert page.status_code == 200
    assert 'src="/static/js/survey-collect' in page.content.decode()
    assert _post(client, survey, _payload(survey, setting="masyarakat")).status_code == 201


def test_the_form_post_without_javascript_stores_and_redirects(client, operator, survey):
    payload = _payload(survey)
    form = {k: v for k, v in payload.items() if k != "answers"}
    form |= {f"a-{code}": value for code, value in payload["answers"].items()}
    response = login(client, operator).post(
        reverse("surveys:respondent-submit", args=[survey.pk]), form
    )
    assert response.status_code == 302
    assert Respondent.objects.get().answers == payload["answers"]


@pytest.mark.parametrize("method", ["get"])
def test_the_submit_endpoint_is_post_only(client, operator, survey, method):
    response = getattr(login(client, operator), method)(
        reverse("surveys:respondent-submit", args=[survey.pk])
    )
    assert response.status_code == 405
