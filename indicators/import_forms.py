"""The upload form of the spreadsheet import (kept apart from indicators/forms.py, the entry
forms, so that the two can grow independently)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from indicators.importing import MAX_UPLOAD_BYTES, sniff_format
from indicators.importing.reading import xlsx_refusal
from indicators.models import ImportBatch


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Berkas XLSX atau CSV"),
        help_text=_("Paling besar 10 MB. Gunakan templat periode ini."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.file_format = ""

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Berkas terlalu besar (paling besar 10 MB)."))
        head = upload.read(4096)
        upload.seek(0)
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise forms.ValidationError(
                _("Format .xls lama tidak didukung; simpan sebagai .xlsx lalu unggah lagi.")
            )
        # The content decides the format, not the name: a renamed file is read as what it is.
        file_format = sniff_format(head)
        if file_format is None:
            raise forms.ValidationError(_("Berkas harus berupa XLSX atau CSV."))
        if file_format == ImportBatch.Format.XLSX:
            # A zip bomb or a million rows is refused here, before any job parses it.
            refusal = xlsx_refusal(upload)
            if refusal:
                raise forms.ValidationError(refusal)
        self.file_format = file_format
        return upload
