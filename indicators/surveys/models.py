"""Survey data (DOMAIN.md §7): questionnaires as data, a survey per assessment period with
its sample plan, anonymous respondents and their answers, imports and aggregation runs.

Surveys use indicators and kotan; nothing there points back here.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from indicators.models import AssessmentPeriod, Indicator, PlainJSONField, Variable
from kotan.lib.scoping import CityScopedQuerySet
from kotan.models import Region


class Setting(models.TextChoices):
    """Observation settings (DOMAIN.md §7)."""

    KELUARGA = "keluarga", _("Keluarga")
    MASYARAKAT = "masyarakat", _("Masyarakat")
    PENDIDIKAN = "pendidikan", _("Pendidikan")
    INSTANSI = "instansi", _("Instansi pemerintah")
    SWASTA = "swasta", _("Swasta")


class Questionnaire(models.Model):
    """A versioned questionnaire, owned nationally. Like a methodology edition, a version is
    frozen once a survey used it: a change then makes a new version."""

    name = models.CharField(_("nama"), max_length=120)
    version = models.PositiveSmallIntegerField(_("versi"), default=1)
    description = models.TextField(_("keterangan"), blank=True)
    # (design): the seeded questionnaire is this project's own, not BNN's official list.
    is_design = models.BooleanField(_("rancangan (design)"), default=False)
    is_default = models.BooleanField(_("kuesioner bawaan"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("kuesioner")
        verbose_name_plural = _("kuesioner")
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "version"], name="questionnaire_version_unique"
            ),
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="questionnaire_one_default",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def is_frozen(self) -> bool:
        return self.surveys.exists()


class QuestionItem(models.Model):
    class AnswerType(models.TextChoices):
        LIKERT = "likert4", _("Likert 1–4")
        YES_NO = "yesno", _("Ya/tidak")
        NUMBER = "number", _("Angka")

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="items")
    code = models.SlugField(_("kode"), max_length=20)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)
    text_id = models.TextField(_("pertanyaan (Indonesia)"))
    text_en = models.TextField(_("pertanyaan (Inggris)"), blank=True)
    variable = models.ForeignKey(
        Variable, verbose_name=_("variabel"), on_delete=models.PROTECT, related_name="+"
    )
    answer_type = models.CharField(
        _("jenis jawaban"), max_length=8, choices=AnswerType.choices, default=AnswerType.LIKERT
    )
    reverse = models.BooleanField(_("skor terbalik"), default=False)
    # Setting codes (Setting values) the item is asked in.
    settings = models.JSONField(_("ditanyakan pada"), default=list)
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("mengisi indikator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("butir pertanyaan")
        verbose_name_plural = _("butir pertanyaan")
        ordering = ["questionnaire", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="item_code_unique"),
            # Only Likert items have a mean to feed an indicator or a reverse score.
            models.CheckConstraint(
                condition=Q(answer_type="likert4") | Q(indicator__isnull=True, reverse=False),
                name="item_feeds_only_when_likert",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def asked_in(self, setting: str) -> bool:
        return setting in self.settings


class SurveyQuerySet(CityScopedQuerySet["Survey"]):
    city_lookup = "period__city"


class Survey(models.Model):
    """The survey of one city's assessment period, with the questionnaire version it uses."""

    period = models.OneToOneField(
        AssessmentPeriod, verbose_name=_("periode"), on_delete=models.PROTECT, related_name="survey"
    )
    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("kuesioner"), on_delete=models.PROTECT, related_name="surveys"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        verbose_name = _("survei")
        verbose_name_plural = _("survei")
        ordering = ["-period__year"]

    def __str__(self) -> str:
        return f"{_('Survei')} {self.period}"


class SampleTarget(models.Model):
    """Target respondents for one setting in one kelurahan."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="targets")
    kelurahan = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    setting = models.CharField(_("setting"), max_length=12, choices=Setting.choices)
    target = models.PositiveIntegerField(_("target"), default=0)

    class Meta:
        verbose_name = _("target sampel")
        verbose_name_plural = _("target sampel")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "kelurahan", "setting"], name="target_once_per_cell"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kelurahan_id}/{self.setting}: {self.target}"


class Enumerator(models.Model):
    """A stakeholder officer marked by the city's Admin as a survey enumerator (operators and
    admins collect without it)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enumerator"
    )
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    marked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("enumerator")
        verbose_name_plural = _("enumerator")

    def __str__(self) -> str:
        return str(self.user)


class RespondentQuerySet(CityScopedQuerySet["Respondent"]):
    city_lookup = "survey__period__city"

    def included(self) -> RespondentQuerySet:
        return self.filter(excluded=False)


