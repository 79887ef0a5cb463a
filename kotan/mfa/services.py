"""Who must use two-step login, and the enrolment of a TOTP device and its recovery codes."""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kotan.models import User

TOTP_NAME = "Aplikasi autentikator"
RECOVERY_NAME = "Kode pemulihan"


def mfa_required(user: Any) -> bool:
    """The one rule: a logged-in user whose role is in settings.MFA_REQUIRED_ROLES must
    confirm each login with a second factor."""
    return (
        isinstance(user, User)
        and user.is_authenticated
        and user.role in settings.MFA_REQUIRED_ROLES
    )


def mfa_enrolled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def mfa_totp_pending(*, user: User) -> TOTPDevice:
    """The user's unconfirmed TOTP device (a new secret the first time), shown as a QR code
    until a code from the app confirms it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def mfa_qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// URL as an inline SVG QR code, rendered here (the secret never
    leaves the server for a QR service)."""
    return str(segno.make(device.config_url, error="m").svg_inline(scale=5, border=2))


def mfa_secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@transaction.atomic
def mfa_totp_confirm(*, device: TOTPDevice, token: str) -> bool:
    """Confirm a pending device with a code from the app; the user's older TOTP devices are
    replaced (one authenticator per user). False when the code is wrong."""
    if not device.verify_token(token):
        return False
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


@transaction.atomic
def mfa_recovery_codes_generate(*, user: User) -> list[str]:
    """New one-time recovery codes for the user, replacing the old ones. Shown once."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.MFA_RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes
