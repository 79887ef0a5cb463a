import pytest
from django.urls import reverse

from tests.conftest import login
from tests.surveys.helpers import likert_answers, make_respondent


def test_the_index_offers_the_admin_to_start_and_the_operator_to_collect(
    client, admin_user, operator, period, questionnaire
):
    body = login(client, admin_user).get(reverse("surveys:index")).content.decode()
    assert reverse("surveys:survey-start", args=[period.pk]) in body
    client.post(reverse("surveys:survey-start", args=[period.pk]))
    body = login(client, operator).get(reverse("surveys:index")).content.decode()
    assert reverse("surveys:collect", args=[period.survey.pk]) in body
    assert reverse("surveys:survey-start", args=[period.pk]) not in body


def test_the_survey_page_counts_collected_flagged_and_excluded(client, verifier, survey):
    make_respondent(survey=survey, answers={"KK01": 4}, flags=["straight"])
    make_respondent(survey=survey, answers={"KK01": 2}, excluded=True)
    body = login(client, verifier).get(reverse("surveys:survey-detail", args=[survey.pk]))
    assert 'data-testid="collected">2<' in body.content.decode()


def test_the_questionnaire_page_lists_items_with_reverse_and_indicator(client, pimpinan, survey):
    url = reverse("surveys:questionnaire-detail", args=[survey.questionnaire.pk])
    body = login(client, pimpinan).get(url).content.decode()
    assert "KK04" in body and "KK2" in body and "KM4" in body


@pytest.mark.parametrize("count", [1, 40])
def test_the_respondent_list_costs_the_same_queries_at_any_size(
    client, verifier, operator, survey, count, django_assert_max_num_queries
):
    for _n in range(count):
        make_respondent(
            survey=survey, answers=likert_answers(survey, "keluarga"), enumerator=operator
        )
    login(client, verifier)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("surveys:respondent-list", args=[survey.pk]))
    # Each row carries the verifikator's exclusion form.
    assert response.content.decode().count("/kecualikan/") == count
