"""Template tags other apps' templates may load, so that kotan never imports meetings:
the stakeholder page shows attendance rates through `{% stakeholder_attendance %}`."""

from __future__ import annotations

from django import template

from kotan.models import Stakeholder
from meetings.selectors import attendance_rates

register = template.Library()


@register.inclusion_tag("meetings/includes/_stakeholder_attendance.html")
def stakeholder_attendance(stakeholder: Stakeholder) -> dict[str, object]:
    """The stakeholder's yearly attendance rate; the caller already scoped it to the user's
    city (kotan's _get_stakeholder_for_user)."""
    return {"stakeholder": stakeholder, "rates": attendance_rates(stakeholder)}
