"""Rakor and follow-up (DOMAIN.md §6): meetings with their agenda, invitations, attendance,
minutes and decisions; follow-up actions (tindak lanjut) with progress and evidence; and the
log of reminder emails that makes the daily job idempotent.
"""

from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from indicators.models import Indicator, Variable
from kotan.lib.scoping import CityScopedQuerySet
from kotan.models import Region, Stakeholder

if TYPE_CHECKING:
    pass


class MeetingQuerySet(CityScopedQuerySet["Meeting"]):
    city_lookup = "city"

    def took_place(self) -> MeetingQuerySet:
        return self.filter(status__in=[Meeting.Status.HELD, Meeting.Status.FINAL])

    def involving(self, stakeholder_id: int) -> MeetingQuerySet:
        """Meetings an organisation was invited to or signed in at."""
        invited = Meeting.invited.through.objects.filter(stakeholder_id=stakeholder_id)
        signed = Attendance.objects.filter(stakeholder_id=stakeholder_id)
        return self.filter(
            Q(pk__in=invited.values("meeting_id")) | Q(pk__in=signed.values("meeting_id"))
        )

    def for_officer(self, stakeholder_id: int) -> MeetingQuerySet:
        """A meeting and its minutes are for the organisations invited to it (or that
        signed in at it), BNN Kota staff and pimpinan (DOMAIN.md §5)."""
        return self.involving(stakeholder_id)


