"""Number formats every score page shares (dashboard, home card, PDFs, agenda drafts), and
the score card on the home page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from reports.formatting import percent_text, score_text, signed_text

register = template.Library()


@register.filter
def signed(value: Decimal | None, places: int = 2) -> str:
    """+8,89 / −8,89 / 0,00: a change always carries its sign."""
    return signed_text(value, places)


@register.filter
def percent(value: Decimal | float | None, places: int = 1) -> str:
    """25,7 % (a no-break space before the sign)."""
    return percent_text(value, places)


@register.filter
def score(value: Decimal | None, places: int = 2) -> str:
    return score_text(value, places)


@register.filter
def status_label(is_final: bool) -> str:
    return _("Final") if is_final else _("Sementara")


@register.filter
def plain_number(value: Decimal | None, places: int = 2) -> str:
    return "—" if value is None else number_format(value, places)


@register.inclusion_tag("reports/includes/_score_card.html", takes_context=True)
def score_card(context: dict[str, Any]) -> dict[str, Any]:
    """The city's latest IKOTAN under the default edition, for the home page (one query)."""
    from reports.selectors import score_card_load

    user = context["user"]
    return {"card": score_card_load(user=user), "user": user}
