"""Forms validate and normalise; the services in indicators/services run the workflow.

Numbers are typed as text: officers on phones type a decimal comma (12,5) or a point (12.5)
depending on their keyboard, and a browser's number input rejects one of them silently.
So `NumberField` accepts both and has no thousand separator (values here are small).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.forms.boundfield import BoundField
from django.utils.translation import gettext_lazy as _

from indicators.models import (
    AssessmentPeriod,
    Indicator,
    IndicatorValue,
    PendingEvidence,
    Variable,
)
from indicators.services.evidence import pending_evidence_file
from indicators.services.framework import indicator_scale_errors
from indicators.services.grid import GridRow
from indicators.services.values import ValueInput, value_error
from kotan.lib.forms import VersionField
from kotan.lib.uploads import upload_mime
from kotan.models import Region, Stakeholder

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
MAX_NUMBER_LENGTH = 20
EVIDENCE_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
YES_NO = [("", _("— belum diisi —")), ("1", _("Ya")), ("0", _("Tidak"))]


class NumberField(forms.CharField):
    """A decimal typed with a comma or a point, e.g. 12,5 or 12.5."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = str(super().to_python(value)).replace(" ", "")
        if not text:
            return None
        if len(text) > MAX_NUMBER_LENGTH:
            raise forms.ValidationError(_("Angka terlalu panjang."), code="invalid")
        text = text.replace(",", ".")
        if not _NUMBER.fullmatch(text):
            raise forms.ValidationError(_("Masukkan angka, misalnya 12,5."), code="invalid")
        try:
            return Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern already excludes these
            raise forms.ValidationError(_("Masukkan angka."), code="invalid") from None

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            return format(value.normalize(), "f").replace(".", ",")
        return value


class YesNoField(forms.TypedChoiceField):
    def prepare_value(self, value: Any) -> Any:
        # Stored as 1.000 / 0.000: the option values are "1" and "0".
        if isinstance(value, Decimal):
            return format(value.normalize(), "f")
        return value


def evidence_checked(upload: UploadedFile, code: str) -> UploadedFile:
    """Accept PDF, JPEG or PNG judged by the file's content, within the size limit; rename
    it so that nothing of the user's file name reaches the disk."""
    mime = upload_mime(upload, allowed=EVIDENCE_TYPES, what=_("PDF, JPEG atau PNG"))
    upload.name = f"{code}.{EVIDENCE_TYPES[mime]}"
    return upload


def indicator_label(indicator: Indicator) -> str:
    """ "KK1 · Keluarga yang mendapat edukasi P4GN (%)": the unit once, never "(%) (%)"."""
    suffix = f" ({indicator.unit_suffix})" if indicator.unit_suffix else ""
    return f"{indicator.code} · {indicator.name}{suffix}"


def value_field(indicator: Indicator, *, disabled: bool) -> forms.Field:
    """The input that fits the indicator's type: yes/no, a bounded number or a mean."""
    label = indicator_label(indicator)
    if indicator.kind == Indicator.Kind.YES_NO:
        return YesNoField(
            label=label,
            choices=YES_NO,
            coerce=Decimal,
            empty_value=None,
            required=False,
            disabled=disabled,
            widget=forms.Select(attrs={"class": "form-select"}),
        )
    inputmode = "numeric" if indicator.kind == Indicator.Kind.COUNT else "decimal"
    return NumberField(
        label=label,
        required=False,
        disabled=disabled,
        widget=forms.TextInput(attrs={"inputmode": inputmode, "class": "form-control"}),
    )


def _initial(stored: IndicatorValue | None) -> Any:
    if stored is None or stored.value is None:
        return None
    return stored.value


class VersionedForm(forms.Form):
    # The submission version the page was built from (optimistic locking).
    version = VersionField()


@dataclass
class EntryRow:
    indicator: Indicator
    value: BoundField
    comment: BoundField
    evidence: BoundField | None
    stored: IndicatorValue | None
    editable: bool
    pending: PendingEvidence | None = None
    pending_field: BoundField | None = None


