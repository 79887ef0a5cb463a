from collections import Counter

import pytest
from django.urls import reverse

from indicators.surveys.models import SampleTarget, Setting
from indicators.surveys.services.plan import sample_plan_generate, spread
from kotan.models import AuditEntry
from tests.conftest import login
from tests.surveys.helpers import kelurahan, likert_answers, make_respondent


def test_the_spread_gives_every_kelurahan_and_setting_a_fair_share():
    cells = spread(180, list(range(51)), list(Setting.values))
    assert sum(cells.values()) == 180
    per_setting: Counter[str] = Counter()
    per_kelurahan: Counter[int] = Counter()
    for (k, s), n in cells.items():
        per_setting[s] += n
        per_kelurahan[k] += n
    assert set(per_setting.values()) == {36}
    assert set(per_kelurahan.values()) == {3, 4}


def test_starting_a_survey_generates_the_default_plan(client, admin_user, period, questionnaire):
    response = login(client, admin_user).post(reverse("surveys:survey-start", args=[period.pk]))
    assert response.status_code == 302
    survey = period.survey
    assert survey.questionnaire == questionnaire
    assert sum(SampleTarget.objects.filter(survey=survey).values_list("target", flat=True)) == 180


def test_the_admin_sets_targets_and_the_change_is_audited(client, admin_user, survey):
    sample_plan_generate(survey=survey, actor=admin_user, total=20)
    target = kelurahan()
    url = reverse("surveys:sample-plan", args=[survey.pk])
    page = login(client, admin_user).get(url)
    data = {"csrfmiddlewaretoken": "x"}
    for field in page.content.decode().split('name="t-')[1:]:
        name, rest = field.split('"', 1)
        data[f"t-{name}"] = rest.split('value="')[1].split('"')[0]
    data[f"t-{target.pk}-keluarga"] = "7"
    assert client.post(url, data).status_code == 302
    assert SampleTarget.objects.get(survey=survey, kelurahan=target, setting="keluarga").target == 7
    assert AuditEntry.objects.filter(action="survey.plan").exists()


def test_a_target_that_is_not_a_number_saves_nothing(client, admin_user, survey):
    sample_plan_generate(survey=survey, actor=admin_user, total=20)
    before = list(SampleTarget.objects.order_by("pk").values_list("target", flat=True))
    target = kelurahan()
    response = login(client, admin_user).post(
        reverse("surveys:sample-plan", args=[survey.pk]), {f"t-{target.pk}-keluarga": "banyak"}
    )
    assert response.status_code == 200
    assert "tidak ada yang disimpan" in response.content.decode()
    assert list(SampleTarget.objects.order_by("pk").values_list("target", flat=True)) == before


@pytest.mark.parametrize("respondents", [1, 30])
def test_the_progress_page_shows_collected_against_target_with_the_shortfall(
    client, verifier, admin_user, operator, survey, respondents, django_assert_max_num_queries
):
    sample_plan_generate(survey=survey, actor=admin_user, total=180)
    target = SampleTarget.objects.get(survey=survey, kelurahan=kelurahan(), setting="keluarga")
    for _n in range(respondents):
        make_respondent(
            survey=survey, answers=likert_answers(survey, "keluarga"), enumerator=operator
        )
    login(client, verifier)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("surveys:progress", args=[survey.pk]))
    body = response.content.decode()
    assert f">{respondents}/{target.target}<" in body
    assert f'data-testid="total">{respondents}/180<' in body
    assert "table-warning" in body
    assert str(operator) in body
