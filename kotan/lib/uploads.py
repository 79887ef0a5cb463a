"""Checking uploaded files by their content, shared by every app that takes evidence."""

from __future__ import annotations

from collections.abc import Mapping

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Enough bytes for filetype to recognise every format we accept (DOCX/XLSX need the most).
_SNIFF_BYTES = 8192


def sniff_mime(head: bytes) -> str | None:
    kind = filetype.guess(head)
    return None if kind is None else str(kind.mime)


def upload_mime(upload: UploadedFile, *, allowed: Mapping[str, str], what: object) -> str:
    """The upload's real content type, judged by its bytes rather than its name.

    `allowed` maps accepted MIME types to file extensions; `what` names them for the
    message (e.g. "PDF, JPEG atau PNG"). Raises a ValidationError in Indonesian when the
    file is larger than EVIDENCE_MAX_BYTES or of another type.
    """
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            _("Berkas %(name)s terlalu besar (maksimum %(max)s).")
            % {"name": upload.name, "max": filesizeformat(limit)},
            code="too_big",
        )
    upload.seek(0)
    mime = sniff_mime(upload.read(_SNIFF_BYTES))
    upload.seek(0)
    if mime is None or mime not in allowed:
        raise ValidationError(
            _("Berkas %(name)s bukan %(what)s.") % {"name": upload.name, "what": what},
            code="type",
        )
    return mime
