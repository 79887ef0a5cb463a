from __future__ import annotations

import logging
import sys

import redis
from django.conf import settings
from django.contrib import messages
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET, require_POST

from kotan.context_processors import inbox_items
from kotan.forms import NotificationSettingsForm
from kotan.inbox import InboxItem
from kotan.lib.http import AuthenticatedHttpRequest
from kotan.middleware import database_unavailable_response, is_database_error
from kotan.models import Notification, Region, Stakeholder, User
from kotan.notifications import notification_mark_read, notification_preferences_save
from kotan.permissions import ALL_ROLES, Role, role_required

logger = logging.getLogger(__name__)


@role_required(*ALL_ROLES, Role.ADMIN_PUSAT)
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """ "Tugas saya": what the user's role has to do now (kotan.inbox), each count linking
    to its filtered list."""
    user = request.user
    items = inbox_items(request)
    sections: dict[str, list[InboxItem]] = {}
    for item in items:
        sections.setdefault(item.section, []).append(item)
    context = {
        "city": user.city,
        "role": user.get_role_display(),
        "sections": list(sections.items()),
        "last_visit": user.last_home_visit,
    }
    response = render(request, "kotan/home.html", context)
    # After rendering: the page compares with the previous visit, the next one with this.
    User.objects.filter(pk=user.pk).update(last_home_visit=timezone.now())
    return response


@role_required(*ALL_ROLES, Role.ADMIN_PUSAT)
def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    notifications = Notification.objects.for_user(user)
    only_unread = request.GET.get("status") == "belum-dibaca"
    if only_unread:
        notifications = notifications.unread()
    page = Paginator(notifications, 30).get_page(request.GET.get("halaman"))
    return render(
        request,
        "kotan/notification_list.html",
        {"page": page, "only_unread": only_unread},
    )


@require_POST
@role_required(*ALL_ROLES, Role.ADMIN_PUSAT)
def notification_read(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and open what it is about."""
    user = request.user
    notification = get_object_or_404(Notification.objects.for_user(user), pk=pk)
    notification_mark_read(user=user, notification_id=notification.pk)
    if request.POST.get("open") and url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts=None
    ):
        return redirect(notification.url or "kotan:notification-list")
    return redirect("kotan:notification-list")


@require_POST
@role_required(*ALL_ROLES, Role.ADMIN_PUSAT)
def notification_read_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    count = notification_mark_read(user=request.user)
    messages.success(
        request,
        ngettext(
            "%(n)d pemberitahuan ditandai sudah dibaca.",
            "%(n)d pemberitahuan ditandai sudah dibaca.",
            count,
        )
        % {"n": count},
    )
    return redirect("kotan:notification-list")


@role_required(*ALL_ROLES, Role.ADMIN_PUSAT)
def notification_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    initial = {"email": user.email_notifications}
    form = NotificationSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        notification_preferences_save(user=user, email_mode=form.cleaned_data["email"])
        messages.success(request, _("Pengaturan pemberitahuan disimpan."))
        return redirect("kotan:notification-settings")
    return render(request, "kotan/notification_settings.html", {"form": form})


@role_required(*ALL_ROLES)
def region_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    kecamatan = (
        Region.objects.for_user(user)
        .kecamatan()
        .annotate(kelurahan_count=Count("children"))
        .order_by("code")
    )
    return render(request, "kotan/region_list.html", {"city": user.city, "kecamatan": kecamatan})


def _get_region_for_user(request: AuthenticatedHttpRequest, code: str) -> Region:
    return get_object_or_404(Region.objects.for_user(request.user), code=code)


@role_required(*ALL_ROLES)
def region_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    region = _get_region_for_user(request, code)
    children = region.children.order_by("code")
    return render(request, "kotan/region_detail.html", {"region": region, "children": children})


@role_required(*ALL_ROLES)
def stakeholder_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    stakeholders = Stakeholder.objects.for_user(user).annotate(officer_count=Count("officers"))
    return render(request, "kotan/stakeholder_list.html", {"stakeholders": stakeholders})


def _get_stakeholder_for_user(request: AuthenticatedHttpRequest, pk: int) -> Stakeholder:
    return get_object_or_404(Stakeholder.objects.for_user(request.user), pk=pk)


@role_required(*ALL_ROLES)
def stakeholder_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    stakeholder = _get_stakeholder_for_user(request, pk)
    officers = stakeholder.officers.filter(is_active=True).order_by("last_name", "first_name")
    return render(
        request, "kotan/stakeholder_detail.html", {"stakeholder": stakeholder, "officers": officers}
    )


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        logger.exception("healthz: database check failed")
        return False


def _broker_ok() -> bool:
    if not settings.REDIS_URL:
        return True  # no broker configured: tasks run in-process
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
        )
        return bool(client.ping())
    except redis.RedisError:
        logger.exception("healthz: broker check failed")
        return False


def _static_ok() -> bool:
    """With hashed static names (DEBUG off), the manifest collectstatic writes must have been
    loaded: without it every page that links a stylesheet answers 500."""
    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return True
    if staticfiles_storage.hashed_files:
        return True
    logger.error("healthz: no static files manifest (run collectstatic with DEBUG=0)")
    return False


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and compose healthchecks: states only, never error details."""
    checks = {"database": _database_ok(), "broker": _broker_ok(), "static": _static_ok()}
    body = {name: "ok" if ok else "error" for name, ok in checks.items()}
    return JsonResponse(body, status=200 if all(checks.values()) else 503)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database outage met outside a view (saving the session, another
    middleware) is the 503 maintenance page; anything else the static 500 page."""
    error = sys.exc_info()[1]
    if is_database_error(error):
        logger.warning("database unavailable (%s %s): %s", request.method, request.path, error)
        return database_unavailable_response()
    return HttpResponseServerError(render_to_string("500.html"))
