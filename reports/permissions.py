"""Who may request briefs and edit the recommendation library (DOMAIN.md §5). Reading
briefs is the Brief QuerySet's `for_user`. Each rule is also a named permission (see
kotan.permissions)."""

from __future__ import annotations

import rules

from kotan.models import Stakeholder, User
from kotan.permissions import has_role, is_in_city

Role = User.Role

BRIEF_REQUESTERS = (Role.ADMIN, Role.OPERATOR)
RECOMMENDATION_EDITORS = (Role.ADMIN, Role.OPERATOR)


@rules.predicate
def is_own_organisation(user: object, obj: object) -> bool:
    """The object is the officer's own organisation (a Stakeholder)."""
    return (
        isinstance(obj, Stakeholder)
        and obj.pk is not None
        and obj.pk == getattr(user, "stakeholder_id", None)
    )


# Staff request any brief of their city; a stakeholder officer its own organisation's
# brief, and only that (issue 12): the service passes the stakeholder as the object.
rules.add_perm(
    "reports.request_brief",
    (has_role(*BRIEF_REQUESTERS) & is_in_city) | (has_role(Role.PEMANGKU) & is_own_organisation),
)
rules.add_perm("reports.edit_recommendations", has_role(*RECOMMENDATION_EDITORS) & is_in_city)
