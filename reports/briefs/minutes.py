"""Minutes (notulen) of a meeting as a PDF.

TO WIRE AFTER THE MEETINGS MERGE: load the meeting of the period's city (agenda,
attendance, minutes, decisions and the actions they created) and return a BriefContent with
the template reports/pdf/minutes.html (to be written, extending reports/pdf/base.html).
Until then a minutes brief fails with a clear reason instead of producing an empty PDF.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from indicators.models import AssessmentPeriod, MethodologyEdition
from reports.briefs.common import BriefContent, BriefContentUnavailable


def build(
    *, period: AssessmentPeriod, edition: MethodologyEdition, meeting_id: int
) -> BriefContent:
    raise BriefContentUnavailable(_("Notulen rapat belum dapat dibuat sebagai PDF."))