class Meeting(models.Model):
    """A coordination meeting. Status: planned → held → minutes final (locked until reopened
    with a reason)."""

    class Kind(models.TextChoices):
        RAKOR = "rakor", _("Rakor")
        KONSOLIDASI = "konsolidasi", _("Konsolidasi")
        SOSIALISASI = "sosialisasi", _("Sosialisasi")
        MONEV = "monev", _("Monev")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Direncanakan")
        HELD = "held", _("Terlaksana")
        FINAL = "final", _("Notulen final")

    city = models.ForeignKey(
        Region,
        verbose_name=_("kota"),
        on_delete=models.PROTECT,
        related_name="meetings",
        limit_choices_to={"level": Region.Level.KOTA},
    )
    kind = models.CharField(_("jenis"), max_length=12, choices=Kind.choices, default=Kind.RAKOR)
    title = models.CharField(_("judul"), max_length=200)
    starts_at = models.DateTimeField(_("mulai"))
    ends_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    venue = models.CharField(_("tempat"), max_length=200, blank=True)
    organiser = models.ForeignKey(
        Stakeholder,
        verbose_name=_("penyelenggara"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organised_meetings",
    )
    chair = models.CharField(_("pimpinan rapat"), max_length=200, blank=True)
    invited = models.ManyToManyField(
        Stakeholder, verbose_name=_("undangan"), blank=True, related_name="invitations"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PLANNED
    )
    minutes = models.TextField(_("notulen"), blank=True)
    minutes_final_at = models.DateTimeField(null=True, blank=True)
    # Stable identifier for the .ics file, so a calendar updates its entry instead of adding one.
    ical_uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    # Optimistic locking: covers the meeting, its attendance, minutes and decisions.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("rapat")
        verbose_name_plural = _("rapat")
        ordering = ["-starts_at", "-id"]
        indexes = [
            # Serves the meeting list of a city, newest first.
            models.Index(fields=["city", "-starts_at"], name="meeting_city_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=models.F("starts_at")),
                name="meeting_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{self.get_kind_display()} {local:%d-%m-%Y}: {self.title}"

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.FINAL


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    order = models.PositiveSmallIntegerField(_("urutan"))
    title = models.CharField(_("acara"), max_length=300)

    class Meta:
        verbose_name = _("acara rapat")
        verbose_name_plural = _("acara rapat")
        ordering = ["meeting", "order"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "order"], name="agenda_order_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class Attendance(models.Model):
    """One person at a meeting, for an organisation: present or absent."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    stakeholder = models.ForeignKey(
        Stakeholder,
        verbose_name=_("instansi"),
        on_delete=models.PROTECT,
        related_name="attendances",
    )
    name = models.CharField(_("nama"), max_length=120)
    position = models.CharField(_("jabatan"), max_length=120, blank=True)
    present = models.BooleanField(_("hadir"), default=True)

    class Meta:
        verbose_name = _("kehadiran")
        verbose_name_plural = _("kehadiran")
        ordering = ["meeting", "stakeholder__name", "name"]
        indexes = [
            # Serves a stakeholder's attendance rate over a year.
            models.Index(fields=["stakeholder", "meeting"], name="attendance_stakeholder"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.stakeholder})"


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    order = models.PositiveSmallIntegerField(_("urutan"))
    text = models.TextField(_("keputusan"))

    class Meta:
        verbose_name = _("keputusan")
        verbose_name_plural = _("keputusan")
        ordering = ["meeting", "order"]

    def __str__(self) -> str:
        return f"{self.order}. {self.text[:80]}"


class ActionQuerySet(CityScopedQuerySet["Action"]):
    city_lookup = "city"

    def for_officer(self, stakeholder_id: int) -> ActionQuerySet:
        """An officer sees their own organisation's actions only."""
        return self.of_stakeholder(stakeholder_id)

    def of_stakeholder(self, stakeholder_id: int) -> ActionQuerySet:
        return self.filter(owner_id=stakeholder_id)

    def open(self) -> ActionQuerySet:
        return self.filter(status__in=Action.OPEN_STATUSES)

    def overdue(self, today: datetime.date) -> ActionQuerySet:
        return self.open().filter(due_on__lt=today)

    def due_within(self, today: datetime.date, days: int) -> ActionQuerySet:
        return self.open().filter(
            due_on__gte=today, due_on__lte=today + datetime.timedelta(days=days)
        )


class Action(models.Model):
    """A follow-up action (tindak lanjut): from a meeting's decision, or from an organisation's
    yearly action plan (rencana aksi) with no meeting."""

    class Source(models.TextChoices):
        DECISION = "decision", _("Keputusan rapat")
        PLAN = "plan", _("Rencana aksi instansi")

    class Category(models.TextChoices):
        PENGORGANISASIAN = "pengorganisasian", _("Pengorganisasian")
        KOMPETENSI_SDM = "kompetensi_sdm", _("Kompetensi SDM")
        TATA_LAKSANA = "tata_laksana", _("Tata laksana")

    class Status(models.TextChoices):
        NOT_STARTED = "belum_mulai", _("Belum mulai")
        IN_PROGRESS = "berjalan", _("Berjalan")
        DONE = "selesai", _("Selesai")
        CANCELLED = "dibatalkan", _("Dibatalkan")

    OPEN_STATUSES = (Status.NOT_STARTED, Status.IN_PROGRESS)

    city = models.ForeignKey(
        Region,
        verbose_name=_("kota"),
        on_delete=models.PROTECT,
        related_name="actions",
        limit_choices_to={"level": Region.Level.KOTA},
    )
    source = models.CharField(_("sumber"), max_length=10, choices=Source.choices)
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("rapat"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="actions",
    )
    decision = models.ForeignKey(
        Decision,
        verbose_name=_("keputusan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="actions",
    )
    plan_year = models.PositiveSmallIntegerField(_("tahun rencana aksi"), null=True, blank=True)
    title = models.CharField(_("judul"), max_length=200)
    description = models.TextField(_("uraian"), blank=True)
    category = models.CharField(_("kategori"), max_length=20, choices=Category.choices)
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
    )
    owner = models.ForeignKey(
        Stakeholder,
        verbose_name=_("instansi penanggung jawab"),
        on_delete=models.PROTECT,
        related_name="actions",
    )
    due_on = models.DateField(_("tenggat"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED
    )
    progress = models.PositiveSmallIntegerField(
        _("kemajuan (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    closing_note = models.TextField(_("catatan penutupan"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("tindak lanjut")
        verbose_name_plural = _("tindak lanjut")
        ordering = ["due_on", "id"]
        indexes = [
            # Serves the city's action list and the daily reminder scan (open, by due date).
            models.Index(fields=["city", "status", "due_on"], name="action_city_status_due"),
            # Serves "Tindak lanjut instansi saya".
            models.Index(fields=["owner", "status", "due_on"], name="action_owner_status_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(source="decision", meeting__isnull=False))
                | Q(source="plan", meeting__isnull=True, plan_year__isnull=False),
                name="action_source_matches_origin",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="action_progress_max_100"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        """Derived, never stored: open and past its due date (WITA)."""
        return self.is_open and self.due_on < (today or timezone.localdate())


class ProgressUpdate(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    percent = models.PositiveSmallIntegerField(
        _("kemajuan (%)"), validators=[MaxValueValidator(100)]
    )
    text = models.TextField(_("uraian kemajuan"), blank=True)
    closes_action = models.BooleanField(default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("laporan kemajuan")
        verbose_name_plural = _("laporan kemajuan")
        ordering = ["action", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(percent__lte=100), name="progress_percent_max_100"),
        ]

    def __str__(self) -> str:
        return f"{self.action} · {self.percent}%"


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    # The stored name is random: the original name is kept in a field and only shown to users
    # allowed to download it, and nothing under MEDIA_ROOT is served directly.
    return f"meetings/evidence/{instance.update.action_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("berkas"), upload_to=evidence_upload_to, max_length=200)
    original_name = models.CharField(_("nama berkas"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bukti dukung")
        verbose_name_plural = _("bukti dukung")
        ordering = ["update", "id"]

    def __str__(self) -> str:
        return self.original_name


class ReminderLog(models.Model):
    """One reminder email sent to one user on one day (or week, for the digest). The unique
    constraint is what makes the reminder jobs safe to run twice."""

    class Kind(models.TextChoices):
        DAILY = "daily", _("Pengingat harian")
        DIGEST = "digest", _("Ringkasan mingguan")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    # The day the job ran for (the Monday of the week for a digest), in WITA.
    sent_on = models.DateField()
    email = models.EmailField()
    action_ids = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("catatan pengingat")
        verbose_name_plural = _("catatan pengingat")
        ordering = ["-sent_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "sent_on"], name="reminder_once_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sent_on} {self.kind} → {self.email}"
