"""Who may record meetings, reopen minutes, plan the agenda and report on follow-up actions
(DOMAIN.md §5, §6). Each rule is also a named permission (see kotan.permissions)."""

from __future__ import annotations

import rules

from kotan.models import User
from kotan.permissions import has_role, holds_role, is_in_city
from meetings.models import Action

Role = User.Role

# Record meetings, attendance, minutes and actions.
EDITORS = (Role.ADMIN, Role.OPERATOR)
# Reopen final minutes (with a reason).
REOPENERS = (Role.ADMIN, Role.OPERATOR, Role.VERIFIKATOR)
# Report progress on an action (officers: their organisation's only, see can_report).
REPORTERS = (Role.ADMIN, Role.OPERATOR, Role.PEMANGKU)
# Read the draft agenda of the next rakor.
PLANNERS = (Role.ADMIN, Role.OPERATOR, Role.VERIFIKATOR, Role.PIMPINAN)


def can_report(user: User, action: Action) -> bool:
    """Operators report for any organisation of their city; an officer only for their own."""
    if user.city_id != action.city_id:
        return False
    if holds_role(user, *EDITORS):
        return True
    return holds_role(user, Role.PEMANGKU) and user.stakeholder_id == action.owner_id


rules.add_perm("meetings.edit_meetings", has_role(*EDITORS) & is_in_city)
rules.add_perm("meetings.reopen_meeting", has_role(*REOPENERS) & is_in_city)
rules.add_perm("meetings.plan_agenda", has_role(*PLANNERS))
rules.add_perm("meetings.view_own_actions", has_role(Role.PEMANGKU))
rules.add_perm("meetings.report_progress", rules.Predicate(can_report))
