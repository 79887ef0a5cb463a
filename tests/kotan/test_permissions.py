"""kotan.permissions: roles as named predicates, the view decorator and the service check."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.template import Context, Template

from kotan.models import User
from kotan.permissions import has_role, is_city_staff, require
from tests.factories import make_user


def test_a_role_predicate_needs_the_role_a_city_and_an_active_user(kupang):
    admin = make_user(city=kupang, role=User.Role.ADMIN)
    no_city = make_user(city=None, role=User.Role.ADMIN)
    inactive = make_user(city=kupang, role=User.Role.ADMIN, is_active=False)
    predicate = has_role(User.Role.ADMIN)
    assert predicate.test(admin)
    assert not predicate.test(no_city)
    assert not predicate.test(inactive)
    assert not predicate.test(AnonymousUser())
    assert not predicate.test(make_user(city=kupang, role=User.Role.PIMPINAN))


def test_predicates_compose(kupang):
    assert is_city_staff.test(make_user(city=kupang, role=User.Role.VERIFIKATOR))
    assert not is_city_staff.test(make_user(city=kupang, role=User.Role.PIMPINAN))


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (User.Role.ADMIN, {"kotan.manage_city", "meetings.edit_meetings", "reports.request_brief"}),
        (User.Role.OPERATOR, {"meetings.edit_meetings", "reports.request_brief"}),
        (User.Role.PIMPINAN, set()),
        (User.Role.PEMANGKU, {"meetings.view_own_actions"}),
    ],
)
def test_named_permissions_follow_the_roles(kupang, kesbangpol, role, allowed):
    stakeholder = kesbangpol if role == User.Role.PEMANGKU else None
    user = make_user(city=kupang, role=role, stakeholder=stakeholder)
    names = {
        "kotan.manage_city",
        "meetings.edit_meetings",
        "reports.request_brief",
        "meetings.view_own_actions",
    }
    assert {name for name in names if user.has_perm(name)} == allowed


def test_templates_read_the_same_rules(kupang):
    operator = make_user(city=kupang, role=User.Role.OPERATOR)
    pimpinan = make_user(city=kupang, role=User.Role.PIMPINAN)
    template = Template("{% if can.meetings.edit_meetings %}edit{% endif %}")
    from kotan.context_processors import Can

    assert template.render(Context({"can": Can(operator)})) == "edit"
    assert template.render(Context({"can": Can(pimpinan)})) == ""


def test_require_refuses_a_service_call_without_the_permission(kupang):
    pimpinan = make_user(city=kupang, role=User.Role.PIMPINAN)
    with pytest.raises(PermissionDenied):
        require(pimpinan, "meetings.edit_meetings")
    require(make_user(city=kupang, role=User.Role.OPERATOR), "meetings.edit_meetings")
