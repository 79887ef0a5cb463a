from django.core.management import call_command

from indicators.surveys.models import QuestionItem, Questionnaire
from indicators.surveys.services.questionnaires import questionnaire_new_version, questionnaire_seed


def test_the_seed_makes_one_default_design_questionnaire_feeding_kk2_and_km4(framework):
    call_command("seed_questionnaire")
    call_command("seed_questionnaire")  # safe to rerun
    questionnaire = Questionnaire.objects.get()
    assert questionnaire.is_default and questionnaire.is_design
    items = list(questionnaire.items.select_related("variable", "indicator"))
    by_variable: dict[str, int] = {}
    for item in items:
        by_variable[item.variable.code] = by_variable.get(item.variable.code, 0) + 1
    assert set(by_variable) == {"KK", "KM", "KW", "KL", "HK"}
    assert all(6 <= n <= 10 for n in by_variable.values())
    fed = {item.indicator.code for item in items if item.indicator}
    assert fed == {"KK2", "KM4"}
    assert any(item.reverse for item in items if item.indicator and item.indicator.code == "KK2")


def test_a_new_version_copies_every_item_and_leaves_the_old_one(questionnaire, admin_pusat):
    copy = questionnaire_new_version(questionnaire=questionnaire, actor=admin_pusat)
    assert copy.version == questionnaire.version + 1 and copy.name == questionnaire.name
    assert copy.items.count() == questionnaire.items.count()
    assert (
        not copy.is_default
        and questionnaire.items.count()
        == QuestionItem.objects.filter(questionnaire=questionnaire).count()
    )
    assert questionnaire_seed().questionnaire == questionnaire
