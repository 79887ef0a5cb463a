"""Forms of the core."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kotan.models import EmailMode


class NotificationSettingsForm(forms.Form):
    email = forms.ChoiceField(
        label=_("Pemberitahuan lewat email"),
        choices=EmailMode.choices,
        widget=forms.RadioSelect,
        help_text=_("Pemberitahuan selalu tampil di Kotan (ikon lonceng), apa pun pilihan ini."),
    )
