"""Typed readers for environment variables.

Each helper fails loudly with the variable's name when a value is malformed, so a
deployment with a typo stops at start-up instead of running with a surprising default.
"""

import os
from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str, environ: Mapping[str, str] | None) -> str | None:
    source = os.environ if environ is None else environ
    return source.get(name)


def env_str(name: str, default: str = "", *, environ: Mapping[str, str] | None = None) -> str:
    value = _raw(name, environ)
    return default if value is None else value


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] | None = None) -> bool:
    value = _raw(name, environ)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def env_int(name: str, default: int, *, environ: Mapping[str, str] | None = None) -> int:
    value = _raw(name, environ)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}") from None


def env_list(
    name: str, default: list[str], *, environ: Mapping[str, str] | None = None
) -> list[str]:
    value = _raw(name, environ)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_url(
    name: str, default: str, *, schemes: tuple[str, ...], environ: Mapping[str, str] | None = None
) -> str:
    """A URL whose scheme must be one of `schemes` (e.g. postgres, sqlite, redis)."""
    value = _raw(name, environ)
    if value is None or value.strip() == "":
        return default
    scheme, sep, rest = value.partition("://")
    if not sep or scheme not in schemes or not rest:
        raise ImproperlyConfigured(
            f"{name} must be a URL starting with one of {', '.join(s + '://' for s in schemes)}"
        )
    return value


def env_admins(name: str, *, environ: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """ADMINS from "Ani <ani@bnn.go.id>, ops@bnn.go.id": (name, address) pairs; an address
    without a name is named by its local part."""
    from email.utils import getaddresses

    value = _raw(name, environ) or ""
    admins = []
    for display, address in getaddresses([value]):
        if not address and not display:
            continue
        local, at, domain = address.partition("@")
        if not (local and at and "." in domain) or " " in address:
            raise ImproperlyConfigured(
                f"{name} must be a comma-separated list of email addresses, got {value!r}"
            )
        admins.append((display or local, address))
    return admins
