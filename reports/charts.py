"""Server-rendered SVG charts for the dashboards and, later, the PDF briefs.

Plain functions returning safe SVG strings: no JavaScript, no CDN, no `style` attributes
(the Content-Security-Policy forbids inline styles). Colours are presentation attributes
(`fill=`) so that WeasyPrint and a browser draw the same thing without a stylesheet, plus
class names a page may restyle. Every chart has a <title> and <desc>; pages also show the
numbers as a table. Coordinates are written with "." whatever the language; text shown to
people is formatted for the active language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# Pale band backgrounds and strong marks, from "not responsive" (1) to "very responsive" (5).
TONE_BACKGROUND = {1: "#f8d7da", 2: "#ffe5d0", 3: "#fff3cd", 4: "#d1e7dd", 5: "#a3cfbb"}
TONE_MARK = {1: "#b02a37", 2: "#ca6510", 3: "#997404", 4: "#146c43", 5: "#0a3622"}
NEUTRAL = "#6c757d"


@dataclass(frozen=True)
class ChartBand:
    name: str
    lower: Decimal
    upper: Decimal
    tone: int


@dataclass(frozen=True)
class ChartValue:
    label: str
    value: Decimal | None
    tone: int | None = None
    # A second, smaller line under the label (e.g. the variable's name beside its code).
    name: str = ""
    # A provisional number (§3.9): drawn hollow and labelled "sementara".
    provisional: bool = False


def tone_for(order: int | None, band_count: int) -> int | None:
    """Map a band's position to one of five tones, whatever the number of bands."""
    if order is None or band_count < 1:
        return None
    if band_count == 1:
        return 5
    return 1 + round(4 * (order - 1) / (band_count - 1))


def _n(value: float | Decimal) -> str:
    """A coordinate: plain, unlocalised, short."""
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


def _label(value: Decimal | None) -> str:
    return "—" if value is None else number_format(value, 2)


def _frame(chart_id: str, title: str, desc: str, width: int, height: int, body: str) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {w} {h}" '
        'width="100%" role="img" aria-labelledby="{id}-title {id}-desc" '
        'preserveAspectRatio="xMidYMid meet" font-family="sans-serif" font-size="12">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{body}</svg>',
        w=width,
        h=height,
        id=chart_id,
        title=title,
        desc=desc,
        body=mark_safe(body),  # built below from escaped parts only
    )


def bars_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    items: Sequence[ChartValue],
    bands: Sequence[ChartBand],
    scale_min: Decimal,
    scale_max: Decimal,
) -> SafeString:
    """Horizontal bars (e.g. the five variable indices) over the category bands."""
    # Narrow on purpose: the viewBox scales to the screen, so on a phone the text stays legible.
    named = any(item.name for item in items)
    left, right, row, top = (128, 14, 36, 6) if named else (44, 14, 30, 6)
    width = 480 if named else 420
    plot = width - left - right
    height = top + row * len(items) + 40
    span = scale_max - scale_min

    def x(value: Decimal) -> float:
        return left + float((value - scale_min) / span) * plot

    parts: list[str] = [
        format_html(
            '<rect class="band tone-{t}" x="{x}" y="{y}" width="{w}" height="{h}" fill="{f}">'
            "<title>{name}: {lo}–{hi}</title></rect>",
            t=band.tone,
            x=_n(x(band.lower)),
            y=top,
            w=_n(max(x(band.upper) - x(band.lower), 1)),
            h=row * len(items),
            f=TONE_BACKGROUND.get(band.tone, "#eeeeee"),
            name=band.name,
            lo=_label(band.lower),
            hi=_label(band.upper),
        )
        for band in bands
    ]
    for i, item in enumerate(items):
        y = top + i * row
        if item.name:
            parts.append(
                format_html(
                    '<text x="{x}" y="{y}" text-anchor="end" fill="#212529" '
                    'font-weight="bold">{label}</text>'
                    '<text x="{x}" y="{y2}" text-anchor="end" fill="#495057" '
                    'font-size="10">{name}</text>',
                    x=left - 6,
                    y=y + row / 2 - 2,
                    y2=y + row / 2 + 10,
                    label=item.label,
                    name=item.name,
                )
            )
        else:
            parts.append(
                format_html(
                    '<text x="{x}" y="{y}" text-anchor="end" fill="#212529">{label}</text>',
                    x=left - 8,
                    y=y + row / 2 + 4,
                    label=item.label,
                )
            )
        if item.value is None:
            parts.append(
                format_html(
                    '<text x="{x}" y="{y}" fill="{f}">{t}</text>',
                    x=left + 6,
                    y=y + row / 2 + 4,
                    f=NEUTRAL,
                    t=_("tanpa data"),
                )
            )
            continue
        end = x(min(max(item.value, scale_min), scale_max))
        # The value sits after the bar, or inside its end (white) when there is no room.
        inside = end + 48 > width
        parts.append(
            format_html(
                '<rect class="bar" x="{x}" y="{y}" width="{w}" height="{h}" fill="{f}">'
                "<title>{label}: {v}</title></rect>"
                '<text x="{tx}" y="{ty}" fill="{tf}" font-weight="bold" '
                'text-anchor="{anchor}">{v}</text>',
                x=left,
                y=_n(y + 8),
                w=_n(max(end - left, 1)),
                h=row - 16,
                f=TONE_MARK.get(item.tone or 0, NEUTRAL),
                label=item.label,
                v=_label(item.value),
                tx=_n(end - 4 if inside else end + 4),
                ty=_n(y + row / 2 + 4),
                tf="#ffffff" if inside else "#212529",
                anchor="end" if inside else "start",
            )
        )
    parts.append(_axis(left, plot, top + row * len(items), scale_min, scale_max))
    return _frame(chart_id, title, desc, width, height, "".join(parts))