class Respondent(models.Model):
    """One anonymous respondent: setting, kelurahan, sex, age group and answers — never a
    name, NIK or phone number.

    `uuid` is made by the client (the phone page, or the Kobo/ODK submission id), so a
    resubmission or a re-import never duplicates. Answers are one JSON document keyed by item
    code: the questionnaire version is frozen once used, a respondent is read and written as
    a whole, and 20,000 × 60 answers import as 20,000 rows.
    """

    class Source(models.TextChoices):
        PHONE = "phone", _("Isian ponsel")
        IMPORT = "import", _("Impor Kobo/ODK")

    class Sex(models.TextChoices):
        MALE = "L", _("Laki-laki")
        FEMALE = "P", _("Perempuan")

    class AgeGroup(models.TextChoices):
        UNDER_20 = "<20", _("di bawah 20")
        FROM_20 = "20-34", _("20–34")
        FROM_35 = "35-49", _("35–49")
        FROM_50 = "50+", _("50 ke atas")

    class Flag(models.TextChoices):
        STRAIGHT = "straight", _("Jawaban seragam")
        INCOMPLETE = "incomplete", _("Tidak lengkap")
        TOO_FAST = "too_fast", _("Terlalu cepat")

    uuid = models.UUIDField(_("UUID"), unique=True)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="respondents")
    kelurahan = models.ForeignKey(
        Region, verbose_name=_("kelurahan"), on_delete=models.PROTECT, related_name="+"
    )
    setting = models.CharField(_("setting"), max_length=12, choices=Setting.choices)
    sex = models.CharField(_("jenis kelamin"), max_length=1, choices=Sex.choices, blank=True)
    age_group = models.CharField(
        _("kelompok umur"), max_length=6, choices=AgeGroup.choices, blank=True
    )
    enumerator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enumerator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField(_("sumber"), max_length=6, choices=Source.choices)
    external_id = models.CharField(_("ID kiriman"), max_length=120, blank=True)
    started_at = models.DateTimeField(_("mulai"), null=True, blank=True)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    received_at = models.DateTimeField(_("diterima"), auto_now_add=True)
    answers = PlainJSONField(_("jawaban"), default=dict)
    flags = PlainJSONField(_("tanda mutu"), default=list, blank=True)
    excluded = models.BooleanField(_("dikecualikan"), default=False)
    exclusion_reason = models.TextField(_("alasan dikecualikan"), blank=True)

    objects = RespondentQuerySet.as_manager()

    class Meta:
        verbose_name = _("responden")
        verbose_name_plural = _("responden")
        ordering = ["survey", "received_at", "id"]
        indexes = [
            # Serves the progress page: counts per kelurahan and setting of one survey.
            models.Index(fields=["survey", "kelurahan", "setting"], name="respondent_cell"),
        ]

    def __str__(self) -> str:
        return f"{self.get_setting_display()} · {self.uuid}"

    def flag_labels(self) -> list[Any]:
        labels = dict(self.Flag.choices)
        return [labels.get(flag, flag) for flag in self.flags]


def survey_import_upload_to(instance: SurveyImport, filename: str) -> str:
    import uuid

    suffix = ".xlsx" if instance.file_format == "xlsx" else ".csv"
    return f"survey-imports/{instance.survey_id}/{uuid.uuid4().hex}{suffix}"


class SurveyImportQuerySet(CityScopedQuerySet["SurveyImport"]):
    city_lookup = "survey__period__city"


class SurveyImport(models.Model):
    """A KoboToolbox or ODK Central export: uploaded, mapped column by column, checked
    (errors by row and column) and imported all or nothing."""

    class Status(models.TextChoices):
        MAPPING = "mapping", _("Menunggu pemetaan kolom")
        CHECKING = "checking", _("Sedang diperiksa")
        INVALID = "invalid", _("Ada kesalahan")
        READY = "ready", _("Siap diimpor")
        IMPORTING = "importing", _("Sedang diimpor")
        DONE = "done", _("Selesai diimpor")
        FAILED = "failed", _("Gagal diproses")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="imports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(_("berkas"), upload_to=survey_import_upload_to)
    original_name = models.CharField(_("nama berkas"), max_length=255)
    file_format = models.CharField(_("format"), max_length=4)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.MAPPING
    )
    columns = models.JSONField(_("kolom"), default=list, blank=True)
    # {column header: target}; targets are "item:<code>", "setting", "kelurahan", "id",
    # "sex", "age_group", "start", "end".
    mapping = models.JSONField(_("pemetaan"), default=dict, blank=True)
    # [{"row", "column", "message"}] in file order (capped).
    errors = models.JSONField(_("kesalahan"), default=list, blank=True)
    counts = models.JSONField(_("jumlah"), default=dict, blank=True)
    failure = models.TextField(_("keterangan kegagalan"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    objects = SurveyImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("impor survei")
        verbose_name_plural = _("impor survei")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.original_name


class AggregationRun(models.Model):
    """One run of the aggregation into indicator values, and what it wrote."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Menunggu")
        DONE = "done", _("Selesai")
        FAILED = "failed", _("Gagal")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="aggregations")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # {"written": [...], "skipped": [...], "respondents": n}
    result = models.JSONField(default=dict, blank=True)
    failure = models.TextField(blank=True)

    class Meta:
        verbose_name = _("agregasi survei")
        verbose_name_plural = _("agregasi survei")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.survey} · {self.requested_at:%Y-%m-%d %H:%M}"
