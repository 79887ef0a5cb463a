"""Form fields every app uses."""

from __future__ import annotations

from typing import Any

from django import forms


class VersionField(forms.IntegerField):
    """The version of the row the form was built from, for optimistic locking
    (kotan.lib.locking.lock_version)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.HiddenInput)
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)
