"""Optimistic locking shared by the meeting and action services."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

M = TypeVar("M", bound=models.Model)


class StaleEdit(ValidationError):
    """The object changed since the form was opened: the save is refused, never merged."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "Data ini sudah diubah orang lain sejak Anda membukanya. Muat ulang halaman, "
                "periksa perubahannya, lalu simpan lagi."
            ),
            code="stale",
        )


def lock_version(model: type[M], pk: Any, expected_version: int) -> M:
    """Lock the row for this transaction and check that nobody saved it in between."""
    instance = model._default_manager.select_for_update().get(pk=pk)
    if instance.version != expected_version:  # type: ignore[attr-defined]
        raise StaleEdit
    instance.version += 1  # type: ignore[attr-defined]
    return instance


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    return {name: getattr(instance, name) for name in fields}
