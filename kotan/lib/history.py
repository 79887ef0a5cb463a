"""Audit entries as people read them: Indonesian labels for actions and fields, values
formatted as the rest of the interface writes them (Ya/Tidak, 2,7, 10 Februari 2026 09.00
WITA), file names instead of storage paths, status labels instead of codes.

The audit trail keeps raw, stable values (kotan.services.field_changes); this module only
presents them. Apps register the labels of their own actions in their AppConfig.ready(),
so the dependency still points from the apps to kotan.
"""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kotan.models import AuditEntry

Label = str | Promise

ACTION_LABELS: dict[str, Label] = {}
# Names that are not model fields (summaries written by services), or whose model field's
# verbose name reads badly in a history.
FIELD_LABELS: dict[str, Label] = {
    "value": gettext_lazy("Nilai"),
    "comment": gettext_lazy("Catatan"),
    "evidence": gettext_lazy("Bukti dukung"),
    "status": gettext_lazy("Status"),
    "agenda": gettext_lazy("Acara"),
    "invited": gettext_lazy("Undangan"),
    "responsible": gettext_lazy("Penanggung jawab"),
}
# Fields whose values are storage paths: only the file name is shown.
FILE_FIELDS = {"evidence", "file", "pdf"}

_NUMBER = re.compile(r"-?\d+\.\d+")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def register_actions(labels: Mapping[str, Label]) -> None:
    ACTION_LABELS.update(labels)


def register_fields(labels: Mapping[str, Label]) -> None:
    FIELD_LABELS.update(labels)


@dataclass(frozen=True)
class ChangeLine:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryItem:
    entry: AuditEntry
    action: str
    lines: list[ChangeLine]

    @property
    def created_at(self) -> datetime.datetime:
        return self.entry.created_at


def action_label(code: str) -> str:
    """The action in words; never the code itself ("meeting.attendance")."""
    if code in ACTION_LABELS:
        return str(ACTION_LABELS[code])
    return _("Perubahan")


def readable_history(
    entries: Iterable[AuditEntry], *, yes_no: Iterable[str] = ()
) -> list[HistoryItem]:
    """`yes_no`: indicator codes whose values are Ya/Tidak (fields named by such a code, and
    the value of an entry about such an indicator, read "KL1 · …")."""
    codes = set(yes_no)
    items = []
    for entry in entries:
        model = entry.content_type.model_class()
        subject = entry.object_repr.split(" · ", 1)[0]
        lines = [
            ChangeLine(
                _field_label(model, name),
                _value(model, name, old, yes_no=_is_yes_no(name, subject, codes)),
                _value(model, name, new, yes_no=_is_yes_no(name, subject, codes)),
            )
            for name, (old, new) in sorted(entry.changes.items())
        ]
        items.append(HistoryItem(entry, action_label(entry.action), lines))
    return items


def _is_yes_no(name: str, subject: str, codes: set[str]) -> bool:
    return name in codes or (name == "value" and subject in codes)


def _model_field(model: type[models.Model] | None, name: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return found if isinstance(found, models.Field) else None


def _field_label(model: type[models.Model] | None, name: str) -> str:
    if name in FIELD_LABELS:
        return str(FIELD_LABELS[name])
    field = _model_field(model, name)
    if field is not None and field.verbose_name:
        text = str(field.verbose_name)
        return text[:1].upper() + text[1:]
    return name  # an indicator code or a person's line in an attendance list


def _value(model: type[models.Model] | None, name: str, raw: Any, *, yes_no: bool) -> str:
    if raw is None or raw == "":
        return "—"
    if isinstance(raw, bool):
        return _("Ya") if raw else _("Tidak")
    text = str(raw)
    if yes_no and text in ("0", "1", "0.000", "1.000"):
        return _("Ya") if text.startswith("1") else _("Tidak")
    field = _model_field(model, name)
    if field is not None and field.choices:
        labels = {str(key): label for key, label in field.flatchoices}
        if text in labels:
            return str(labels[text])
    if name in FILE_FIELDS or isinstance(field, models.FileField):
        return ", ".join(os.path.basename(part.strip()) for part in text.split(","))
    if isinstance(raw, float | int) and not isinstance(raw, bool):
        return formats.number_format(raw, use_l10n=True)
    return _formatted_text(text)


def _formatted_text(text: str) -> str:
    if _NUMBER.fullmatch(text):
        try:
            number = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern excludes these
            return text
        places = min(2, max(0, -number.normalize().as_tuple().exponent))  # type: ignore[operator]
        return formats.number_format(round(number, places), places, use_l10n=True)
    if _DATETIME.match(text):
        try:
            moment = datetime.datetime.fromisoformat(text)
        except ValueError:
            return text
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        local = timezone.localtime(moment)
        return f"{formats.date_format(local, 'DATETIME_FORMAT')} {_zone_name(local)}"
    if _DATE.fullmatch(text):
        try:
            return formats.date_format(datetime.date.fromisoformat(text), "DATE_FORMAT")
        except ValueError:
            return text
    return text


def _zone_name(moment: datetime.datetime) -> str:
    """WIB, WITA or WIT for Indonesia's zones; the offset elsewhere."""
    offset = moment.utcoffset()
    hours = offset.total_seconds() / 3600 if offset is not None else None
    return {7.0: "WIB", 8.0: "WITA", 9.0: "WIT"}.get(hours or 0.0, moment.strftime("%Z"))
