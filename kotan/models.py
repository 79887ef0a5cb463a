"""The core every app shares: the region tree, stakeholder organisations, users and the
audit trail.

Every query over city data goes through a city-scoped QuerySet (kotan.lib.scoping), because one
deployment serves many BNN Kota offices and nothing of another city may ever leak.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kotan.lib.scoping import CityScopedQuerySet

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


class RegionQuerySet(CityScopedQuerySet["Region"]):
    city_lookup = "city"

    def kecamatan(self) -> RegionQuerySet:
        return self.filter(level=Region.Level.KECAMATAN)

    def kelurahan(self) -> RegionQuerySet:
        return self.filter(level=Region.Level.KELURAHAN)


class Region(models.Model):
    """A node of the Kemendagri region tree: provinsi → kab/kota → kecamatan → kelurahan."""

    class Level(models.TextChoices):
        PROVINSI = "provinsi", _("Provinsi")
        KOTA = "kota", _("Kabupaten/Kota")
        KECAMATAN = "kecamatan", _("Kecamatan")
        KELURAHAN = "kelurahan", _("Kelurahan/Desa")

    code = models.CharField(_("kode Kemendagri"), max_length=20, unique=True)
    name = models.CharField(_("nama"), max_length=120)
    level = models.CharField(_("tingkat"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("induk"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # The kab/kota this region belongs to (itself for a kab/kota, empty for a provinsi):
    # denormalised so that scoping any query to a user's city is one indexed equality.
    city = models.ForeignKey(
        "self",
        verbose_name=_("kabupaten/kota"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    area_km2 = models.DecimalField(
        _("luas (km²)"), max_digits=10, decimal_places=2, null=True, blank=True
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("wilayah")
        verbose_name_plural = _("wilayah")
        ordering = ["code"]
        indexes = [
            # Serves "the kecamatan/kelurahan of this city" on every list and dashboard.
            models.Index(fields=["city", "level", "code"], name="region_city_level_code"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(level="provinsi") | Q(parent__isnull=False),
                name="region_parent_required_below_provinsi",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_city(self) -> bool:
        return self.level == self.Level.KOTA


class StakeholderQuerySet(CityScopedQuerySet["Stakeholder"]):
    city_lookup = "city"

    def active(self) -> StakeholderQuerySet:
        return self.filter(active=True)


class Stakeholder(models.Model):
    """An organisation with a part in KOTAN in one kab/kota (Pemkot, BNN Kota, Polres, OPD…)."""

    class Kind(models.TextChoices):
        PIMPINAN_DAERAH = "pimpinan_daerah", _("Pimpinan daerah")
        BNN = "bnn", _("BNN")
        VERTIKAL = "vertikal", _("Instansi vertikal")
        PERANGKAT_DAERAH = "perangkat_daerah", _("Perangkat daerah")
        MASYARAKAT = "masyarakat", _("Masyarakat, pendidikan dan swasta")

    city = models.ForeignKey(
        Region,
        verbose_name=_("kabupaten/kota"),
        on_delete=models.PROTECT,
        related_name="stakeholders",
        limit_choices_to={"level": Region.Level.KOTA},
    )
    code = models.SlugField(_("kode"), max_length=30)
    name = models.CharField(_("nama"), max_length=200)
    short_name = models.CharField(_("singkatan"), max_length=60)
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    notes = models.TextField(_("keterangan"), blank=True)
    active = models.BooleanField(_("aktif"), default=True)

    objects = StakeholderQuerySet.as_manager()

    class Meta:
        verbose_name = _("pemangku kepentingan")
        verbose_name_plural = _("pemangku kepentingan")
        ordering = ["city", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["city", "code"], name="stakeholder_code_unique_per_city"
            ),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name


class EmailMode(models.TextChoices):
    """How a user wants notifications by email (the in-app list always has them)."""

    IMMEDIATE = "immediate", _("Segera, satu email per pemberitahuan")
    DIGEST = "digest", _("Ringkasan harian")
    OFF = "off", _("Tidak usah dikirim email")


class User(AbstractUser):
    """A person using Kotan: holds one role (DOMAIN.md §5) and belongs to one kab/kota, but
    for Admin Pusat, the national methodology staff, who belong to none."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Admin")
        OPERATOR = "operator", _("Operator")
        VERIFIKATOR = "verifikator", _("Verifikator")
        PIMPINAN = "pimpinan", _("Pimpinan")
        PEMANGKU = "pemangku", _("Pemangku kepentingan")
        ADMIN_PUSAT = "admin_pusat", _("Admin Pusat")

    city = models.ForeignKey(
        Region,
        verbose_name=_("kabupaten/kota"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        limit_choices_to={"level": Region.Level.KOTA},
    )
    role = models.CharField(_("peran"), max_length=12, choices=Role.choices, default=Role.PIMPINAN)
    stakeholder = models.ForeignKey(
        Stakeholder,
        verbose_name=_("instansi"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="officers",
    )
    position = models.CharField(_("jabatan"), max_length=120, blank=True)
    email_notifications = models.CharField(
        _("notifikasi email"),
        max_length=10,
        choices=EmailMode.choices,
        default=EmailMode.IMMEDIATE,
    )
    # When the user last opened the home page: Pimpinan's "what changed since your last visit".
    last_home_visit = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")
        constraints = [
            models.CheckConstraint(
                condition=Q(role="pemangku", stakeholder__isnull=False) | ~Q(role="pemangku"),
                name="user_stakeholder_officer_has_organisation",
            ),
            models.CheckConstraint(
                condition=Q(role="admin_pusat", city__isnull=True) | ~Q(role="admin_pusat"),
                name="user_admin_pusat_is_national",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def has_role(self, *roles: str) -> bool:
        return self.is_active and self.role in roles


class AuditEntryQuerySet(CityScopedQuerySet["AuditEntry"]):
    city_lookup = "city"

    def national(self) -> AuditEntryQuerySet:
        """Changes to the national methodology (no city)."""
        return self.filter(city__isnull=True)

    def for_object(self, obj: models.Model) -> AuditEntryQuerySet:
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj), object_pk=str(obj.pk)
        )


class AuditEntry(models.Model):
    """One change to city data: who did what, when, and each field's old → new value.

    Written by services (kotan.services.audit_record), never by signals, so that bulk writes
    such as spreadsheet imports are recorded as well.
    """

    # Empty for a national change (the methodology, by Admin Pusat).
    city = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_pk = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    action = models.CharField(_("tindakan"), max_length=40)
    changes = models.JSONField(_("perubahan"), default=dict, blank=True)
    reason = models.TextField(_("alasan"), blank=True)
    created_at = models.DateTimeField(_("waktu"), auto_now_add=True, db_index=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("jejak audit")
        verbose_name_plural = _("jejak audit")
        ordering = ["-created_at", "-id"]
        indexes = [
            # Serves the history panel shown beside an object.
            models.Index(
                fields=["content_type", "object_pk", "-created_at"], name="audit_object_recent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def change_rows(self) -> list[tuple[str, Any, Any]]:
        return [(field, pair[0], pair[1]) for field, pair in sorted(self.changes.items())]


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_user(self, user: User | AnonymousUser) -> NotificationQuerySet:
        """A user's own notifications; nobody sees anyone else's."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(recipient_id=user.pk)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One event told to one user: shown in the app, and emailed as the user chose.

    Written by kotan.services.notifications_emit inside the transaction of the change it
    tells about, so a notification exists exactly when the change does; the email goes out
    afterwards (a task queued on commit, or the periodic sweep when the broker was down).
    """

    class Kind(models.TextChoices):
        SUBMISSION_RETURNED = "submission_returned", _("Data dikembalikan")
        SUBMISSION_APPROVED = "submission_approved", _("Data disetujui")
        SUBMISSION_REOPENED = "submission_reopened", _("Data dibuka kembali")
        ACTION_ASSIGNED = "action_assigned", _("Tindak lanjut baru")
        ACTION_DUE_SOON = "action_due_soon", _("Tindak lanjut segera jatuh tempo")
        ACTION_OVERDUE = "action_overdue", _("Tindak lanjut terlambat")
        BRIEF_READY = "brief_ready", _("Ringkasan kebijakan siap")
        IMPORT_DONE = "import_done", _("Impor selesai")
        IMPORT_FAILED = "import_failed", _("Impor gagal")
        SCORE_NEW = "score_new", _("Skor baru")

    class Email(models.TextChoices):
        PENDING = "pending", _("Menunggu dikirim")
        SENDING = "sending", _("Sedang dikirim")
        DIGEST = "digest", _("Menunggu ringkasan harian")
        SENT = "sent", _("Terkirim")
        SKIPPED = "skipped", _("Tidak dikirim")

    city = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # What happened, to what, and which occurrence: "submission.returned:12:v5". The same
    # event told twice (a retried task, a job run twice) is one row per recipient.
    event_key = models.CharField(max_length=120)
    kind = models.CharField(_("jenis"), max_length=24, choices=Kind.choices)
    title = models.CharField(_("judul"), max_length=200)
    body = models.TextField(_("isi"), blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("waktu"), auto_now_add=True)
    read_at = models.DateTimeField(_("dibaca"), null=True, blank=True)
    email_status = models.CharField(max_length=8, choices=Email.choices, default=Email.PENDING)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("pemberitahuan")
        verbose_name_plural = _("pemberitahuan")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_key", "recipient"], name="notification_once_per_event_recipient"
            ),
        ]
        indexes = [
            # Serves the navbar's unread count and the user's list, newest first.
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox"),
            # Serves the email sweep and the daily digest: rows still to be emailed.
            models.Index(
                fields=["email_status", "created_at"],
                condition=Q(email_status__in=["pending", "sending", "digest"]),
                name="notification_email_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}: {self.title}"

    @property
    def tone(self) -> str:
        """Bootstrap colour of the kind's badge: what needs action stands out."""
        urgent = {
            self.Kind.SUBMISSION_RETURNED: "warning",
            self.Kind.ACTION_OVERDUE: "danger",
            self.Kind.IMPORT_FAILED: "danger",
            self.Kind.ACTION_DUE_SOON: "warning",
        }
        return urgent.get(self.Kind(self.kind), "secondary")