def _axis(left: int, plot: int, y: int, scale_min: Decimal, scale_max: Decimal) -> str:
    ticks = [scale_min + (scale_max - scale_min) * Decimal(k) / 4 for k in range(5)]
    return format_html(
        '<line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" stroke="#495057"/>{ticks}',
        x1=left,
        x2=left + plot,
        y=y,
        ticks=format_html_join(
            "",
            '<text x="{}" y="{}" text-anchor="middle" fill="#495057">{}</text>',
            (
                (_n(left + plot * k / 4), y + 16, number_format(tick, 0 if tick % 1 == 0 else 2))
                for k, tick in enumerate(ticks)
            ),
        ),
    )


def trend_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    points: Sequence[ChartValue],
    bands: Sequence[ChartBand],
    scale_min: Decimal,
    scale_max: Decimal,
) -> SafeString:
    """IKOTAN over periods: a line over the category bands (gaps where a year is incomplete).

    Band names sit in a right-hand margin, outside the plot, so a value label can never
    overlap one; a provisional point is hollow, with "sementara" under its year."""
    left, right, top, bottom = 30, 104, 16, 40
    width, height = 480, 230
    plot_w, plot_h = width - left - right, height - top - bottom
    span = scale_max - scale_min
    inset = 24  # keeps the first and last value labels inside the plot
    step = (plot_w - 2 * inset) / max(len(points) - 1, 1)

    def y(value: Decimal) -> float:
        return top + plot_h - float((value - scale_min) / span) * plot_h

    def x(i: int) -> float:
        return left + (inset + i * step if len(points) > 1 else plot_w / 2)

    parts: list[str] = [
        format_html(
            '<rect class="band tone-{t}" x="{x}" y="{y}" width="{w}" height="{h}" fill="{f}">'
            "<title>{name}</title></rect>"
            '<text x="{tx}" y="{ty}" fill="#495057" font-size="10">{name}</text>',
            t=band.tone,
            x=left,
            y=_n(y(band.upper)),
            w=plot_w,
            h=_n(max(y(band.lower) - y(band.upper), 1)),
            f=TONE_BACKGROUND.get(band.tone, "#eeeeee"),
            name=band.name,
            tx=left + plot_w + 6,
            ty=_n((y(band.upper) + y(band.lower)) / 2 + 3),
        )
        for band in bands
    ]
    segment: list[str] = []
    segments: list[list[str]] = [segment]
    for i, point in enumerate(points):
        parts.append(
            format_html(
                '<text x="{x}" y="{y}" text-anchor="middle" fill="#212529">{label}</text>',
                x=_n(x(i)),
                y=height - 24,
                label=point.label,
            )
        )
        if point.provisional:
            parts.append(
                format_html(
                    '<text x="{x}" y="{y}" text-anchor="middle" fill="#495057" '
                    'font-size="10" font-style="italic">{t}</text>',
                    x=_n(x(i)),
                    y=height - 10,
                    t=_("sementara"),
                )
            )
        if point.value is None:
            segment = []
            segments.append(segment)
            continue
        segment.append(f"{_n(x(i))},{_n(y(point.value))}")
    parts.extend(
        format_html(
            '<polyline points="{p}" fill="none" stroke="#212529" stroke-width="2"/>',
            p=" ".join(seg),
        )
        for seg in segments
        if len(seg) > 1
    )
    for i, point in enumerate(points):
        if point.value is None:
            continue
        mark = TONE_MARK.get(point.tone or 0, NEUTRAL)
        # Label above the point, or below it when the point is near the top of the plot.
        above = y(point.value) - 9
        ty = above if above > top + 4 else y(point.value) + 18
        parts.append(
            format_html(
                '<circle class="point{cls}" cx="{x}" cy="{y}" r="5" fill="{f}" stroke="{s}" '
                'stroke-width="2"><title>{label}: {v}{note}</title></circle>'
                '<text x="{x}" y="{ty}" text-anchor="middle" fill="#212529" '
                'font-weight="bold">{v}{star}</text>',
                cls=" provisional" if point.provisional else "",
                x=_n(x(i)),
                y=_n(y(point.value)),
                ty=_n(ty),
                f="#ffffff" if point.provisional else mark,
                s=mark,
                label=point.label,
                v=_label(point.value),
                note=f" ({_('sementara')})" if point.provisional else "",
                star="*" if point.provisional else "",
            )
        )
    return _frame(chart_id, title, desc, width, height, "".join(parts))
