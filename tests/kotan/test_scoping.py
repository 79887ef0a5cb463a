"""City scoping (kotan.lib.scoping): the base QuerySet, and a check over the code that reads
for users.

Why a static check rather than django-scopes (which makes any query outside a `scope()` raise
at run time): Celery tasks, management commands, benchmarks, the admin and every test
would each need a `scopes_disabled()` wrapper, and the deep lookups (a value's city is three
joins away) would be added to every query of a request, locks included. The reads that
serve users live in views, selectors and forms; there a query of a city's data must say
how it is scoped (`for_user`, `for_city`, `unscoped`), and this test fails on one that does
not, naming the file and line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from indicators.models import AssessmentPeriod, IndicatorValue
from indicators.surveys.models import Respondent, Survey, SurveyImport
from kotan.lib.scoping import SCOPING_METHODS, CityScopedQuerySet, city_scoped_models
from kotan.models import Region, Stakeholder, User
from meetings.models import Action, Meeting
from reports.models import Brief
from tests.factories import make_open_period, make_user, seed_framework_for

ROOT = Path(__file__).resolve().parent.parent.parent
APPS = ("kotan", "indicators", "indicators/surveys", "meetings", "reports")
# Modules that read on behalf of a user.
READ_PATHS = (
    "views",
    "views.py",
    "selectors.py",
    "forms.py",
    "import_forms.py",
    "review_forms.py",
    "inbox.py",
    "templatetags",
)


def _read_modules() -> list[Path]:
    files: list[Path] = []
    for app in APPS:
        for name in READ_PATHS:
            path = ROOT / app / name
            files += sorted(path.rglob("*.py")) if path.is_dir() else [path] * path.exists()
    return files


def _chain_methods(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> list[str]:
    """The method names called on `Model.objects` in the expression it starts."""
    names = []
    while True:
        parent = parents.get(node)
        if isinstance(parent, ast.Attribute) and parent.value is node:
            names.append(parent.attr)
        elif not (isinstance(parent, ast.Call) and parent.func is node):
            return names
        node = parent


def _unscoped_queries(path: Path, scoped: set[str]) -> list[str]:
    tree = ast.parse(path.read_text())
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in ("objects", "_default_manager")
            and isinstance(node.value, ast.Name)
            and node.value.id in scoped
            and not SCOPING_METHODS & set(_chain_methods(node, parents))
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node)}")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("get_object_or_404", "get_list_or_404")
            and node.args
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id in scoped
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node)[:60]}")
    return found


def test_views_selectors_and_forms_never_query_a_city_s_data_unscoped():
    scoped = {model.__name__ for model in city_scoped_models()}
    assert {"Region", "Submission", "IndicatorValue", "Meeting", "Action", "Brief"} <= scoped
    found = [line for path in _read_modules() for line in _unscoped_queries(path, scoped)]
    assert found == [], "use .for_user(user), .for_city(city_id) or .unscoped()"


def test_the_check_finds_an_unscoped_query(tmp_path):
    module = tmp_path / "views.py"
    module.write_text(
        "def a(request, pk):\n"
        "    Meeting.objects.filter(pk=pk).first()\n"
        "    Meeting.objects.for_user(request.user).get(pk=pk)\n"
        "    Meeting.objects.select_related('city').for_city(1)\n"
        "    get_object_or_404(Action, pk=pk)\n"
    )
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        found = _unscoped_queries(module, {"Meeting", "Action"})
    finally:
        ROOT = saved
    assert sorted(line.split()[0] for line in found) == ["views.py:2", "views.py:5"]


@pytest.mark.parametrize(
    ("model", "lookup"),
    [
        (Region, "city"),
        (Stakeholder, "city"),
        (AssessmentPeriod, "city"),
        (IndicatorValue, "submission__period__city"),
        (Meeting, "city"),
        (Action, "city"),
        (Brief, "city"),
        (Survey, "period__city"),
        (Respondent, "survey__period__city"),
        (SurveyImport, "survey__period__city"),
    ],
)
def test_each_model_names_its_path_to_the_city(model, lookup):
    queryset = model.objects.all()
    assert isinstance(queryset, CityScopedQuerySet)
    assert queryset.city_lookup == lookup


def test_for_user_keeps_to_the_user_s_city(kupang, other_city):
    seed_framework_for(kupang)
    mine = make_open_period(city=kupang)
    theirs = make_open_period(city=other_city)
    user = make_user(username="op", city=kupang, role=User.Role.OPERATOR)
    assert list(AssessmentPeriod.objects.for_user(user)) == [mine]
    assert list(AssessmentPeriod.objects.for_city(other_city.pk)) == [theirs]
    assert set(AssessmentPeriod.objects.unscoped()) == {mine, theirs}


def test_a_user_without_a_city_or_inactive_sees_nothing(kupang):
    seed_framework_for(kupang)
    make_open_period(city=kupang)
    no_city = make_user(username="nocity", city=None, role=User.Role.OPERATOR)
    inactive = make_user(username="gone", city=kupang, role=User.Role.OPERATOR, is_active=False)
    assert not AssessmentPeriod.objects.for_user(no_city).exists()
    assert not AssessmentPeriod.objects.for_user(inactive).exists()
