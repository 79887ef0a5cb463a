"""Content builders, one module per kind of brief. Each gathers its data with a fixed number
of queries and returns a BriefContent (template, context, fingerprint)."""

from __future__ import annotations

from indicators.models import AssessmentPeriod, MethodologyEdition
from kotan.models import Stakeholder
from reports.briefs import city_summary, minutes, stakeholder
from reports.briefs.common import BriefContent, BriefContentUnavailable
from reports.models import Brief

__all__ = ["BriefContent", "BriefContentUnavailable", "brief_content"]


def brief_content(
    *,
    kind: str,
    period: AssessmentPeriod,
    edition: MethodologyEdition,
    stakeholder_obj: Stakeholder | None = None,
    meeting_id: int | None = None,
) -> BriefContent:
    if kind == Brief.Kind.CITY_SUMMARY:
        return city_summary.build(period=period, edition=edition)
    if kind == Brief.Kind.STAKEHOLDER:
        assert stakeholder_obj is not None
        return stakeholder.build(period=period, edition=edition, stakeholder=stakeholder_obj)
    if kind == Brief.Kind.MINUTES:
        assert meeting_id is not None
        return minutes.build(period=period, edition=edition, meeting_id=meeting_id)
    raise ValueError(f"unknown brief kind {kind!r}")
