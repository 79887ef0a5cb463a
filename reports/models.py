"""Policy briefs (PDF jobs and their download log) and the recommendation library.

A brief is a job record first: it is created when a user asks for it and a Celery worker
fills in the file. The file lives under MEDIA_ROOT and is served only through a
permission-checked view (reports.views.briefs.brief_download), never from a public URL.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from indicators.models import (
    AssessmentPeriod,
    CategoryBand,
    Indicator,
    MethodologyEdition,
    Variable,
)
from kotan.lib.scoping import CityScopedQuerySet
from kotan.models import Region, Stakeholder
from meetings.models import Meeting

if TYPE_CHECKING:
    pass


class RecommendationQuerySet(CityScopedQuerySet["Recommendation"]):
    city_lookup = "city"

    def for_officer(self, stakeholder_id: int) -> RecommendationQuerySet:
        """A stakeholder officer sees what is addressed to their organisation."""
        return self.filter(addressees=stakeholder_id)

    def active(self) -> RecommendationQuerySet:
        return self.filter(active=True)


class Recommendation(models.Model):
    """A recommendation of the city's library, tied to a variable (or one of its indicators)
    and to the categories in which it applies, addressed to organisations.

    The categories are CategoryBand rows, so a recommendation names bands of one or more
    editions explicitly: renaming a band or adding an edition never silently changes what
    it matches.
    """

    city = models.ForeignKey(
        Region,
        verbose_name=_("kota"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": Region.Level.KOTA},
    )
    variable = models.ForeignKey(
        Variable, verbose_name=_("variabel"), on_delete=models.PROTECT, related_name="+"
    )
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indikator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Kosongkan bila rekomendasi berlaku untuk variabel secara umum."),
    )
    bands = models.ManyToManyField(
        CategoryBand,
        verbose_name=_("berlaku pada kategori"),
        related_name="recommendations",
    )
    title = models.CharField(_("rekomendasi"), max_length=200)
    body = models.TextField(_("uraian"), blank=True)
    legal_basis = models.CharField(_("dasar hukum"), max_length=200, blank=True)
    addressees = models.ManyToManyField(
        Stakeholder, verbose_name=_("ditujukan kepada"), related_name="recommendations"
    )
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)
    active = models.BooleanField(_("aktif"), default=True)
    # Optimistic locking: two operators editing the same recommendation never overwrite
    # each other silently (the second save is refused).
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RecommendationQuerySet.as_manager()

    class Meta:
        verbose_name = _("rekomendasi")
        verbose_name_plural = _("rekomendasi")
        ordering = ["variable__order", "order", "id"]
        indexes = [
            # Serves the brief's selector: a city's active recommendations by variable.
            models.Index(fields=["city", "active", "variable"], name="rec_city_active_variable"),
        ]

    def __str__(self) -> str:
        return self.title


class BriefQuerySet(CityScopedQuerySet["Brief"]):
    """Briefs the user may see and download: every brief of the city for the city's staff
    and pimpinan; for a stakeholder officer the briefs addressed to their organisation, the
    city summary and the minutes of meetings their organisation took part in."""

    city_lookup = "city"

    def for_officer(self, stakeholder_id: int) -> BriefQuerySet:
        return self.filter(
            Q(kind=Brief.Kind.CITY_SUMMARY)
            | Q(kind=Brief.Kind.STAKEHOLDER, stakeholder_id=stakeholder_id)
            | Q(kind=Brief.Kind.MINUTES, meeting__in=Meeting.objects.involving(stakeholder_id))
        )

    def in_period(self, period: AssessmentPeriod) -> BriefQuerySet:
        return self.filter(period=period)


def brief_upload_to(instance: Brief, filename: str) -> str:
    return f"briefs/{instance.city_id}/{instance.period_id}/{filename}"


class Brief(models.Model):
    """One PDF policy brief: the job (queued → rendering → done | failed) and its file."""

    class Kind(models.TextChoices):
        CITY_SUMMARY = "city_summary", _("Ringkasan kota untuk pimpinan")
        STAKEHOLDER = "stakeholder", _("Ringkasan untuk pemangku kepentingan")
        MINUTES = "minutes", _("Notulen rapat")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Dalam antrean")
        RENDERING = "rendering", _("Sedang dibuat")
        DONE = "done", _("Selesai")
        FAILED = "failed", _("Gagal")

    city = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    period = models.ForeignKey(
        AssessmentPeriod, verbose_name=_("periode"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("jenis"), max_length=14, choices=Kind.choices)
    stakeholder = models.ForeignKey(
        Stakeholder,
        verbose_name=_("pemangku kepentingan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="briefs",
    )
    # The meeting of a minutes brief (reports → meetings is the allowed direction).
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("rapat"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    edition = models.ForeignKey(
        MethodologyEdition, verbose_name=_("edisi"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    failure_reason = models.TextField(_("alasan gagal"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("diminta oleh"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("diminta pada"))
    # Empty while the task has not reached the broker (e.g. Redis was down): the sweeper
    # (reports.tasks.briefs_sweep_task) dispatches such briefs later.
    dispatched_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # The lease of the worker rendering the brief: refreshed every BRIEF_HEARTBEAT_SECONDS
    # while it works. A `rendering` brief whose lease is older than BRIEF_LEASE_SECONDS lost
    # its worker; the sweeper gives it to another one (reports.services.briefs).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("selesai pada"), null=True, blank=True)
    # Changes at every claim by a worker; only the holder of the current token may store
    # its result, so a duplicate delivery can never overwrite a newer rendering.
    render_token = models.CharField(max_length=32, blank=True)
    file = models.FileField(_("berkas"), upload_to=brief_upload_to, blank=True)
    size = models.PositiveIntegerField(_("ukuran (bita)"), null=True, blank=True)
    pages = models.PositiveSmallIntegerField(_("halaman"), null=True, blank=True)
    sha256 = models.CharField(_("checksum SHA-256"), max_length=64, blank=True)
    # Supplied by the content builder: a digest of the data and layout the brief shows.
    fingerprint = models.CharField(_("sidik jari data"), max_length=64, blank=True)

    objects = BriefQuerySet.as_manager()

    class Meta:
        verbose_name = _("ringkasan kebijakan")
        verbose_name_plural = _("ringkasan kebijakan")
        ordering = ["-requested_at", "-id"]
        indexes = [
            # Serves the list of briefs per period.
            models.Index(fields=["city", "period", "-requested_at"], name="brief_city_period"),
            # Serves reuse: a done brief of the same kind, unit, edition and data.
            models.Index(
                fields=["period", "kind", "edition", "fingerprint"], name="brief_reuse_lookup"
            ),
            # Serves the sweeper: queued or rendering briefs.
            models.Index(
                fields=["status", "dispatched_at"],
                name="brief_pending",
                condition=Q(status__in=["queued", "rendering"]),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="stakeholder", stakeholder__isnull=False)
                | (~Q(kind="stakeholder") & Q(stakeholder__isnull=True)),
                name="brief_stakeholder_iff_stakeholder_kind",
            ),
            models.CheckConstraint(
                condition=Q(kind="minutes", meeting__isnull=False)
                | (~Q(kind="minutes") & Q(meeting__isnull=True)),
                name="brief_meeting_iff_minutes_kind",
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | (Q(sha256__regex=r"^[0-9a-f]{64}$") & ~Q(file="")),
                name="brief_done_has_file",
            ),
        ]

    def __str__(self) -> str:
        unit = f" · {self.stakeholder}" if self.stakeholder_id else ""
        return f"{self.get_kind_display()}{unit} · {self.period.year}"

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RENDERING)

    def lease_expired(self, now: datetime | None = None) -> bool:
        """True when the brief is `rendering` but its worker stopped refreshing the lease
        (it died, or lost the database): another worker may take it over."""
        if self.status != self.Status.RENDERING:
            return False
        last = self.heartbeat_at or self.started_at
        now = now or timezone.now()
        return last is None or last < now - timedelta(seconds=settings.BRIEF_LEASE_SECONDS)

    @property
    def is_stuck(self) -> bool:
        """Rendering without a live worker: the user may ask again at once."""
        return self.lease_expired()

    @property
    def download_name(self) -> str:
        """Indonesian and readable: ringkasan-kebijakan-kota-kupang-2025.pdf,
        ringkasan-kebijakan-kesbangpol-kota-kupang-2025.pdf,
        notula-rapat-12-kota-kupang-2025.pdf."""
        city = slugify(self.period.city.name)
        if self.kind == self.Kind.MINUTES:
            return f"notula-rapat-{self.meeting_id}-{city}-{self.period.year}.pdf"
        if self.kind == self.Kind.STAKEHOLDER and self.stakeholder is not None:
            unit = slugify(self.stakeholder.short_name or self.stakeholder.code)
            return f"ringkasan-kebijakan-{unit}-{city}-{self.period.year}.pdf"
        return f"ringkasan-kebijakan-{city}-{self.period.year}.pdf"


class BriefDownload(models.Model):
    """One download of a brief: who and when (the issue asks for every download logged)."""

    brief = models.ForeignKey(Brief, on_delete=models.CASCADE, related_name="downloads")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    downloaded_at = models.DateTimeField(_("diunduh pada"), auto_now_add=True)

    class Meta:
        verbose_name = _("unduhan ringkasan")
        verbose_name_plural = _("unduhan ringkasan")
        ordering = ["-downloaded_at"]

    def __str__(self) -> str:
        return f"{self.brief_id} · {self.user_id} · {self.downloaded_at:%Y-%m-%d %H:%M}"
