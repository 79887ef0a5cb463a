"""Forms validate and normalise; the services in meetings.services run the workflow."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from indicators.models import Indicator, Variable
from kotan.lib.forms import VersionField
from kotan.models import Region, Stakeholder
from meetings.models import Action, Decision, Meeting
from meetings.services.actions import ActionDetails, evidence_check
from meetings.services.meetings import AttendanceRow, MeetingDetails

MAX_EVIDENCE_FILES = 5


def _datetime_input() -> forms.DateTimeInput:
    # The browser's picker sends and expects ISO values, whatever the display language.
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _stakeholders(city: Region) -> Any:
    return Stakeholder.objects.for_city(city.pk).active().order_by("kind", "name")


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Jenis rapat"), choices=Meeting.Kind.choices)
    title = forms.CharField(label=_("Judul"), max_length=200)
    starts_at = forms.DateTimeField(label=_("Mulai (WITA)"), widget=_datetime_input())
    ends_at = forms.DateTimeField(
        label=_("Selesai (WITA)"), required=False, widget=_datetime_input()
    )
    venue = forms.CharField(label=_("Tempat"), max_length=200, required=False)
    organiser = forms.ModelChoiceField(
        label=_("Penyelenggara"), queryset=Stakeholder.objects.none(), required=False
    )
    chair = forms.CharField(label=_("Pimpinan rapat"), max_length=200, required=False)
    invited = forms.ModelMultipleChoiceField(
        label=_("Instansi yang diundang"),
        queryset=Stakeholder.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    agenda = forms.CharField(
        label=_("Acara"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Satu acara per baris."),
        max_length=5000,
    )
    version = VersionField(required=False)

    def __init__(self, *args: Any, city: Region, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organiser"].queryset = _stakeholders(city)  # type: ignore[attr-defined]
        self.fields["invited"].queryset = _stakeholders(city)  # type: ignore[attr-defined]

    def clean_agenda(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["agenda"].splitlines()]
        lines = [line for line in lines if line]
        if any(len(line) > 300 for line in lines):
            raise ValidationError(_("Setiap acara paling banyak 300 karakter."))
        return lines

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends < starts:
            self.add_error("ends_at", _("Waktu selesai harus sesudah waktu mulai."))
        return data

    def details(self) -> MeetingDetails:
        data = self.cleaned_data
        return MeetingDetails(
            kind=data["kind"],
            title=data["title"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            venue=data["venue"],
            organiser=data["organiser"],
            chair=data["chair"],
            invited=list(data["invited"]),
            agenda=data["agenda"],
        )

    @staticmethod
    def initial_for(meeting: Meeting) -> dict[str, Any]:
        return {
            "kind": meeting.kind,
            "title": meeting.title,
            "starts_at": meeting.starts_at,
            "ends_at": meeting.ends_at,
            "venue": meeting.venue,
            "organiser": meeting.organiser_id,
            "chair": meeting.chair,
            "invited": [s.pk for s in meeting.invited.all()],
            "agenda": "\n".join(item.title for item in meeting.agenda_items.all()),
            "version": meeting.version,
        }


class AttendanceForm(forms.Form):
    stakeholder = forms.ModelChoiceField(label=_("Instansi"), queryset=Stakeholder.objects.none())
    name = forms.CharField(label=_("Nama"), max_length=120)
    position = forms.CharField(label=_("Jabatan"), max_length=120, required=False)
    present = forms.BooleanField(label=_("Hadir"), required=False, initial=True)

    def __init__(self, *args: Any, city: Region, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stakeholder"].queryset = _stakeholders(city)  # type: ignore[attr-defined]

    def row(self) -> AttendanceRow:
        data = self.cleaned_data
        return AttendanceRow(
            stakeholder=data["stakeholder"],
            name=data["name"].strip(),
            position=data["position"].strip(),
            present=data["present"],
        )


AttendanceFormSet = forms.formset_factory(
    AttendanceForm, extra=3, max_num=200, validate_max=True, can_delete=True
)


class VersionForm(forms.Form):
    version = VersionField()


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("Notulen"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    decisions = forms.CharField(
        label=_("Keputusan"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Satu keputusan per baris."),
    )
    finalise = forms.BooleanField(label=_("Finalkan notulen (terkunci sesudahnya)"), required=False)
    version = VersionField()

    def clean_decisions(self) -> list[str]:
        return [
            line.strip() for line in self.cleaned_data["decisions"].splitlines() if line.strip()
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("finalise") and not (data.get("minutes") or "").strip():
            self.add_error("minutes", _("Notulen kosong tidak dapat difinalkan."))
        return data


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Alasan membuka kembali"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = VersionField()

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Alasan wajib diisi."))
        return str(reason)


class ActionForm(forms.Form):
    title = forms.CharField(label=_("Judul"), max_length=200)
    description = forms.CharField(
        label=_("Uraian"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    category = forms.ChoiceField(label=_("Kategori"), choices=Action.Category.choices)
    variable = forms.ModelChoiceField(label=_("Variabel"), queryset=Variable.objects.all())
    indicator = forms.ModelChoiceField(
        label=_("Indikator (opsional)"),
        queryset=Indicator.objects.active().select_related("variable"),
        required=False,
    )
    owner = forms.ModelChoiceField(
        label=_("Instansi penanggung jawab"), queryset=Stakeholder.objects.none()
    )
    due_on = forms.DateField(label=_("Tenggat"), widget=_date_input())

    def __init__(self, *args: Any, city: Region, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.city = city
        self.fields["owner"].queryset = _stakeholders(city)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        variable, indicator = data.get("variable"), data.get("indicator")
        if variable and indicator and indicator.variable_id != variable.pk:
            self.add_error("indicator", _("Indikator itu bukan bagian dari variabel yang dipilih."))
        return data

    def details(self) -> ActionDetails:
        data = self.cleaned_data
        return ActionDetails(
            title=data["title"].strip(),
            description=data["description"],
            category=data["category"],
            variable=data["variable"],
            indicator=data["indicator"],
            owner=data["owner"],
            due_on=data["due_on"],
        )


class ActionCreateForm(ActionForm):
    decision = forms.ModelChoiceField(
        label=_("Dari keputusan rapat"), queryset=Decision.objects.none(), required=False
    )
    plan_year = forms.IntegerField(
        label=_("Atau: tahun rencana aksi instansi"),
        required=False,
        min_value=2000,
        max_value=2100,
        help_text=_("Isi bila tindak lanjut berasal dari rencana aksi, bukan dari rapat."),
    )

    def __init__(self, *args: Any, city: Region, **kwargs: Any) -> None:
        super().__init__(*args, city=city, **kwargs)
        self.fields["decision"].queryset = (  # type: ignore[attr-defined]
            Decision.objects.filter(meeting__city=city)
            .select_related("meeting")
            .order_by("-meeting__starts_at", "order")
        )
        self.order_fields(["decision", "plan_year"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (
            not data.get("decision")
            and not data.get("plan_year")
            and "plan_year" not in self.errors
        ):
            self.add_error(
                "plan_year", _("Pilih keputusan rapat, atau isi tahun rencana aksi instansi.")
            )
        return data


class ActionEditForm(ActionForm):
    status = forms.ChoiceField(label=_("Status"), choices=())
    version = VersionField()

    def __init__(self, *args: Any, city: Region, current_status: str, **kwargs: Any) -> None:
        super().__init__(*args, city=city, **kwargs)
        # "Selesai" is reached only through the closing form, which asks for evidence.
        choices = [
            (value, label)
            for value, label in Action.Status.choices
            if value != Action.Status.DONE or current_status == Action.Status.DONE
        ]
        self.fields["status"].choices = choices  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(action: Action) -> dict[str, Any]:
        return {
            "title": action.title,
            "description": action.description,
            "category": action.category,
            "variable": action.variable_id,
            "indicator": action.indicator_id,
            "owner": action.owner_id,
            "due_on": action.due_on,
            "status": action.status,
            "version": action.version,
        }


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Several files in one input (Django's documented pattern), each checked by content."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        items = data if isinstance(data, list | tuple) else ([data] if data else [])
        files = [super(EvidenceField, self).clean(item, initial) for item in items if item]
        if len(files) > MAX_EVIDENCE_FILES:
            raise ValidationError(
                _("Paling banyak %(n)s berkas sekali unggah.") % {"n": MAX_EVIDENCE_FILES}
            )
        errors: list[ValidationError] = []
        for upload in files:
            try:
                evidence_check(upload)
            except ValidationError as error:
                errors.append(error)
        if errors:
            raise ValidationError(errors)
        return files


class ProgressForm(forms.Form):
    percent = forms.IntegerField(label=_("Kemajuan (%)"), min_value=0, max_value=100)
    text = forms.CharField(
        label=_("Uraian kemajuan"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence = EvidenceField(label=_("Bukti dukung (PDF, gambar, DOCX, XLSX)"), required=False)
    version = VersionField()


class CloseForm(forms.Form):
    note = forms.CharField(
        label=_("Catatan penutupan"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    evidence = EvidenceField(label=_("Bukti dukung"), required=False)
    version = VersionField()

    def __init__(self, *args: Any, has_evidence: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.has_evidence = has_evidence

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            "evidence" not in self.errors
            and not data.get("evidence")
            and not self.has_evidence
            and not (data.get("note") or "").strip()
        ):
            self.add_error(
                "note",
                _("Untuk menutup tindak lanjut, unggah bukti dukung atau tulis catatan penutupan."),
            )
        return data


class ActionFilterForm(forms.Form):
    owner = forms.ModelChoiceField(
        label=_("Instansi"), queryset=Stakeholder.objects.none(), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Semua")), *Action.Status.choices], required=False
    )
    category = forms.ChoiceField(
        label=_("Kategori"), choices=[("", _("Semua")), *Action.Category.choices], required=False
    )
    variable = forms.ModelChoiceField(
        label=_("Variabel"), queryset=Variable.objects.all(), required=False
    )
    meeting = forms.ModelChoiceField(
        label=_("Rapat"), queryset=Meeting.objects.none(), required=False
    )
    overdue = forms.BooleanField(label=_("Hanya yang terlambat"), required=False)

    def __init__(self, *args: Any, city: Region, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _stakeholders(city)  # type: ignore[attr-defined]
        self.fields["meeting"].queryset = Meeting.objects.for_city(city.pk)  # type: ignore[attr-defined]


class ScheduleForm(forms.Form):
    """Turns the agenda draft into a planned meeting: only when and where are asked."""

    starts_at = forms.DateTimeField(label=_("Mulai (WITA)"), widget=_datetime_input())
    venue = forms.CharField(label=_("Tempat"), max_length=200, required=False)
