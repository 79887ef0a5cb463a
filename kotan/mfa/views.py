"""Enrolment, the second step of the login, and new recovery codes. Open to every logged-in
user (`login_required`: Admin Pusat has no city), so `request.user` is always our User."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from kotan.lib.http import AuthenticatedHttpRequest
from kotan.mfa.forms import TokenForm
from kotan.mfa.services import (
    mfa_enrolled,
    mfa_qr_svg,
    mfa_recovery_codes_generate,
    mfa_required,
    mfa_secret_text,
    mfa_totp_confirm,
    mfa_totp_pending,
)
from kotan.models import User


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("kotan:home")


def _with_next(name: str, request: HttpRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse(name)}?{urlencode({'next': _next_url(request)})}")


def _is_verified(request: HttpRequest) -> bool:
    return bool(getattr(request.user, "is_verified", lambda: False)())


@never_cache
@login_required
def enrol(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Set up an authenticator app: a QR code (or the secret typed by hand), then one code
    from the app to prove it works. A user already enrolled must pass the second step
    first; afterwards the page only offers new recovery codes."""
    user = request.user
    if mfa_enrolled(user):
        if not _is_verified(request):
            return _with_next("mfa:verify", request)
        return render(request, "kotan/mfa/enrolled.html")
    device = mfa_totp_pending(user=user)
    form = TokenForm(request.POST or None, enrolling=True)
    if request.method == "POST" and form.is_valid():
        if mfa_totp_confirm(device=device, token=form.cleaned_data["token"]):
            otp_login(request, device)
            request.session.cycle_key()
            codes = mfa_recovery_codes_generate(user=user)
            context = {"codes": codes, "next": _next_url(request), "first_time": True}
            return render(request, "kotan/mfa/recovery_codes.html", context)
        form.add_error(
            "token", _("Kode tidak cocok. Periksa jam ponsel lalu coba kode berikutnya.")
        )
    context = {
        "form": form,
        "qr_svg": mfa_qr_svg(device),
        "secret": mfa_secret_text(device),
        "next": _next_url(request),
        "required": mfa_required(user),
    }
    return render(request, "kotan/mfa/enrol.html", context)


@never_cache
@login_required
def verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The second step of the login: a code from the app or a recovery code."""
    user = request.user
    if not mfa_enrolled(user):
        return _with_next("mfa:enrol", request)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            # A new session key once the login is complete (no fixation across the steps).
            request.session.cycle_key()
            if device.persistent_id.startswith("otp_static."):
                left = device.token_set.count()
                messages.warning(
                    request,
                    _("Anda masuk dengan kode pemulihan; tersisa %(left)s kode.") % {"left": left},
                )
            return redirect(_next_url(request))
        form.add_error("token", _failure_message(user))
    return render(request, "kotan/mfa/verify.html", {"form": form, "next": _next_url(request)})


def _failure_message(user: User) -> str:
    # django-otp doubles the wait after each wrong code (OTP_TOTP_THROTTLE_FACTOR seconds).
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None and not device.verify_is_allowed()[0]:
        return _("Terlalu banyak kode salah. Tunggu sebentar, lalu coba kode berikutnya.")
    return _("Kode salah atau sudah kedaluwarsa.")


@never_cache
@login_required
@require_POST
def recovery_codes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """New recovery codes, replacing the old ones; only after the second step."""
    if not _is_verified(request):
        return _with_next("mfa:verify", request)
    codes = mfa_recovery_codes_generate(user=request.user)
    context = {"codes": codes, "next": reverse("kotan:home"), "first_time": False}
    return render(request, "kotan/mfa/recovery_codes.html", context)
