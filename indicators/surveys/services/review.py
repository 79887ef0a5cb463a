"""The verifikator's review of respondents: excluding one (with a reason) from aggregation,
or taking it back in. Audited in kotan's AuditEntry."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from indicators.surveys.models import Respondent
from kotan.models import User
from kotan.services import audit_record


class ReviewError(Exception):
    pass


@transaction.atomic
def respondent_set_excluded(
    *, respondent: Respondent, actor: User, excluded: bool, reason: str
) -> Respondent:
    reason = reason.strip()
    if not reason:
        raise ReviewError(_("Alasan wajib diisi."))
    current = (
        Respondent.objects.select_for_update()
        .select_related("survey__period__city")
        .get(pk=respondent.pk)
    )
    if current.excluded == excluded:
        return current
    current.excluded = excluded
    current.exclusion_reason = reason if excluded else ""
    current.save(update_fields=["excluded", "exclusion_reason"])
    audit_record(
        actor=actor,
        city=current.survey.period.city,
        obj=current,
        action="respondent.exclude" if excluded else "respondent.include",
        changes={"excluded": [not excluded, excluded]},
        reason=reason,
    )
    return current
