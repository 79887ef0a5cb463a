"""Who may change the methodology, manage periods, and enter, submit, review, import and
export which data (DOMAIN.md §5).

Views decorate with the role tuples below; the finer rules (a stakeholder officer's own
indicators, the entry window) are these functions, shared by the entry form, the grid and
the templates so that what a user is shown and what they may save never differ. Each is
also a named permission (kotan.permissions explains how they are used).
"""

from __future__ import annotations

import datetime

import rules
from django.utils import timezone

from indicators.models import AssessmentPeriod, Indicator, Submission
from kotan.models import User
from kotan.permissions import ALL_ROLES, has_role, is_in_city

Role = User.Role

# The national methodology (editions, variables, the catalogue): Admin Pusat alone.
FRAMEWORK_ADMINS = (Role.ADMIN_PUSAT,)
# Read it: everyone of a city, and Admin Pusat.
FRAMEWORK_READERS = (*ALL_ROLES, Role.ADMIN_PUSAT)
# Assign the catalogue's indicators to the city's organisations.
ASSIGNERS = (Role.ADMIN,)
PERIOD_MANAGERS = (Role.ADMIN, Role.OPERATOR)
REVIEWERS = (Role.ADMIN, Role.VERIFIKATOR)
# Everyone who works with a unit's data page: enters, reviews or (officers) contributes.
ENTRY_ROLES = (Role.ADMIN, Role.OPERATOR, Role.VERIFIKATOR, Role.PEMANGKU)
# Enter values for any unit of the city, also after the entry window closed.
CITY_ENTRY_ROLES = (Role.ADMIN, Role.OPERATOR)
IMPORT_ROLES = (Role.ADMIN, Role.OPERATOR)
# Read-only exports of the city's data: not for officers (an export holds every unit).
EXPORT_ROLES = (Role.ADMIN, Role.OPERATOR, Role.VERIFIKATOR, Role.PIMPINAN)
# Read the review queue: operators too (their inbox links to its draft and returned lists);
# only REVIEWERS decide.
QUEUE_READERS = (Role.ADMIN, Role.OPERATOR, Role.VERIFIKATOR)
# Read the completeness of a period's units.
PROGRESS_READERS = (Role.ADMIN, Role.OPERATOR, Role.VERIFIKATOR, Role.PIMPINAN)


def entry_window_open(period: AssessmentPeriod, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    return (
        period.status == AssessmentPeriod.Status.OPEN
        and period.opens_on <= today <= period.closes_on
    )


def can_enter(user: User, period: AssessmentPeriod) -> bool:
    """May the user write values in this period at all? Nobody once it is locked; stakeholder
    officers only while the entry window is open; operators and admins until it is locked."""
    if period.status == AssessmentPeriod.Status.LOCKED or period.city_id != user.city_id:
        return False
    if user.has_role(*CITY_ENTRY_ROLES):
        return True
    return user.has_role(Role.PEMANGKU) and entry_window_open(period)


def is_assigned(user: User, indicator: Indicator) -> bool:
    """Is the indicator assigned to the officer's organisation? `responsible` must be
    prefetched (selectors do) so that checking a whole form costs no query per field."""
    return any(s.pk == user.stakeholder_id for s in indicator.responsible.all())


def visible_indicators(user: User, indicators: list[Indicator]) -> list[Indicator]:
    """Stakeholder officers see only their organisation's indicators; staff see all."""
    if user.role == Role.PEMANGKU:
        return [i for i in indicators if is_assigned(user, i)]
    return indicators


def can_open_stakeholder_unit(user: User, stakeholder_id: int) -> bool:
    if user.role == Role.PEMANGKU:
        return stakeholder_id == user.stakeholder_id
    return user.has_role(*ENTRY_ROLES)


def can_submit(user: User, submission: Submission) -> bool:
    """Staff submit any unit; an officer submits only their organisation's own data."""
    if not can_enter(user, submission.period):
        return False
    if user.has_role(*CITY_ENTRY_ROLES):
        return True
    return bool(submission.stakeholder_id) and submission.stakeholder_id == user.stakeholder_id


def can_review(user: User, submission: Submission) -> bool:
    return user.has_role(*REVIEWERS) and submission.period.city_id == user.city_id


rules.add_perm("indicators.change_catalogue", has_role(*FRAMEWORK_ADMINS))
rules.add_perm("indicators.assign_indicators", has_role(*ASSIGNERS) & is_in_city)
rules.add_perm("indicators.manage_periods", has_role(*PERIOD_MANAGERS) & is_in_city)
rules.add_perm("indicators.enter_any_unit", has_role(*CITY_ENTRY_ROLES))
rules.add_perm("indicators.import_data", has_role(*IMPORT_ROLES))
rules.add_perm("indicators.export_data", has_role(*EXPORT_ROLES))
rules.add_perm("indicators.enter_values", rules.Predicate(can_enter))
rules.add_perm("indicators.submit_submission", rules.Predicate(can_submit))
rules.add_perm("indicators.review_submission", rules.Predicate(can_review))
rules.add_perm("indicators.read_review_queue", has_role(*QUEUE_READERS))
