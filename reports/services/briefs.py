"""The brief job: request, dispatch, render, fail, retry, sweep, and the download log.

Delivery is at least once (acks_late, reject_on_worker_lost; kotan/settings.py), so every
step is idempotent: a re-delivered task for a done brief does nothing. Each claim gets a new
render token and only the holder of the current token may store a result, so a duplicate
delivery can never overwrite a newer rendering.

A worker rendering a brief holds a lease: a thread refreshes `heartbeat_at` every
BRIEF_HEARTBEAT_SECONDS. A worker that dies (SIGKILL, out of memory, a lost machine) stops
refreshing it; once it is older than BRIEF_LEASE_SECONDS the sweeper (beat, every
SWEEP_INTERVAL_SECONDS, and at every worker start) puts the brief back in the queue. So a
brief never stays `rendering` without a task working on it.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import connection, connections, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from indicators.models import AssessmentPeriod, MethodologyEdition
from kotan.models import Notification, Stakeholder, User
from kotan.notifications import notifications_emit
from kotan.permissions import require
from kotan.services import audit_record
from meetings.models import Meeting
from reports.briefs import BriefContent, BriefContentUnavailable, brief_content
from reports.models import Brief, BriefDownload
from reports.services.pdf import render_pdf_document

logger = logging.getLogger(__name__)

# Errors worth another try later: the database or the file system hiccuped. Anything else
# (a template error, missing data) fails the brief at once with its reason.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (OSError,)
try:  # psycopg's and Django's operational errors: a dropped connection, a failover
    from django.db import InterfaceError, OperationalError

    TRANSIENT_ERRORS = (*TRANSIENT_ERRORS, OperationalError, InterfaceError)
except ImportError:  # pragma: no cover
    pass


# A brief whose worker died this many times is failed instead of queued again: a brief
# that kills its worker (e.g. out of memory) must not take every worker down in turn. Above
# the number of claims a full retry sequence makes (reports.tasks).
BRIEF_MAX_ATTEMPTS = 12


class BriefRequestError(Exception):
    """A brief that cannot be requested; the message is for the user, in Indonesian."""


class BriefRenderInterrupted(Exception):
    """A transient error stopped a rendering. `token` is the claim the retry may resume:
    if the database was down, the brief is still `rendering` under it."""

    def __init__(self, *, token: str, error: Exception) -> None:
        super().__init__(f"{type(error).__name__}: {error}")
        self.token = token
        self.error = error


@dataclass(frozen=True)
class BriefRequestResult:
    brief: Brief
    # True when an existing brief (done with the same data, or still in the queue) answers
    # the request instead of a new one.
    reused: bool


def _unit_filter(kind: str, stakeholder: Stakeholder | None, meeting_id: int | None) -> Q:
    return Q(kind=kind, stakeholder=stakeholder, meeting_id=meeting_id)


def brief_request(
    *,
    user: User,
    period: AssessmentPeriod,
    kind: str,
    stakeholder: Stakeholder | None = None,
    meeting_id: int | None = None,
    edition: MethodologyEdition | None = None,
    regenerate: bool = False,
) -> BriefRequestResult:
    """Create a brief and enqueue its rendering once the transaction commits; answer at once.

    Reuses a done brief of the same kind, unit, edition and data fingerprint unless
    `regenerate`, and a brief of the same kind, unit and edition that is still queued or
    rendering. The fingerprint is computed here from the same builder the worker runs (a
    fixed handful of queries, no rendering).
    """
    if kind == Brief.Kind.STAKEHOLDER:
        require(user, "reports.request_stakeholder_brief", stakeholder)
    elif kind != Brief.Kind.MINUTES:
        require(user, "reports.request_brief")
    if period.city_id != user.city_id:
        raise BriefRequestError(_("Periode ini bukan milik kota Anda."))
    if kind == Brief.Kind.STAKEHOLDER and (
        stakeholder is None or stakeholder.city_id != user.city_id
    ):
        raise BriefRequestError(_("Pilih pemangku kepentingan kota Anda."))
    if kind != Brief.Kind.STAKEHOLDER:
        stakeholder = None
    if kind == Brief.Kind.MINUTES and (
        meeting_id is None
        or not Meeting.objects.filter(pk=meeting_id, city_id=period.city_id).exists()
    ):
        raise BriefRequestError(_("Pilih rapat kota Anda yang notulennya akan dibuat."))
    # Whoever may see the meeting may have its minutes.
    visible = Meeting.objects.for_user(user).filter(pk=meeting_id or 0)
    if kind == Brief.Kind.MINUTES and not visible.exists():
        raise PermissionDenied
    if kind != Brief.Kind.MINUTES:
        meeting_id = None
    edition = edition or MethodologyEdition.objects.default()
    if edition is None:
        raise BriefRequestError(_("Belum ada edisi metodologi bawaan."))
    same_unit = Brief.objects.filter(period=period, edition=edition).filter(
        _unit_filter(kind, stakeholder, meeting_id)
    )
    with transaction.atomic():
        pending = (
            same_unit.filter(status__in=[Brief.Status.QUEUED, Brief.Status.RENDERING])
            .select_for_update(of=("self",))
            .first()
        )
        if pending is not None and _restartable(pending):
            # Asking again for a brief whose worker died starts it again at once instead
            # of showing the stuck one.
            _requeue(pending, user=user, action="brief.restarted")
            return BriefRequestResult(brief=pending, reused=False)
        if pending is not None:
            return BriefRequestResult(brief=pending, reused=True)
        if not regenerate:
            content = brief_content(
                kind=kind,
                period=period,
                edition=edition,
                stakeholder_obj=stakeholder,
                meeting_id=meeting_id,
            )
            done = same_unit.filter(
                status=Brief.Status.DONE, fingerprint=content.fingerprint
            ).first()
            if done is not None:
                return BriefRequestResult(brief=done, reused=True)
        brief = Brief.objects.create(
            city_id=period.city_id,
            period=period,
            kind=kind,
            stakeholder=stakeholder,
            meeting_id=meeting_id,
            edition=edition,
            requested_by=user,
            requested_at=timezone.now(),
        )
        audit_record(
            actor=user,
            city=period.city,
            obj=brief,
            action="brief.requested",
            changes={"status": [None, brief.status]},
            reason=_("dibuat ulang") if regenerate else "",
        )
        transaction.on_commit(lambda: brief_dispatch(brief_id=brief.pk))
    return BriefRequestResult(brief=brief, reused=False)


def brief_dispatch(*, brief_id: int) -> bool:
    """Send the render task to the broker; True on success.

    When the broker is unreachable the brief stays `queued` with `dispatched_at` empty and
    the sweeper sends it later: the user's request never fails because Redis is down.
    """
    from reports.tasks import brief_render_task

    try:
        # A connection made from the settings at call time, with a short retry policy, so a
        # down broker costs the request well under a second.
        with brief_render_task.app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            brief_render_task.apply_async(  # type: ignore[call-arg]  # stubs lack `connection`
                args=(brief_id,),
                connection=conn,
                retry=True,
                retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.2},
            )
    except Exception:
        # kombu raises OperationalError, redis its ConnectionError, sockets OSError: any of
        # them means "not sent", and the sweeper will try again.
        logger.warning("brief %s: broker unreachable, left queued for the sweeper", brief_id)
        return False
    Brief.objects.filter(pk=brief_id, status=Brief.Status.QUEUED).update(
        dispatched_at=timezone.now()
    )
    return True


def _restartable(brief: Brief) -> bool:
    """A brief nobody works on although it is `rendering`: its worker's lease expired.
    (A queued brief whose message never reached the broker is sent by the sweeper.)"""
    return brief.lease_expired()


def _requeue(locked: Brief, *, user: User | None, action: str, dispatch: bool = True) -> None:
    """Back to `queued` (the old claim's token is dropped, so a worker that is only slow can
    no longer store its result) and, with `dispatch`, sent when the transaction commits.
    `locked` is a row held with select_for_update."""
    before = locked.status
    locked.status = Brief.Status.QUEUED
    locked.render_token = ""
    locked.heartbeat_at = None
    locked.dispatched_at = None
    locked.finished_at = None
    fields = ["status", "render_token", "heartbeat_at", "dispatched_at", "finished_at"]
    if user is not None:
        locked.requested_by = user
        locked.requested_at = timezone.now()
        fields += ["requested_by", "requested_at"]
    locked.save(update_fields=fields)
    audit_record(
        actor=user,
        city=locked.period.city,
        obj=locked,
        action=action,
        changes={"status": [before, Brief.Status.QUEUED]},
        reason=locked.failure_reason,
    )
    if dispatch:
        brief_id = locked.pk
        transaction.on_commit(lambda: brief_dispatch(brief_id=brief_id))


def _claim(brief_id: int, resume_token: str = "") -> tuple[Brief, str] | None:
    """Mark the brief `rendering` under a fresh token and lease; None when there is nothing
    to do: done, failed, deleted, or rendered by a worker whose lease is live (a duplicate
    delivery). `resume_token` is the claim of this task's previous try, which a retry may
    take over even before its lease expires."""
    with transaction.atomic():
        brief = (
            Brief.objects.select_for_update(of=("self",))
            .select_related("period__city", "edition", "stakeholder")
            .filter(pk=brief_id)
            .first()
        )
        if brief is None or not brief.is_pending:
            return None
        if (
            brief.status == Brief.Status.RENDERING
            and not brief.lease_expired()
            and not (resume_token and brief.render_token == resume_token)
        ):
            return None
        token = uuid.uuid4().hex
        brief.status = Brief.Status.RENDERING
        brief.render_token = token
        brief.started_at = timezone.now()
        brief.heartbeat_at = brief.started_at
        brief.attempts += 1
        brief.dispatched_at = brief.dispatched_at or brief.started_at
        brief.save(
            update_fields=[
                "status",
                "render_token",
                "started_at",
                "heartbeat_at",
                "attempts",
                "dispatched_at",
            ]
        )
    return brief, token


@contextmanager
def _lease(brief_id: int, token: str) -> Iterator[None]:
    """Refresh the brief's lease from a thread while the block runs (WeasyPrint holds the
    worker's thread for seconds to minutes, so the refresh cannot happen between steps)."""
    if connection.in_atomic_block:
        # Called inside a transaction (the tests' own): another connection could neither
        # see nor lock the claimed row, and nothing else needs the lease then.
        yield
        return
    stop = threading.Event()

    def refresh() -> None:
        try:
            while not stop.wait(settings.BRIEF_HEARTBEAT_SECONDS):
                try:
                    Brief.objects.filter(
                        pk=brief_id, status=Brief.Status.RENDERING, render_token=token
                    ).update(heartbeat_at=timezone.now())
                except TRANSIENT_ERRORS:
                    # The database is down: the lease lapses; if the outage outlasts it,
                    # the sweeper hands the brief on and our result is refused.
                    logger.warning("brief %s: lease not refreshed (database error)", brief_id)
                    connections["default"].close()
        finally:
            connections.close_all()  # this thread's own connection

    thread = threading.Thread(target=refresh, name=f"brief-{brief_id}-lease", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def brief_render(*, brief_id: int, resume_token: str = "") -> Brief | None:
    """Render a brief's PDF and store it. Idempotent; a transient error is raised as
    BriefRenderInterrupted for the task to retry, other errors are recorded as the failure
    reason."""
    claimed = _claim(brief_id, resume_token)
    if claimed is None:
        return None
    brief, token = claimed
    try:
        with _lease(brief_id, token):
            return _render_claimed(brief, token)
    except TRANSIENT_ERRORS as exc:
        raise BriefRenderInterrupted(token=token, error=exc) from exc


def _render_claimed(brief: Brief, token: str) -> Brief | None:
    brief_id = brief.pk
    delay = settings.BRIEF_RENDER_DELAY_SECONDS
    if delay:
        # Test hook only (KOTAN_BRIEF_RENDER_DELAY): keeps a brief in `rendering` long enough
        # for the worker tests to SIGKILL the worker mid-render. 0 in every deployment.
        time.sleep(delay)
    try:
        content = brief_content(
            kind=brief.kind,
            period=brief.period,
            edition=brief.edition,
            stakeholder_obj=brief.stakeholder,
            meeting_id=brief.meeting_id,
        )
        html = render_to_string(content.template, content.context)
        pdf = render_pdf_document(html)
    except TRANSIENT_ERRORS:
        raise
    except BriefContentUnavailable as exc:
        brief_fail(brief_id=brief_id, reason=str(exc), token=token)
        return None
    except Exception as exc:
        logger.exception("brief %s: rendering failed", brief_id)
        brief_fail(brief_id=brief_id, reason=_("Kesalahan saat membuat PDF: %s") % exc, token=token)
        return None
    return _store(brief_id=brief_id, token=token, data=pdf.data, pages=pdf.pages, content=content)


def _store(
    *, brief_id: int, token: str, data: bytes, pages: int, content: BriefContent
) -> Brief | None:
    checksum = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        brief = (
            Brief.objects.select_for_update(of=("self",))
            .select_related("period__city", "requested_by", "stakeholder")
            .get(pk=brief_id)
        )
        if brief.render_token != token or brief.status != Brief.Status.RENDERING:
            # Another delivery claimed the brief after us; its result wins.
            return None
        brief.file.save(f"{brief.pk}-{checksum[:12]}.pdf", ContentFile(data), save=False)
        brief.size = len(data)
        brief.pages = pages
        brief.sha256 = checksum
        brief.fingerprint = content.fingerprint
        brief.status = Brief.Status.DONE
        brief.failure_reason = ""
        brief.finished_at = timezone.now()
        brief.heartbeat_at = None
        brief.save()
        audit_record(
            actor=None,
            city=brief.period.city,
            obj=brief,
            action="brief.done",
            changes={"status": [Brief.Status.RENDERING, Brief.Status.DONE]},
        )
        if brief.requested_by is not None:
            with translation.override(settings.LANGUAGE_CODE):
                title = _("Ringkasan siap: %(brief)s") % {"brief": brief}
            notifications_emit(
                city=brief.period.city_id,
                recipients=[brief.requested_by],
                kind=Notification.Kind.BRIEF_READY,
                event_key=f"brief.ready:{brief.pk}:{checksum[:16]}",
                title=title,
                url=reverse("reports:brief-detail", args=[brief.pk]),
            )
    return brief


def brief_fail(*, brief_id: int, reason: str, token: str | None = None) -> None:
    """Record a final failure (no retry left, or an error retrying cannot fix)."""
    with transaction.atomic():
        brief = (
            Brief.objects.select_for_update(of=("self",))
            .select_related("period__city")
            .get(pk=brief_id)
        )
        if brief.status == Brief.Status.DONE or (token and brief.render_token != token):
            return
        before = brief.status
        brief.status = Brief.Status.FAILED
        brief.failure_reason = reason[:2000]
        brief.finished_at = timezone.now()
        brief.heartbeat_at = None
        brief.save(update_fields=["status", "failure_reason", "finished_at", "heartbeat_at"])
        audit_record(
            actor=None,
            city=brief.period.city,
            obj=brief,
            action="brief.failed",
            changes={"status": [before, Brief.Status.FAILED]},
            reason=brief.failure_reason,
        )


def brief_requeue_for_retry(*, brief_id: int, reason: str) -> None:
    """A transient error: back to `queued` while Celery schedules the retry (the retry
    message is already on its way, so it counts as dispatched)."""
    Brief.objects.filter(pk=brief_id, status=Brief.Status.RENDERING).update(
        status=Brief.Status.QUEUED,
        failure_reason=reason[:2000],
        dispatched_at=timezone.now(),
        heartbeat_at=None,
    )


def brief_retry(*, brief: Brief, user: User) -> Brief:
    """A user asks again for a failed brief, or one whose worker died: back to the queue,
    dispatched on commit."""
    require(user, "reports.request_brief", brief)
    with transaction.atomic():
        locked = (
            Brief.objects.select_for_update(of=("self",))
            .select_related("period__city")
            .get(pk=brief.pk)
        )
        if locked.status != Brief.Status.FAILED and not _restartable(locked):
            raise BriefRequestError(
                _("Hanya ringkasan yang gagal atau terhenti yang dapat diulang.")
            )
        _requeue(locked, user=user, action="brief.retried")
    return locked


def _lease_expired_q(now: datetime) -> Q:
    return Q(
        status=Brief.Status.RENDERING,
        lease_at__lt=now - timedelta(seconds=settings.BRIEF_LEASE_SECONDS),
    ) | Q(status=Brief.Status.RENDERING, lease_at__isnull=True)


def briefs_stale_ids(*, now: datetime | None = None) -> list[int]:
    """Briefs the sweeper must (re)dispatch: queued and never sent, queued and sent long ago
    (the message was lost), or rendering under an expired lease (the worker died)."""
    now = now or timezone.now()
    queued_stale = now - timedelta(seconds=settings.BRIEF_REDISPATCH_AFTER_SECONDS)
    return list(
        Brief.objects.annotate(lease_at=Coalesce("heartbeat_at", "started_at"))
        .filter(
            Q(status=Brief.Status.QUEUED, dispatched_at__isnull=True)
            | Q(status=Brief.Status.QUEUED, dispatched_at__lt=queued_stale)
            | _lease_expired_q(now)
        )
        .order_by("requested_at")
        .values_list("pk", flat=True)[:100]
    )


def _release_expired(brief_id: int) -> bool:
    """Take a brief back from a dead worker: True when it is queued again (for the caller to
    dispatch); failed instead after BRIEF_MAX_ATTEMPTS claims."""
    with transaction.atomic():
        brief = (
            Brief.objects.select_for_update(of=("self",))
            .select_related("period__city")
            .filter(pk=brief_id)
            .first()
        )
        if brief is None or not brief.lease_expired():
            return False
        logger.warning(
            "brief %s: lease expired (attempt %s); taken back from its worker",
            brief_id,
            brief.attempts,
        )
        if brief.attempts >= BRIEF_MAX_ATTEMPTS:
            brief_fail(
                brief_id=brief_id,
                reason=_("Pembuatan PDF terhenti %(n)s kali; periksa log pekerja.")
                % {"n": brief.attempts},
            )
            return False
        _requeue(brief, user=None, action="brief.requeued", dispatch=False)
        return True


def briefs_sweep() -> int:
    """Take back briefs whose worker died and dispatch every stale brief; returns how many
    reached the broker."""
    sent = 0
    stale = Brief.objects.filter(pk__in=briefs_stale_ids()).order_by("requested_at")
    for brief_id, status in stale.values_list("pk", "status"):
        if status == Brief.Status.RENDERING and not _release_expired(brief_id):
            continue
        if brief_dispatch(brief_id=brief_id):
            sent += 1
        else:
            break  # the broker is down: the next sweep will try again
    return sent


def brief_download_record(*, brief: Brief, user: User) -> BriefDownload:
    return BriefDownload.objects.create(brief=brief, user=user)
