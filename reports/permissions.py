"""Who may request briefs and edit the recommendation library (DOMAIN.md §5). Reading
briefs is the Brief QuerySet's `for_user`. Each rule is also a named permission (see
kotan.permissions)."""

from __future__ import annotations

import rules

from kotan.models import User
from kotan.permissions import has_role, is_in_city

Role = User.Role

BRIEF_REQUESTERS = (Role.ADMIN, Role.OPERATOR)
RECOMMENDATION_EDITORS = (Role.ADMIN, Role.OPERATOR)

rules.add_perm("reports.request_brief", has_role(*BRIEF_REQUESTERS) & is_in_city)
rules.add_perm("reports.edit_recommendations", has_role(*RECOMMENDATION_EDITORS) & is_in_city)
