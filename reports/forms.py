"""Forms of the reports app: requesting a brief and editing the recommendation library."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from indicators.models import AssessmentPeriod, CategoryBand, Indicator, Variable
from kotan.lib.forms import VersionField
from kotan.models import Stakeholder, User
from reports.models import Brief
from reports.services.recommendations import RecommendationInput


class BriefRequestForm(forms.Form):
    """What to render. Minutes are requested from a meeting's page (after the meetings
    merge), not here."""

    period = forms.ModelChoiceField(
        label=_("Periode"), queryset=AssessmentPeriod.objects.none(), empty_label=None
    )
    kind = forms.ChoiceField(
        label=_("Jenis ringkasan"),
        choices=[
            (Brief.Kind.CITY_SUMMARY, Brief.Kind.CITY_SUMMARY.label),
            (Brief.Kind.STAKEHOLDER, Brief.Kind.STAKEHOLDER.label),
        ],
    )
    stakeholder = forms.ModelChoiceField(
        label=_("Pemangku kepentingan"),
        queryset=Stakeholder.objects.none(),
        required=False,
        help_text=_("Wajib untuk ringkasan pemangku kepentingan."),
    )
    regenerate = forms.BooleanField(label=_("Buat ulang walau data tidak berubah"), required=False)

    def __init__(
        self,
        *args: Any,
        user: User,
        period: AssessmentPeriod | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        period_field = self.fields["period"]
        assert isinstance(period_field, forms.ModelChoiceField)
        period_field.queryset = AssessmentPeriod.objects.for_user(user).order_by("-year")
        if period is not None:
            # The form asks for the period the page shows, not the latest one.
            period_field.initial = period.pk
        stakeholder_field = self.fields["stakeholder"]
        assert isinstance(stakeholder_field, forms.ModelChoiceField)
        stakeholder_field.queryset = Stakeholder.objects.for_user(user).active()
        if user.role == User.Role.PEMANGKU:
            # An officer asks for its own organisation's brief, and only that.
            stakeholder_field.queryset = Stakeholder.objects.filter(pk=user.stakeholder_id or 0)
            stakeholder_field.initial = user.stakeholder_id
            stakeholder_field.empty_label = None
            kind_field = self.fields["kind"]
            assert isinstance(kind_field, forms.ChoiceField)
            kind_field.choices = [(Brief.Kind.STAKEHOLDER, Brief.Kind.STAKEHOLDER.label)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("kind") == Brief.Kind.STAKEHOLDER and not cleaned.get("stakeholder"):
            self.add_error("stakeholder", _("Pilih pemangku kepentingan untuk ringkasan ini."))
        return cleaned


class BandChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.edition.name} · {obj.name}"


class RecommendationForm(forms.Form):
    variable = forms.ModelChoiceField(
        label=_("Variabel"), queryset=Variable.objects.order_by("order"), empty_label=None
    )
    indicator = forms.ModelChoiceField(
        label=_("Indikator (opsional)"),
        queryset=Indicator.objects.active().select_related("variable"),
        required=False,
        help_text=_("Kosongkan bila rekomendasi berlaku untuk variabel secara umum."),
    )
    bands = BandChoiceField(
        label=_("Berlaku pada kategori"),
        queryset=CategoryBand.objects.select_related("edition").order_by("edition__name", "order"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Pilih paling sedikit satu kategori.")},
    )
    title = forms.CharField(label=_("Rekomendasi"), max_length=200)
    body = forms.CharField(
        label=_("Uraian"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    legal_basis = forms.CharField(label=_("Dasar hukum"), max_length=200, required=False)
    addressees = forms.ModelMultipleChoiceField(
        label=_("Ditujukan kepada"),
        queryset=Stakeholder.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Pilih paling sedikit satu instansi.")},
    )
    order = forms.IntegerField(label=_("Urutan"), min_value=0, max_value=999, initial=0)
    active = forms.BooleanField(label=_("Aktif"), required=False, initial=True)
    version = VersionField(required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        addressees = self.fields["addressees"]
        assert isinstance(addressees, forms.ModelMultipleChoiceField)
        addressees.queryset = Stakeholder.objects.for_user(user).active()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        variable, indicator = cleaned.get("variable"), cleaned.get("indicator")
        if variable and indicator and indicator.variable_id != variable.pk:
            self.add_error("indicator", _("Indikator harus termasuk variabel yang dipilih."))
        return cleaned

    def to_input(self) -> RecommendationInput:
        data = self.cleaned_data
        return RecommendationInput(
            variable=data["variable"],
            indicator=data["indicator"],
            bands=list(data["bands"]),
            title=data["title"].strip(),
            body=data["body"].strip(),
            legal_basis=data["legal_basis"].strip(),
            addressees=list(data["addressees"]),
            order=data["order"],
            active=data["active"],
        )
