from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Kode"),
        max_length=20,
        help_text=_("Enam angka dari aplikasi autentikator, atau satu kode pemulihan."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )

    def __init__(self, *args: Any, enrolling: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if enrolling:  # no recovery codes exist yet
            self.fields["token"].help_text = _("Enam angka yang tampil di aplikasi autentikator.")

    def clean_token(self) -> str:
        # Apps show the code as "123 456"; recovery codes are typed in either case.
        return "".join(self.cleaned_data["token"].split()).lower()
