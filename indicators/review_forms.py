"""The verifier's queue: its filters and the bulk approval (kept apart from
indicators/forms.py, the entry forms, so that the two can grow independently)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from indicators.models import AssessmentPeriod, Indicator, Submission, Variable
from indicators.selectors import QueueFilters
from kotan.models import Region, Stakeholder


class QueueFilterForm(forms.Form):
    """GET filters; an invalid choice (a stale link) falls back to the default."""

    periode = forms.ModelChoiceField(
        label=_("Periode"),
        queryset=AssessmentPeriod.objects.none(),
        required=False,
        empty_label=_("Semua"),
    )
    tingkat = forms.ChoiceField(
        label=_("Tingkat"), choices=[("", _("Semua")), *Indicator.Level.choices], required=False
    )
    kecamatan = forms.ModelChoiceField(
        label=_("Kecamatan"),
        queryset=Region.objects.none(),
        required=False,
        empty_label=_("Semua"),
    )
    instansi = forms.ModelChoiceField(
        label=_("Instansi"),
        queryset=Stakeholder.objects.none(),
        required=False,
        empty_label=_("Semua"),
    )
    variabel = forms.ModelChoiceField(
        label=_("Variabel"),
        queryset=Variable.objects.all(),
        required=False,
        empty_label=_("Semua"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=Submission.Status.choices,
        required=False,
        initial=Submission.Status.SUBMITTED,
    )

    def __init__(self, *args: Any, city: Region, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["periode"].queryset = AssessmentPeriod.objects.for_city(city.pk)  # type: ignore[attr-defined]
        self.fields["kecamatan"].queryset = Region.objects.for_city(  # type: ignore[attr-defined]
            city.pk
        ).kecamatan()
        self.fields["instansi"].queryset = Stakeholder.objects.for_city(city.pk)  # type: ignore[attr-defined]
        # Short labels: the city is implied, and kecamatan codes mean nothing to a reader.
        self.fields["periode"].label_from_instance = lambda p: str(p.year)  # type: ignore[attr-defined]
        self.fields["kecamatan"].label_from_instance = lambda r: r.name  # type: ignore[attr-defined]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"

    def filters(self) -> QueueFilters:
        data = self.cleaned_data if self.is_valid() else {}

        def pick(name: str) -> int | None:
            chosen = data.get(name)
            return chosen.pk if chosen is not None else None

        return QueueFilters(
            period_id=pick("periode"),
            level=data.get("tingkat", ""),
            kecamatan_id=pick("kecamatan"),
            stakeholder_id=pick("instansi"),
            variable_id=pick("variabel"),
            status=data.get("status") or Submission.Status.SUBMITTED,
        )


class BulkApproveForm(forms.Form):
    """The units ticked in the queue; `confirmed` is set by the confirmation page."""

    ids = forms.TypedMultipleChoiceField(coerce=int, choices=[], required=True)
    confirmed = forms.BooleanField(required=False)

    def __init__(self, *args: Any, allowed: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ids"].choices = [(pk, pk) for pk in allowed]  # type: ignore[attr-defined]
        self.fields["ids"].error_messages = {
            "required": _("Pilih paling sedikit satu unit."),
            "invalid_choice": _("Sebagian unit sudah tidak menunggu verifikasi; muat ulang."),
        }


class DecisionForm(forms.Form):
    """Approve or return one unit from the review page."""

    action = forms.ChoiceField(choices=[("approve", "approve"), ("return", "return")])
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(
        label=_("Alasan dikembalikan"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("action") == "return" and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Alasan wajib diisi bila data dikembalikan."))
        return cleaned
