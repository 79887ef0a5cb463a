"""Indonesian number formats for scores, changes and percentages, as plain functions so that
templates (via reports_tags), PDF builders and agenda drafts write numbers the same way."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format

MINUS = "\u2212"
NBSP = "\u00a0"


def _quantize(value: Decimal | float, places: int) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def score_text(value: Decimal | None, places: int = 2) -> str:
    """47,67 (never 47.6667)."""
    if value is None:
        return "—"
    return number_format(_quantize(value, places), places)


def signed_text(value: Decimal | None, places: int = 2) -> str:
    """+8,89, −8,89 or 0,00."""
    if value is None:
        return "—"
    rounded = _quantize(value, places)
    text = number_format(abs(rounded), places)
    if rounded > 0:
        return f"+{text}"
    if rounded < 0:
        return f"{MINUS}{text}"
    return text


def percent_text(value: Decimal | float | None, places: int = 1) -> str:
    """25,7 % (not 25,700 %); whole numbers lose their decimals: 100 %."""
    if value is None:
        return "—"
    rounded = _quantize(value, places)
    if rounded == rounded.to_integral_value():
        return f"{number_format(rounded, 0)}{NBSP}%"
    return f"{number_format(rounded, places)}{NBSP}%"


def value_text(value: Decimal | None, *, kind: str, unit: str = "") -> str:
    """An indicator's value as people write it: Ya/Tidak, 25,7 %, 3 orang, 2,55."""
    from django.utils.translation import gettext as _

    if value is None:
        return "—"
    if kind == "yesno":
        return _("Ya") if value >= 1 else _("Tidak")
    if kind == "percent":
        return percent_text(value)
    places = 0 if value == value.to_integral_value() else 2
    text = number_format(_quantize(value, places), places)
    return f"{text} {unit}".strip() if unit and unit != "skor" else text