@dataclass(frozen=True)
class ErrorLink:
    """One line of the error summary: the message and the input it belongs to."""

    field_id: str
    label: str
    message: str


def mark_invalid(form: forms.Form) -> None:
    """Mark every field with an error for sight (is-invalid) and for screen readers
    (aria-invalid, aria-describedby); the first one gets the focus when the page loads."""
    first = True
    for name in form.errors:
        if name not in form.fields:
            continue
        attrs = form.fields[name].widget.attrs
        attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{form[name].auto_id}-error"
        if first:
            attrs["autofocus"] = True
            first = False


class EntryForm(VersionedForm):
    """One unit's values: a value, a comment and (where required) evidence per indicator.
    Indicators the user may not edit are shown disabled and never read from the request."""

    def __init__(
        self,
        *args: Any,
        indicators: list[Indicator],
        editable: set[int],
        stored: dict[int, IndicatorValue],
        pending: dict[int, PendingEvidence] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        self.editable = editable
        self.stored = stored
        # Evidence chosen earlier whose form was not saved (see services.evidence).
        self.pending = dict(pending or {})
        self.original_names: dict[int, str] = {}
        for indicator in indicators:
            pk, disabled = indicator.pk, indicator.pk not in editable
            current = stored.get(pk)
            self.fields[f"v{pk}"] = value_field(indicator, disabled=disabled)
            self.fields[f"v{pk}"].initial = _initial(current)
            self.fields[f"c{pk}"] = forms.CharField(
                label=_("Catatan"),
                required=False,
                max_length=1000,
                disabled=disabled,
                initial=current.comment if current else "",
                widget=forms.Textarea(attrs={"rows": 1, "class": "form-control"}),
            )
            if indicator.evidence_required:
                self.fields[f"e{pk}"] = forms.FileField(
                    label=_("Bukti dukung (PDF, JPEG, PNG)"),
                    required=False,
                    disabled=disabled,
                    widget=forms.ClearableFileInput(
                        attrs={"accept": ".pdf,.jpg,.jpeg,.png", "class": "form-control"}
                    ),
                )
                # The pending upload the page showed: only that one is used by the save.
                self.fields[f"p{pk}"] = forms.IntegerField(
                    required=False, disabled=disabled, widget=forms.HiddenInput
                )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for indicator in self.indicators:
            pk = indicator.pk
            if pk not in self.editable:
                continue
            if f"v{pk}" in cleaned:
                message = value_error(indicator, cleaned[f"v{pk}"])
                if message:
                    self.add_error(f"v{pk}", message)
            upload = cleaned.get(f"e{pk}")
            if upload:
                self.original_names[pk] = upload.name or ""
                try:
                    cleaned[f"e{pk}"] = evidence_checked(upload, indicator.code)
                except forms.ValidationError as error:
                    self.add_error(f"e{pk}", error)
        return cleaned

    def new_uploads(self) -> dict[int, UploadedFile]:
        """The checked evidence files chosen in this request, per indicator."""
        data = getattr(self, "cleaned_data", {})
        return {
            pk: data[f"e{pk}"]
            for pk in (i.pk for i in self.indicators)
            if pk in self.editable and data.get(f"e{pk}") and not self.has_error(f"e{pk}")
        }

    def used_pending(self) -> dict[int, PendingEvidence]:
        """Pending uploads this save uses: shown on the page, posted back, no new file."""
        data = self.cleaned_data
        return {
            pk: pending
            for pk, pending in self.pending.items()
            if pk in self.editable and data.get(f"p{pk}") == pending.pk and not data.get(f"e{pk}")
        }

    def inputs(self) -> dict[int, ValueInput]:
        data = self.cleaned_data
        pending = self.used_pending()
        return {
            pk: ValueInput(
                value=data.get(f"v{pk}"),
                comment=data.get(f"c{pk}", "").strip(),
                evidence=data.get(f"e{pk}")
                or (pending_evidence_file(pending[pk]) if pk in pending else None),
            )
            for pk in (i.pk for i in self.indicators)
            if pk in self.editable
        }

    def error_summary(self) -> list[ErrorLink]:
        """Every field error, in page order, linked to its input."""
        links: list[ErrorLink] = []
        for indicator in self.indicators:
            for prefix in ("v", "c", "e"):
                name = f"{prefix}{indicator.pk}"
                if name in self.fields and self.has_error(name):
                    links.extend(
                        ErrorLink(str(self[name].auto_id), indicator_label(indicator), str(e))
                        for e in self.errors[name]
                    )
        return links

    def rows(self) -> list[EntryRow]:
        return [
            EntryRow(
                indicator=i,
                value=self[f"v{i.pk}"],
                comment=self[f"c{i.pk}"],
                evidence=self[f"e{i.pk}"] if f"e{i.pk}" in self.fields else None,
                stored=self.stored.get(i.pk),
                editable=i.pk in self.editable,
                pending=self.pending.get(i.pk) if i.pk in self.editable else None,
                pending_field=self[f"p{i.pk}"] if f"p{i.pk}" in self.fields else None,
            )
            for i in self.indicators
        ]


class ReasonForm(VersionedForm):
    reason = forms.CharField(
        label=_("Alasan"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        error_messages={"required": _("Alasan wajib diisi.")},
    )


class GridForm(forms.Form):
    """The kelurahan grid: one value cell per kelurahan × indicator, the version of each
    row's submission, and per row one evidence file for a chosen indicator. Approved rows
    are disabled."""

    def __init__(
        self,
        *args: Any,
        kelurahan: list[Region],
        indicators: list[Indicator],
        versions: dict[int, int],
        locked: set[int],
        stored: dict[tuple[int, int], Decimal | None],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kelurahan, self.indicators, self.stored = kelurahan, indicators, stored
        self.locked = locked
        self.evidence_indicators = [i for i in indicators if i.evidence_required]
        evidence_choices = [("", "—")] + [(str(i.pk), i.code) for i in self.evidence_indicators]
        for region in kelurahan:
            self.fields[f"ver{region.pk}"] = forms.IntegerField(
                widget=forms.HiddenInput,
                required=False,
                min_value=1,
                initial=versions.get(region.pk),
            )
            for indicator in indicators:
                name = f"r{region.pk}_{indicator.pk}"
                self.fields[name] = value_field(indicator, disabled=region.pk in locked)
                self.fields[name].initial = stored.get((region.pk, indicator.pk))
                self.fields[name].widget.attrs["aria-label"] = f"{region.name} {indicator.code}"
                self.fields[name].widget.attrs["class"] += " form-control-sm"
            if self.evidence_indicators and region.pk not in locked:
                self.fields[f"ef{region.pk}"] = forms.FileField(
                    label=_("Bukti dukung"), required=False
                )
                self.fields[f"ei{region.pk}"] = forms.TypedChoiceField(
                    label=_("Bukti untuk"),
                    choices=evidence_choices,
                    coerce=int,
                    empty_value=None,
                    required=False,
                )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        codes = {i.pk: i.code for i in self.evidence_indicators}
        for region in self.kelurahan:
            for indicator in self.indicators:
                name = f"r{region.pk}_{indicator.pk}"
                if name in cleaned and (message := value_error(indicator, cleaned[name])):
                    self.add_error(name, message)
            upload, target = cleaned.get(f"ef{region.pk}"), cleaned.get(f"ei{region.pk}")
            if upload and target is None:
                self.add_error(f"ei{region.pk}", _("Pilih indikator untuk bukti ini."))
            elif upload and target is not None:
                try:
                    cleaned[f"ef{region.pk}"] = evidence_checked(upload, codes[target])
                except forms.ValidationError as error:
                    self.add_error(f"ef{region.pk}", error)
        return cleaned

    def rows_to_save(self) -> list[GridRow]:
        """The valid cells that differ from what was stored, and the valid evidence files,
        per row. Invalid cells are left out (they keep their errors on the page); unchanged
        rows too: saving them would bump their versions and make colleagues' forms stale."""
        data = self.cleaned_data
        rows = []
        for region in self.kelurahan:
            if region.pk in self.locked:
                continue
            inputs = {}
            for indicator in self.indicators:
                name = f"r{region.pk}_{indicator.pk}"
                if name not in data:
                    continue  # invalid
                if data[name] != self.stored.get((region.pk, indicator.pk)):
                    inputs[indicator.pk] = ValueInput(value=data[name], comment=None)
            upload, target = data.get(f"ef{region.pk}"), data.get(f"ei{region.pk}")
            if upload and target is not None and not self.has_error(f"ef{region.pk}"):
                name = f"r{region.pk}_{target}"
                value = data[name] if name in data else self.stored.get((region.pk, target))
                inputs[target] = ValueInput(value=value, comment=None, evidence=upload)
            if inputs:
                rows.append(
                    GridRow(
                        region=region,
                        expected_version=data.get(f"ver{region.pk}"),
                        inputs=inputs,
                    )
                )
        return rows

    def table(self) -> list[tuple[Region, list[GridCell], BoundField]]:
        return [
            (
                region,
                [self._cell(region, i, row, col) for col, i in enumerate(self.indicators)],
                self[f"ver{region.pk}"],
            )
            for row, region in enumerate(self.kelurahan)
        ]

    def _cell(self, region: Region, indicator: Indicator, row: int, col: int) -> GridCell:
        # The template writes these inputs itself: rendering ~500 widgets through Django's
        # widget templates took seconds for one city.
        bound = self[f"r{region.pk}_{indicator.pk}"]
        value = bound.field.prepare_value(bound.value())
        return GridCell(
            name=bound.html_name,
            value="" if value is None else str(value),
            yes_no=indicator.kind == Indicator.Kind.YES_NO,
            numeric=indicator.kind == Indicator.Kind.COUNT,
            disabled=bound.field.disabled,
            label=f"{region.name} {indicator.code}",
            errors=[str(e) for e in bound.errors],
            row=row,
            col=col,
        )


@dataclass
class GridCell:
    name: str
    value: str
    yes_no: bool
    numeric: bool
    disabled: bool
    label: str
    errors: list[str]
    row: int = 0
    col: int = 0

    @property
    def error_id(self) -> str:
        return f"{self.name}-error"


class PeriodForm(forms.Form):
    year = forms.IntegerField(label=_("Tahun"), min_value=2015, max_value=2100)
    opens_on = forms.DateField(
        label=_("Pengisian dibuka"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    closes_on = forms.DateField(
        label=_("Pengisian ditutup"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, period: AssessmentPeriod | None = None, **kwargs: Any):
        if period is not None:
            kwargs.setdefault(
                "initial",
                {"year": period.year, "opens_on": period.opens_on, "closes_on": period.closes_on},
            )
        super().__init__(*args, **kwargs)
        if period is not None:
            self.fields["year"].disabled = True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        opens, closes = cleaned.get("opens_on"), cleaned.get("closes_on")
        dates = isinstance(opens, datetime.date) and isinstance(closes, datetime.date)
        if dates and closes < opens:  # type: ignore[operator]
            self.add_error("closes_on", _("Tanggal tutup tidak boleh sebelum tanggal buka."))
        return cleaned


class PeriodStatusForm(forms.Form):
    status = forms.ChoiceField(choices=AssessmentPeriod.Status.choices)
    reason = forms.CharField(required=False, max_length=1000)


# --- The framework ----------------------------------------------------------------------


def _check_stored_decimal(form: forms.Form, name: str, *, places: int) -> None:
    """Edition numbers are stored with `places` decimals below 10 000: refuse what the
    database would round or reject, so that what is validated is what is stored."""
    value = form.cleaned_data.get(name)
    if not isinstance(value, Decimal):
        return
    if abs(value) >= 10_000:
        form.add_error(name, _("Angka terlalu besar."))
    elif value.as_tuple().exponent < -places:  # type: ignore[operator]
        form.add_error(name, _("Paling banyak %(n)s angka di belakang koma.") % {"n": places})


class EditionForm(forms.Form):
    name = forms.CharField(label=_("Nama"), max_length=80)
    description = forms.CharField(
        label=_("Keterangan"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    scale_min = NumberField(label=_("Skala minimum"))
    scale_max = NumberField(label=_("Skala maksimum"))
    is_default = forms.BooleanField(label=_("Jadikan edisi bawaan"), required=False)
    min_completeness = NumberField(
        label=_("Kelengkapan data minimum (%)"),
        help_text=_(
            "Di bawah angka ini dasbor dan ringkasan menulis \u201cdata belum lengkap\u201d "
            "alih-alih menyajikan IKOTAN sebagai kesiapan kota. Kosong: 80."
        ),
        required=False,
    )

    def __init__(self, *args: Any, variables: Iterable[Variable], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.variables = list(variables)
        for variable in self.variables:
            self.fields[f"w_{variable.code}"] = NumberField(
                label=_("Bobot %(code)s") % {"code": variable.code}
            )

    def weights(self) -> dict[Variable, Decimal]:
        return {v: self.cleaned_data[f"w_{v.code}"] for v in self.variables}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in ("scale_min", "scale_max"):
            _check_stored_decimal(self, name, places=3)
        _check_stored_decimal(self, "min_completeness", places=2)
        minimum = cleaned.get("min_completeness")
        if minimum is not None and not Decimal(0) <= minimum <= Decimal(100):
            self.add_error("min_completeness", _("Isi angka 0 sampai 100."))
        for variable in self.variables:
            _check_stored_decimal(self, f"w_{variable.code}", places=2)
        return cleaned


class BandForm(forms.Form):
    name = forms.CharField(label=_("Kategori"), max_length=40)
    lower = NumberField(label=_("Batas bawah"))
    upper = NumberField(label=_("Batas atas"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in ("lower", "upper"):
            _check_stored_decimal(self, name, places=3)
        return cleaned


BandFormSet = forms.formset_factory(BandForm, extra=2, max_num=10, absolute_max=10, can_delete=True)


class VariableForm(forms.ModelForm):
    class Meta:
        model = Variable
        fields = ["name", "description", "order"]


class AssignForm(forms.Form):
    """The organisations of the Admin's city that answer for an indicator."""

    responsible = forms.ModelMultipleChoiceField(
        label=_("Penanggung jawab di kota Anda"),
        queryset=Stakeholder.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, indicator: Indicator, city: Region, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["responsible"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = Stakeholder.objects.for_city(city.pk).active()
        field.initial = [s.pk for s in indicator.responsible.filter(city=city)]


class IndicatorForm(forms.ModelForm):
    """An indicator of the national catalogue (Admin Pusat)."""

    class Meta:
        model = Indicator
        fields = [
            "code",
            "variable",
            "name",
            "help_text",
            "kind",
            "unit",
            "worst",
            "best",
            "level",
            "weight",
            "provider_note",
            "evidence_required",
            "evidence_when_positive",
            "warn_min",
            "warn_max",
            "warn_max_change",
            "active",
            "order",
        ]
        widgets = {"help_text": forms.Textarea(attrs={"rows": 3})}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind, worst, best = (cleaned.get(n) for n in ("kind", "worst", "best"))
        if kind and worst is not None and best is not None:
            for message in indicator_scale_errors(kind, worst, best):
                self.add_error("best", message)
        low, high = cleaned.get("warn_min"), cleaned.get("warn_max")
        if low is not None and high is not None and low > high:
            self.add_error("warn_max", _("Batas maksimum harus tidak kurang dari minimum."))
        return cleaned

    def validate_constraints(self, exclude: Any = None) -> None:
        # clean() above reports the worst≠best rule at its field; the model's generic
        # constraint message would only repeat it.
        return None
