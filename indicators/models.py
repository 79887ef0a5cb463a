"""How KOTAN is measured (editions, variables, indicators) and the data entered for it
(periods, submissions, values). DOMAIN.md §3–5.

The framework is data: weights, bands and the catalogue are rows an administrator edits,
never constants in code.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kotan.lib.scoping import CityScopedQuerySet
from kotan.models import Region, Stakeholder

if TYPE_CHECKING:
    pass


class MethodologyEditionQuerySet(models.QuerySet["MethodologyEdition"]):
    def default(self) -> MethodologyEdition | None:
        return self.filter(is_default=True).first()


class MethodologyEdition(models.Model):
    """A versioned scoring method: its scale, the five variable weights and category bands."""

    name = models.CharField(_("nama"), max_length=80, unique=True)
    description = models.TextField(_("keterangan"), blank=True)
    scale_min = models.DecimalField(
        _("skala minimum"), max_digits=7, decimal_places=3, default=Decimal(0)
    )
    scale_max = models.DecimalField(
        _("skala maksimum"), max_digits=7, decimal_places=3, default=Decimal(100)
    )
    is_default = models.BooleanField(_("edisi bawaan"), default=False)
    # §3.9: below this data completeness (percent) the headline reads "data belum lengkap"
    # instead of presenting the number as the city's readiness.
    min_completeness = models.DecimalField(
        _("kelengkapan data minimum (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(80),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MethodologyEditionQuerySet.as_manager()

    class Meta:
        verbose_name = _("edisi metodologi")
        verbose_name_plural = _("edisi metodologi")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scale_max__gt=models.F("scale_min")), name="edition_scale_ordered"
            ),
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="edition_one_default"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Variable(models.Model):
    """One of the five KOTAN variables (KK, KM, KW, KL, HK)."""

    code = models.CharField(_("kode"), max_length=4, unique=True)
    name = models.CharField(_("nama"), max_length=80)
    description = models.TextField(_("cakupan"), blank=True)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        verbose_name = _("variabel")
        verbose_name_plural = _("variabel")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class VariableWeight(models.Model):
    edition = models.ForeignKey(
        MethodologyEdition, on_delete=models.CASCADE, related_name="weights"
    )
    variable = models.ForeignKey(Variable, on_delete=models.PROTECT, related_name="+")
    weight = models.DecimalField(
        _("bobot"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )

    class Meta:
        verbose_name = _("bobot variabel")
        verbose_name_plural = _("bobot variabel")
        ordering = ["edition", "variable__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "variable"], name="weight_once_per_variable"
            ),
            models.CheckConstraint(condition=Q(weight__gt=0), name="weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.variable.code} {self.weight}"


class CategoryBand(models.Model):
    """A readiness category on the edition's scale. Each band includes its upper bound; the
    lowest band also its lower bound (DOMAIN.md §3 step 5)."""

    edition = models.ForeignKey(MethodologyEdition, on_delete=models.CASCADE, related_name="bands")
    order = models.PositiveSmallIntegerField(_("urutan"))
    name = models.CharField(_("kategori"), max_length=40)
    lower = models.DecimalField(_("batas bawah"), max_digits=7, decimal_places=3)
    upper = models.DecimalField(_("batas atas"), max_digits=7, decimal_places=3)

    class Meta:
        verbose_name = _("kategori")
        verbose_name_plural = _("kategori")
        ordering = ["edition", "order"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "order"], name="band_order_unique"),
            models.CheckConstraint(
                condition=Q(upper__gte=models.F("lower")), name="band_bounds_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.lower}–{self.upper})"


class IndicatorQuerySet(models.QuerySet["Indicator"]):
    def active(self) -> IndicatorQuerySet:
        return self.filter(active=True)

    def at_level(self, level: str) -> IndicatorQuerySet:
        return self.filter(level=level)


class Indicator(models.Model):
    """What is measured. `worst` and `best` map a value to a 0–100 score; best < worst means
    lower is better."""

    class Kind(models.TextChoices):
        YES_NO = "yesno", _("Ya/tidak")
        PERCENT = "percent", _("Persentase")
        COUNT = "count", _("Jumlah terhadap target")
        SCALE = "scale", _("Skala (rata-rata)")

    class Level(models.TextChoices):
        KOTA = "kota", _("Kota")
        KELURAHAN = "kelurahan", _("Kelurahan")
        STAKEHOLDER = "stakeholder", _("Pemangku kepentingan")

    code = models.CharField(_("kode"), max_length=10, unique=True)
    variable = models.ForeignKey(
        Variable, verbose_name=_("variabel"), on_delete=models.PROTECT, related_name="indicators"
    )
    name = models.CharField(_("nama"), max_length=200)
    help_text = models.TextField(_("petunjuk pengisian"), blank=True)
    kind = models.CharField(_("tipe"), max_length=10, choices=Kind.choices)
    unit = models.CharField(_("satuan"), max_length=30, blank=True)
    worst = models.DecimalField(_("nilai terburuk"), max_digits=10, decimal_places=3)
    best = models.DecimalField(_("nilai terbaik"), max_digits=10, decimal_places=3)
    level = models.CharField(_("tingkat"), max_length=12, choices=Level.choices)
    weight = models.DecimalField(
        _("bobot dalam variabel"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    responsible = models.ManyToManyField(
        Stakeholder, verbose_name=_("penanggung jawab"), blank=True, related_name="indicators"
    )
    provider_note = models.CharField(_("penyedia data biasanya"), max_length=120, blank=True)
    evidence_required = models.BooleanField(_("wajib bukti dukung"), default=False)
    # E.g. "SK Tim Terpadu": a "Tidak" answer has no document to show.
    evidence_when_positive = models.BooleanField(
        _("bukti hanya wajib bila jawabannya Ya / di atas 0"), default=False
    )
    # Validation rules (as in DHIS2): a value outside them is flagged to the verifier as a
    # warning to look at, never refused: an unusual value can be true.
    warn_min = models.DecimalField(
        _("batas wajar minimum"), max_digits=12, decimal_places=3, null=True, blank=True
    )
    warn_max = models.DecimalField(
        _("batas wajar maksimum"), max_digits=12, decimal_places=3, null=True, blank=True
    )
    warn_max_change = models.DecimalField(
        _("perubahan wajar maksimum dari periode lalu"),
        max_digits=12,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("Selisih mutlak; kosongkan bila tidak diperiksa."),
    )
    active = models.BooleanField(_("aktif"), default=True)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("indikator")
        verbose_name_plural = _("indikator")
        ordering = ["variable__order", "order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(worst=models.F("best")), name="indicator_worst_differs_from_best"
            ),
            models.CheckConstraint(condition=Q(weight__gt=0), name="indicator_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    @property
    def lower_is_better(self) -> bool:
        return self.best < self.worst

    @property
    def unit_suffix(self) -> str:
        """The unit to print after the name, unless the name already ends with it ("(%)")."""
        if not self.unit or f"({self.unit})" in self.name:
            return ""
        return self.unit

    def needs_evidence(self, value: Decimal | None) -> bool:
        """Whether a value needs evidence before the unit can be submitted."""
        if not self.evidence_required:
            return False
        if self.evidence_when_positive:
            return value is not None and value > 0
        return True

    @property
    def evidence_rule(self) -> str:
        """The evidence requirement in words, shown beside the input before submitting."""
        if not self.evidence_required:
            return ""
        if not self.evidence_when_positive:
            return str(_("Wajib bukti dukung"))
        if self.kind == self.Kind.YES_NO:
            return str(_("Wajib bukti dukung bila jawabannya Ya"))
        return str(_("Wajib bukti dukung bila nilainya di atas 0"))

    @property
    def value_min(self) -> Decimal:
        return min(self.worst, self.best)

    @property
    def value_max(self) -> Decimal:
        return max(self.worst, self.best)


class AssessmentPeriodQuerySet(CityScopedQuerySet["AssessmentPeriod"]):
    city_lookup = "city"


class AssessmentPeriod(models.Model):
    """A city's yearly assessment: the entry window and its status."""

    class Status(models.TextChoices):
        OPEN = "open", _("Terbuka")
        CLOSED = "closed", _("Ditutup")
        LOCKED = "locked", _("Dikunci")

    city = models.ForeignKey(
        Region,
        verbose_name=_("kota"),
        on_delete=models.PROTECT,
        related_name="periods",
        limit_choices_to={"level": Region.Level.KOTA},
    )
    year = models.PositiveSmallIntegerField(_("tahun"))
    opens_on = models.DateField(_("pengisian dibuka"))
    closes_on = models.DateField(_("pengisian ditutup"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )

    objects = AssessmentPeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("periode penilaian")
        verbose_name_plural = _("periode penilaian")
        ordering = ["city", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["city", "year"], name="period_year_unique_per_city"),
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="period_window_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.city.name} {self.year}"


class SubmissionQuerySet(CityScopedQuerySet["Submission"]):
    city_lookup = "period__city"

    def for_officer(self, stakeholder_id: int) -> SubmissionQuerySet:
        """The city's and the kelurahan's units, and their own organisation's; never
        another organisation's."""
        return self.filter(Q(stakeholder__isnull=True) | Q(stakeholder_id=stakeholder_id))


class Submission(models.Model):
    """The data of one unit (the city, a kelurahan or a stakeholder) for one period: the unit
    that is saved, submitted, approved, returned and reopened as a whole."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        SUBMITTED = "submitted", _("Diajukan")
        RETURNED = "returned", _("Dikembalikan")
        APPROVED = "approved", _("Disetujui")

    period = models.ForeignKey(
        AssessmentPeriod, on_delete=models.PROTECT, related_name="submissions"
    )
    level = models.CharField(_("tingkat"), max_length=12, choices=Indicator.Level.choices)
    # The city (level kota) or a kelurahan; empty for a stakeholder's submission.
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    stakeholder = models.ForeignKey(
        Stakeholder, null=True, blank=True, on_delete=models.PROTECT, related_name="submissions"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # Optimistic locking: every save increments it; a save that read an older version is refused.
    version = models.PositiveIntegerField(default=1)
    return_reason = models.TextField(_("alasan dikembalikan"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("pengajuan data")
        verbose_name_plural = _("pengajuan data")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "level", "region"],
                condition=Q(stakeholder__isnull=True),
                name="submission_unique_per_region",
            ),
            models.UniqueConstraint(
                fields=["period", "stakeholder"],
                condition=Q(stakeholder__isnull=False),
                name="submission_unique_per_stakeholder",
            ),
            models.CheckConstraint(
                condition=(Q(level="stakeholder", stakeholder__isnull=False, region__isnull=True))
                | (~Q(level="stakeholder") & Q(stakeholder__isnull=True, region__isnull=False)),
                name="submission_unit_matches_level",
            ),
        ]

    def __str__(self) -> str:
        unit = self.stakeholder if self.stakeholder_id else self.region
        return f"{self.period} · {unit}"

    def get_absolute_url(self) -> str:
        """The entry page of the submission's unit."""
        if self.level == Indicator.Level.STAKEHOLDER:
            return reverse(
                "indicators:entry-stakeholder",
                kwargs={"pk": self.period_id, "stakeholder": self.stakeholder_id},
            )
        if self.level == Indicator.Level.KOTA:
            return reverse("indicators:entry-city", kwargs={"pk": self.period_id})
        assert self.region is not None
        return reverse(
            "indicators:entry-kelurahan", kwargs={"pk": self.period_id, "code": self.region.code}
        )

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.APPROVED


class IndicatorValueQuerySet(CityScopedQuerySet["IndicatorValue"]):
    city_lookup = "submission__period__city"

    def for_officer(self, stakeholder_id: int) -> IndicatorValueQuerySet:
        """An officer sees their organisation's own values, and in the city's and the
        kelurahan's units the values of indicators assigned to it; never another
        organisation's values, even of an indicator both answer for."""
        assigned = Indicator.objects.filter(responsible=stakeholder_id).values("pk")
        return self.filter(
            Q(submission__stakeholder_id=stakeholder_id)
            | Q(submission__stakeholder__isnull=True, indicator__in=assigned)
        )

    def approved(self) -> IndicatorValueQuerySet:
        return self.filter(submission__status=Submission.Status.APPROVED, value__isnull=False)

    def in_period(self, period: AssessmentPeriod) -> IndicatorValueQuerySet:
        return self.filter(submission__period=period)


def evidence_upload_to(instance: IndicatorValue, filename: str) -> str:
    return f"evidence/{instance.submission.period_id}/{instance.submission_id}/{filename}"


class IndicatorValue(models.Model):
    """One indicator's value for one unit in one period."""

    # No single-column indexes: the unique (submission, indicator) constraint serves lookups
    # by submission, and value_indicator_submission those by indicator (issue 13: each index
    # costs the bulk import and the recompute's writes).
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="values", db_index=False
    )
    # The indicator and who entered the value are checked once per statement, not per row
    # (db_constraint=False; triggers of migration 0008): a 10,000-row import writes 90,000
    # values, and PostgreSQL's foreign keys checked each one at commit, 0.7 s of a 5 s import.
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        related_name="values",
        db_index=False,
        db_constraint=False,
    )
    value = models.DecimalField(_("nilai"), max_digits=12, decimal_places=3, null=True, blank=True)
    comment = models.TextField(_("catatan"), blank=True)
    evidence = models.FileField(_("bukti dukung"), upload_to=evidence_upload_to, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = IndicatorValueQuerySet.as_manager()

    class Meta:
        verbose_name = _("nilai indikator")
        verbose_name_plural = _("nilai indikator")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "indicator"], name="value_once_per_submission"
            ),
        ]
        indexes = [
            # Serves scoring: all values of one indicator across a period's submissions.
            models.Index(fields=["indicator", "submission"], name="value_indicator_submission"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} = {self.value}"


class ValueTally(models.Model):
    """What a period's approved values of one indicator add up to, kept current by the
    database as the values change (PostgreSQL triggers, migration 0009), so that a national
    recompute reads 50,000 sums instead of a million values (issue 13).

    A row is a change, not a total: each statement that writes values, approves or reopens a
    submission adds a row of differences, so concurrent approvals in one period only insert
    and never wait on each other. A key's total is the sum of its rows; the recompute folds
    them into one (`recompute.tallies_fold`). A change of an indicator's range or level
    rebuilds that indicator's rows. SQLite (a laptop trial) keeps none: it scores in Python.
    """

    # No foreign keys: a deleted period or indicator leaves rows that add up to nothing (its
    # values went first) and that nothing reads.
    period_id = models.BigIntegerField()
    indicator_id = models.BigIntegerField()
    # Whether the values are at the indicator's level (the only ones that score, §3.1);
    # the others still count towards the fingerprint.
    at_level = models.BooleanField()
    value_count = models.BigIntegerField()
    # Σ of a 64-bit hash per value (its indicator, unit and number): the fingerprint.
    hashes = models.DecimalField(max_digits=40, decimal_places=0)
    # Σ (v − worst) with v clamped into the indicator's range.
    distance = models.DecimalField(max_digits=30, decimal_places=3)

    class Meta:
        indexes = [models.Index(fields=["period_id"], name="tally_period")]

    def __str__(self) -> str:
        return f"{self.period_id} · {self.indicator_id}: {self.value_count}"


def pending_upload_to(instance: PendingEvidence, filename: str) -> str:
    return f"evidence/pending/{instance.period_id}/{uuid.uuid4().hex}/{filename}"


class PendingEvidence(models.Model):
    """An evidence file chosen on a form that was not saved (another field was wrong): kept
    for its owner and unit so that the user need not choose it again. Used by the next save
    of the same unit and indicator, then deleted."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(AssessmentPeriod, on_delete=models.CASCADE, related_name="+")
    # "<level>:<region or stakeholder pk>": the unit of the form.
    unit = models.CharField(max_length=40)
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    file = models.FileField(_("bukti dukung"), upload_to=pending_upload_to)
    original_name = models.CharField(_("nama berkas"), max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bukti dukung tertunda")
        verbose_name_plural = _("bukti dukung tertunda")
        indexes = [
            # Serves the lookup of a user's pending files on one unit's form.
            models.Index(fields=["owner", "period", "unit"], name="pending_owner_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} · {self.original_name}"


class ImportBatchQuerySet(CityScopedQuerySet["ImportBatch"]):
    city_lookup = "period__city"


def import_upload_to(instance: ImportBatch, filename: str) -> str:
    # The operator's file name is kept in `original_name`; on disk only a safe, unique name.
    suffix = ".xlsx" if instance.file_format == ImportBatch.Format.XLSX else ".csv"
    return f"imports/{instance.period_id}/{uuid.uuid4().hex}{suffix}"


class ImportBatch(models.Model):
    """One uploaded spreadsheet: kept on disk between the preview and the operator's
    confirmation, checked and imported by background jobs (indicators.importing)."""

    class Format(models.TextChoices):
        XLSX = "xlsx", "XLSX"
        CSV = "csv", "CSV"

    class Status(models.TextChoices):
        QUEUED = "queued", _("Menunggu pemeriksaan")
        CHECKING = "checking", _("Sedang diperiksa")
        INVALID = "invalid", _("Ada kesalahan")
        READY = "ready", _("Siap diimpor")
        IMPORTING = "importing", _("Sedang diimpor")
        DONE = "done", _("Selesai diimpor")
        FAILED = "failed", _("Gagal diproses")
        CANCELLED = "cancelled", _("Dibatalkan")

    period = models.ForeignKey(
        AssessmentPeriod, on_delete=models.PROTECT, related_name="import_batches"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(_("berkas"), upload_to=import_upload_to)
    original_name = models.CharField(_("nama berkas"), max_length=255)
    file_format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    # {"rows", "new", "changed", "unchanged", "errors"}: filled by the check, then the import.
    counts = models.JSONField(_("jumlah"), default=dict, blank=True)
    # [{"sheet", "row", "column", "message"}], in file order.
    errors = models.JSONField(_("kesalahan"), default=list, blank=True)
    # Each data row's fate: [{"sheet", "row", "unit", "name", "new", "changed", "unchanged",
    # "errors"}], in file order.
    rows = models.JSONField(_("baris"), default=list, blank=True)
    failure = models.TextField(_("keterangan kegagalan"), blank=True)
    # The operator's explicit consent, given with the confirmation, that this import may
    # send submitted units back to draft. Without it such an import is refused.
    reopen_submitted = models.BooleanField(
        _("boleh mengembalikan data yang sudah diajukan menjadi draf"), default=False
    )
    created_at = models.DateTimeField(_("diunggah"), auto_now_add=True)
    checked_at = models.DateTimeField(_("diperiksa"), null=True, blank=True)
    imported_at = models.DateTimeField(_("diimpor"), null=True, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("impor data")
        verbose_name_plural = _("impor data")
        ordering = ["-created_at", "-id"]
        indexes = [
            # Serves the list of recent imports on a period's import page.
            models.Index(fields=["period", "-created_at"], name="import_period_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.period})"

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.CHECKING, self.Status.IMPORTING)


class PlainJSONField(models.JSONField):
    """A JSONField that bulk-inserts as plain VALUES. With any field lacking
    `get_placeholder`, Django 5.2 bulk-inserts on PostgreSQL through UNNEST(arrays), and
    psycopg escapes large JSON documents inside arrays in pure Python: a national recompute
    spent 30 times longer quoting snapshots than computing them."""

    def get_placeholder(self, value: object, compiler: object, connection: object) -> str:
        return "%s"


class ScoreSnapshotQuerySet(CityScopedQuerySet["ScoreSnapshot"]):
    city_lookup = "region"


class ScoreSnapshot(models.Model):
    """The scores of one city in one period under one edition, as computed from the approved
    values whose fingerprint is `fingerprint` (DOMAIN.md §3).

    The city's numbers are columns; the explanation (variables, indicator contributions,
    gaps), the territorial view of every kecamatan and kelurahan and the completeness per
    stakeholder sit in `detail`, so that a dashboard reads one row and a recompute writes one
    row per period and edition. A nightly or national recompute writes the headline only
    (`detail.HeadlineDetail`); `recompute.snapshot_explained` fills in the rest when the
    snapshot is first opened. Written only by indicators.scoring.recompute.
    """

    period = models.ForeignKey(
        AssessmentPeriod, on_delete=models.CASCADE, related_name="score_snapshots"
    )
    edition = models.ForeignKey(
        MethodologyEdition, on_delete=models.CASCADE, related_name="score_snapshots"
    )
    # The period's city, denormalised so that scoping to a user is one equality.
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="score_snapshots")
    computed_at = models.DateTimeField(_("dihitung pada"))
    fingerprint = models.CharField(_("sidik jari data"), max_length=64)
    # sha256 of the edition's weights and bands and the active catalogue: with `fingerprint`
    # it decides whether a recompute changes anything.
    method_fingerprint = models.CharField(max_length=64, blank=True)
    value_count = models.PositiveIntegerField(_("jumlah nilai disetujui"), default=0)
    # IKOTAN on 0–100, unrounded to 4 places; empty while a variable lacks data.
    index = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    # IKOTAN on the edition's scale, rounded half-up to 2 places, and its band.
    scaled = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    band_order = models.PositiveSmallIntegerField(null=True, blank=True)
    band_name = models.CharField(max_length=40, blank=True)
    missing_variables = models.JSONField(default=list, blank=True)
    # §3.9: the city's data completeness in percent (0–100), rounded down to 2 places so it
    # never reaches a minimum it misses; and whether the period was locked when computed.
    completeness = models.DecimalField(
        _("kelengkapan data (%)"), max_digits=5, decimal_places=2, default=Decimal(0)
    )
    is_final = models.BooleanField(_("final"), default=False)
    detail = PlainJSONField(default=dict, blank=True)

    objects = ScoreSnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("potret skor")
        verbose_name_plural = _("potret skor")
        constraints = [
            models.UniqueConstraint(fields=["period", "edition"], name="snapshot_once_per_edition"),
        ]
        indexes = [
            # Serves the dashboard's trend: every period of a city under one edition.
            models.Index(fields=["region", "edition"], name="snapshot_city_edition"),
        ]

    def __str__(self) -> str:
        return f"{self.period} · {self.edition} · {self.scaled}"

    @property
    def is_complete(self) -> bool:
        return self.index is not None

    @property
    def is_provisional(self) -> bool:
        return not self.is_final

    def meets_minimum(self, minimum: Decimal) -> bool:
        """§3.9: whether the headline may present the number as the city's readiness."""
        return self.is_complete and self.completeness >= minimum


class ScoreRecomputeRequest(models.Model):
    """A period whose scores must be recomputed: written in the same transaction as the data
    change, deleted by the recompute that saw it. A request therefore survives a broker that
    is down; the nightly job picks up whatever is left."""

    period = models.OneToOneField(
        AssessmentPeriod, on_delete=models.CASCADE, related_name="recompute_request"
    )
    requested_at = models.DateTimeField(_("diminta pada"))
    # Bumped by every request, so that a recompute deletes only the request it has seen and
    # a request made while it ran stays pending.
    generation = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("permintaan hitung ulang")
        verbose_name_plural = _("permintaan hitung ulang")

    def __str__(self) -> str:
        return f"{self.period} ({self.requested_at:%Y-%m-%d %H:%M})"
