"""Who may do what with surveys: named predicates shared by views, templates and services.

Roles (DOMAIN.md §5): the questionnaire is national, owned by Admin Pusat
(`can_own_questionnaires`, the one place that says so). The city's Admin sets the
sample plan and marks stakeholder officers as enumerators; admins, operators and marked
officers collect; the verifikator excludes respondents; staff import and aggregate.
"""

from __future__ import annotations

import rules

from indicators.models import AssessmentPeriod
from kotan.models import User
from kotan.permissions import holds_role

Role = User.Role

# Read the survey pages of the city (plan, progress, respondents, report).
SURVEY_READERS = (Role.ADMIN, Role.OPERATOR, Role.VERIFIKATOR, Role.PIMPINAN)
# Import exports, run the aggregation into indicator values.
SURVEY_STAFF = (Role.ADMIN, Role.OPERATOR)
# Everyone who might be an enumerator reaches the collection page's permission check.
COLLECT_CANDIDATES = (Role.ADMIN, Role.OPERATOR, Role.PEMANGKU)
PLANNERS = (Role.ADMIN,)
REVIEWERS = (Role.ADMIN, Role.VERIFIKATOR)
QUESTIONNAIRE_OWNERS = (Role.ADMIN_PUSAT,)


def can_own_questionnaires(user: User) -> bool:
    """National ownership of questionnaires."""
    return holds_role(user, *QUESTIONNAIRE_OWNERS)


def is_enumerator(user: User) -> bool:
    """Admins and operators collect; a stakeholder officer only when marked as enumerator."""
    if user.has_role(Role.ADMIN, Role.OPERATOR):
        return True
    return user.has_role(Role.PEMANGKU) and hasattr(user, "enumerator")


def can_collect(user: User, period: AssessmentPeriod) -> bool:
    return (
        period.city_id == user.city_id
        and period.status != AssessmentPeriod.Status.LOCKED
        and is_enumerator(user)
    )


def can_plan(user: User, period: AssessmentPeriod) -> bool:
    return user.has_role(*PLANNERS) and period.city_id == user.city_id


def can_review(user: User, period: AssessmentPeriod) -> bool:
    return user.has_role(*REVIEWERS) and period.city_id == user.city_id


def can_run(user: User, period: AssessmentPeriod) -> bool:
    """Import exports and aggregate into indicator values."""
    return (
        user.has_role(*SURVEY_STAFF)
        and period.city_id == user.city_id
        and period.status != AssessmentPeriod.Status.LOCKED
    )


rules.add_perm("surveys.own_questionnaires", rules.Predicate(can_own_questionnaires))
rules.add_perm("surveys.collect", rules.Predicate(can_collect))
rules.add_perm("surveys.plan", rules.Predicate(can_plan))
rules.add_perm("surveys.review_respondents", rules.Predicate(can_review))
rules.add_perm("surveys.run", rules.Predicate(can_run))
