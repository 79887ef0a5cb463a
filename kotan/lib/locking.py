"""Optimistic locking: a form carries the version of the row it was built from (a
`VersionField`), and the service re-reads the row under a lock and refuses the save when
someone saved it in between. The save is refused, never merged."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

M = TypeVar("M", bound=models.Model)


class StaleVersion(ValidationError):
    """The object changed since the form was opened. `current` is the row as saved now, so
    that the page can show the newer values beside the user's."""

    message_text = _(
        "Data ini sudah diubah orang lain sejak Anda membukanya. Muat ulang halaman, "
        "periksa perubahannya, lalu simpan lagi."
    )

    def __init__(self, current: models.Model) -> None:
        super().__init__(self.message_text, code="stale")
        self.current = current

    def __str__(self) -> str:
        return str(self.message_text)


def lock_version(
    queryset: models.QuerySet[M],
    pk: Any,
    expected_version: int | None,
    *,
    stale: type[StaleVersion] = StaleVersion,
    bump: bool = False,
) -> M:
    """Re-read the row `pk` of `queryset` under a row lock for this transaction and check
    that its version is still `expected_version` (None skips the check: imports lock
    differently). With `bump`, the returned instance's version is already incremented for
    the save that follows."""
    current = queryset.select_for_update().get(pk=pk)
    version: int = current.version  # type: ignore[attr-defined]
    if expected_version is not None and version != expected_version:
        raise stale(current)
    if bump:
        current.version = version + 1  # type: ignore[attr-defined]
    return current
