"""The data-entry workflow: saving values, submitting, approving, returning and reopening a
unit's submission. Forms, the grid and the spreadsheet import all write through here, so the
rules (ranges, locks, optimistic locking, audit) hold whichever way data arrives.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files import File
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from indicators.models import AssessmentPeriod, Indicator, IndicatorValue, Submission
from indicators.scoring.recompute import scores_request_recompute
from kotan.lib.locking import StaleVersion, lock_version
from kotan.models import AuditEntry, Notification, Region, Stakeholder, User
from kotan.notifications import city_users, notifications_emit, officers_of
from kotan.permissions import require
from kotan.services import audit_record, field_changes

# Counts above the target are allowed (they score 100) but not absurd ones.
COUNT_CEILING = Decimal(1_000_000)


class EntryError(Exception):
    """A workflow step that cannot be done; the message is for the user, in Indonesian."""


class SubmissionLocked(EntryError):
    pass


class StaleSubmission(StaleVersion, EntryError):
    """Someone else saved this submission after the user loaded it."""

    message_text = gettext_lazy(
        "Data ini sudah diubah orang lain setelah Anda membukanya. Perubahan Anda "
        "tidak disimpan; periksa perubahan terbaru di bawah lalu isi kembali."
    )
    current: Submission


class InvalidValues(EntryError):
    def __init__(self, errors: Mapping[int, str]) -> None:
        super().__init__(_("Sebagian nilai tidak valid; periksa pesan di setiap isian."))
        self.errors = dict(errors)


@dataclass(frozen=True)
class ValueInput:
    value: Decimal | None
    # None keeps the stored comment (the grid has no comment cells).
    comment: str | None = ""
    # None keeps the stored evidence; a File replaces it.
    evidence: File[Any] | None = None


def value_error(indicator: Indicator, value: Decimal | None) -> str | None:
    """Why `value` is not acceptable for `indicator`, in Indonesian; None when it is.

    An empty value is acceptable in a draft: it means "not entered yet".
    """
    if value is None:
        return None
    if not value.is_finite():
        return _("Nilai harus berupa angka.")
    if indicator.kind == Indicator.Kind.YES_NO:
        return None if value in (Decimal(0), Decimal(1)) else _("Pilih Ya atau Tidak.")
    if indicator.kind == Indicator.Kind.COUNT:
        if value != value.to_integral_value():
            return _("Jumlah harus bilangan bulat.")
        if value < 0:
            return _("Jumlah tidak boleh negatif.")
        if value > COUNT_CEILING:
            return _("Jumlah terlalu besar.")
        return None
    if value.as_tuple().exponent < -3:  # type: ignore[operator]
        return _("Paling banyak tiga angka di belakang koma.")
    low, high = indicator.value_min, indicator.value_max
    if value < low or value > high:
        return _("Nilai harus antara %(low)s dan %(high)s.") % {
            "low": _plain(low),
            "high": _plain(high),
        }
    return None


def _plain(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return text.replace(".", ",")


def unit_of(submission: Submission) -> Region | Stakeholder:
    unit = submission.stakeholder if submission.stakeholder_id else submission.region
    assert unit is not None
    return unit


def submission_get_or_create(
    *,
    period: AssessmentPeriod,
    level: str,
    region: Region | None = None,
    stakeholder: Stakeholder | None = None,
) -> Submission:
    """The submission of one unit (the city, a kelurahan or a stakeholder) in a period."""
    if level == Indicator.Level.STAKEHOLDER:
        assert stakeholder is not None and stakeholder.city_id == period.city_id
        lookup: dict[str, Any] = {"period": period, "stakeholder": stakeholder}
    else:
        assert region is not None and region.city_id == period.city_id
        lookup = {"period": period, "level": level, "region": region}
    submission, _created = Submission.objects.get_or_create(**lookup, defaults={"level": level})
    return submission


def applicable_indicators(submission: Submission) -> list[Indicator]:
    """The active indicators a submission holds: those of its level, and for a stakeholder
    only those assigned to that organisation."""
    indicators = (
        Indicator.objects.active().filter(level=submission.level).select_related("variable")
    )
    if submission.stakeholder_id:
        indicators = indicators.filter(responsible=submission.stakeholder_id)
    return list(indicators)


def _ensure_editable(submission: Submission) -> None:
    if submission.period.status == AssessmentPeriod.Status.LOCKED:
        raise SubmissionLocked(_("Periode ini sudah dikunci; data tidak dapat diubah."))
    if submission.is_locked:
        raise SubmissionLocked(
            _("Data ini sudah disetujui dan terkunci. Minta verifikator membukanya kembali.")
        )


def _lock(submission: Submission, expected_version: int | None) -> Submission:
    queryset = Submission.objects.select_related("period")
    return lock_version(queryset, submission.pk, expected_version, stale=StaleSubmission)


def _value_state(value: IndicatorValue | None) -> dict[str, Any]:
    if value is None:
        return {"value": None, "comment": "", "evidence": ""}
    number = None if value.value is None else format(value.value.normalize(), "f")
    return {"value": number, "comment": value.comment, "evidence": value.evidence.name or ""}


def _set_status(submission: Submission, status: str, *, actor: User, reason: str = "") -> None:
    before = submission.status
    submission.status = status
    submission.version += 1
    submission.save()
    audit_record(
        actor=actor,
        city=submission.period.city,
        obj=submission,
        action=f"submission.{status}",
        changes={"status": [before, status]},
        reason=reason,
    )


def unit_people(submission: Submission) -> list[User]:
    """Who works on a unit's data: whoever submitted it, and the organisation's officers
    (a stakeholder's unit) or the city's operators (the city or a kelurahan)."""
    if submission.stakeholder_id:
        people = officers_of([submission.stakeholder_id])
    else:
        people = city_users(submission.period.city_id, User.Role.OPERATOR)
    if submission.submitted_by is not None:
        people.append(submission.submitted_by)
    return people


_EVENT_TITLES: dict[str, str] = {
    Notification.Kind.SUBMISSION_RETURNED: gettext_noop("Data %(unit)s (%(year)s) dikembalikan"),
    Notification.Kind.SUBMISSION_APPROVED: gettext_noop("Data %(unit)s (%(year)s) disetujui"),
    Notification.Kind.SUBMISSION_REOPENED: gettext_noop("Data %(unit)s (%(year)s) dibuka kembali"),
}


def _notify_unit(submission: Submission, kind: str, *, actor: User, reason: str = "") -> None:
    """Tell the people of the unit about a verifier's decision (not the verifier itself)."""
    with translation.override(settings.LANGUAGE_CODE):
        unit = unit_of(submission)
        title = _(_EVENT_TITLES[kind]) % {
            "unit": unit.name if isinstance(unit, Region) else unit,
            "year": submission.period.year,
        }
        body = _("Alasan: %(reason)s") % {"reason": reason} if reason else ""
    notifications_emit(
        city=submission.period.city_id,
        recipients=[u for u in unit_people(submission) if u.pk != actor.pk],
        kind=kind,
        event_key=f"submission.{kind}:{submission.pk}:v{submission.version}",
        title=title,
        body=body,
        url=submission.get_absolute_url(),
    )


@transaction.atomic
def submission_values_save(
    *,
    submission: Submission,
    actor: User,
    inputs: Mapping[int, ValueInput],
    expected_version: int | None,
    source: str = "form",
) -> Submission:
    """Store the given values (keyed by indicator id) as a draft.

    Refused when the submission is approved or the period locked, when someone saved it
    after `expected_version` was read (None skips that check: imports lock differently),
    or when any value is invalid — then nothing is stored. A changed submission that was
    submitted or returned goes back to draft: it must be submitted again.
    """
    current = _lock(submission, expected_version)
    _ensure_editable(current)
    indicators = Indicator.objects.in_bulk(list(inputs))
    errors = {
        pk: message
        for pk, item in inputs.items()
        if (message := _input_error(indicators.get(pk), item)) is not None
    }
    if errors:
        raise InvalidValues(errors)
    existing = {v.indicator_id: v for v in current.values.all()}
    audit_rows = [
        row
        for pk, item in inputs.items()
        if (row := _store_value(current, indicators[pk], existing.get(pk), item, actor, source))
    ]
    if audit_rows:
        AuditEntry.objects.bulk_create(audit_rows)
        if current.status != Submission.Status.DRAFT:
            _set_status(current, Submission.Status.DRAFT, actor=actor, reason=_("Data diubah"))
        else:
            current.version += 1
            current.save(update_fields=["version", "updated_at"])
    return current


def _input_error(indicator: Indicator | None, item: ValueInput) -> str | None:
    if indicator is None:
        return _("Indikator tidak dikenal.")
    return value_error(indicator, item.value)


def _store_value(
    submission: Submission,
    indicator: Indicator,
    stored: IndicatorValue | None,
    item: ValueInput,
    actor: User,
    source: str,
) -> AuditEntry | None:
    """Write one value if it changed; return its (unsaved) audit entry, or None."""
    before = _value_state(stored)
    value = stored or IndicatorValue(submission=submission, indicator=indicator)
    value.value = item.value
    if item.comment is not None:
        value.comment = item.comment
    if item.evidence is not None:
        value.evidence.save(item.evidence.name or "bukti", item.evidence, save=False)
    changes = field_changes(before, _value_state(value))
    if not changes:
        return None
    value.entered_by = actor
    value.save()
    return AuditEntry(
        city_id=submission.period.city_id,
        actor=actor,
        content_type=ContentType.objects.get_for_model(IndicatorValue),
        object_pk=str(value.pk),
        object_repr=f"{indicator.code} · {unit_of(submission)}"[:200],
        action=f"value.{source}",
        changes=changes,
    )


def missing_for_submit(submission: Submission) -> list[str]:
    """What stops a submission from being submitted: indicator codes without a value or
    without required evidence."""
    stored = {v.indicator_id: v for v in submission.values.all()}
    missing = []
    for indicator in applicable_indicators(submission):
        value = stored.get(indicator.pk)
        if value is None or value.value is None:
            missing.append(_("%(code)s belum diisi") % {"code": indicator.code})
        elif indicator.needs_evidence(value.value) and not value.evidence:
            missing.append(_("%(code)s belum ada bukti dukung") % {"code": indicator.code})
    return missing


@transaction.atomic
def submission_submit(
    *, submission: Submission, actor: User, expected_version: int | None
) -> Submission:
    require(actor, "indicators.submit_submission", submission)
    current = _lock(submission, expected_version)
    _ensure_editable(current)
    if current.status == Submission.Status.SUBMITTED:
        raise EntryError(_("Data ini sudah diajukan."))
    missing = missing_for_submit(current)
    if missing:
        raise EntryError(_("Belum lengkap: %(missing)s.") % {"missing": ", ".join(missing)})
    current.submitted_at = timezone.now()
    current.submitted_by = actor
    current.return_reason = ""
    _set_status(current, Submission.Status.SUBMITTED, actor=actor)
    return current


@transaction.atomic
def submission_approve(
    *, submission: Submission, actor: User, expected_version: int | None
) -> Submission:
    require(actor, "indicators.review_submission", submission)
    current = _lock(submission, expected_version)
    if current.status != Submission.Status.SUBMITTED:
        raise EntryError(_("Hanya data yang sudah diajukan yang dapat disetujui."))
    current.approved_at = timezone.now()
    current.approved_by = actor
    _set_status(current, Submission.Status.APPROVED, actor=actor)
    scores_request_recompute(period=current.period)
    _notify_unit(current, Notification.Kind.SUBMISSION_APPROVED, actor=actor)
    return current


def _required_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise EntryError(_("Alasan wajib diisi."))
    return reason


@transaction.atomic
def submission_return(
    *, submission: Submission, actor: User, reason: str, expected_version: int | None
) -> Submission:
    require(actor, "indicators.review_submission", submission)
    reason = _required_reason(reason)
    current = _lock(submission, expected_version)
    if current.status != Submission.Status.SUBMITTED:
        raise EntryError(_("Hanya data yang sudah diajukan yang dapat dikembalikan."))
    current.return_reason = reason
    _set_status(current, Submission.Status.RETURNED, actor=actor, reason=reason)
    _notify_unit(current, Notification.Kind.SUBMISSION_RETURNED, actor=actor, reason=reason)
    return current


@transaction.atomic
def submission_reopen(
    *, submission: Submission, actor: User, reason: str, expected_version: int | None
) -> Submission:
    """Unlock approved data so it can be corrected; it must be submitted and approved again."""
    require(actor, "indicators.review_submission", submission)
    reason = _required_reason(reason)
    current = _lock(submission, expected_version)
    if current.status != Submission.Status.APPROVED:
        raise EntryError(_("Hanya data yang sudah disetujui yang dapat dibuka kembali."))
    if current.period.status == AssessmentPeriod.Status.LOCKED:
        raise SubmissionLocked(_("Periode ini sudah dikunci; data tidak dapat dibuka kembali."))
    current.approved_at = None
    current.approved_by = None
    _set_status(current, Submission.Status.DRAFT, actor=actor, reason=reason)
    scores_request_recompute(period=current.period)
    _notify_unit(current, Notification.Kind.SUBMISSION_REOPENED, actor=actor, reason=reason)
    return current


def submission_history(submission: Submission) -> QuerySet[AuditEntry]:
    """Audit entries of the submission and of its values, newest first."""
    value_pks = [str(pk) for pk in submission.values.values_list("pk", flat=True)]
    value_type = ContentType.objects.get_for_model(IndicatorValue)
    submission_type = ContentType.objects.get_for_model(Submission)
    return (
        AuditEntry.objects.filter(city_id=submission.period.city_id)
        .filter(
            Q(content_type=submission_type, object_pk=str(submission.pk))
            | Q(content_type=value_type, object_pk__in=value_pks)
        )
        .select_related("actor")
    )


def submission_lock_error(submission: Submission) -> str | None:
    """Why the submission's values cannot be changed now (approved, period locked), or None."""
    try:
        _ensure_editable(submission)
    except SubmissionLocked as error:
        return str(error)
    return None
