"""HTML → PDF with WeasyPrint: a pure function of its input, no database, no request.

The PDF templates (templates/reports/pdf/) load their print stylesheet and fonts from
static/ through file URLs; nothing else may be fetched, so a value typed by a user can never
make the renderer reach the network or read other files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher


def pdf_static_dir() -> Path:
    """Where PDF templates find css/pdf.css and fonts/ (the source tree's static/, which
    every deployment ships: collectstatic output may not exist in a worker container)."""
    return Path(settings.BASE_DIR) / "static"


class _StaticOnlyFetcher(URLFetcher):
    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols=("file", "data"), fail_on_errors=True)
        self._root = root.resolve()

    def fetch(self, url: str, headers: Any = None) -> Any:
        if url.startswith("file:"):
            from urllib.parse import unquote, urlsplit

            path = Path(unquote(urlsplit(url).path)).resolve()
            if not path.is_relative_to(self._root):
                raise ValueError(f"PDF may only load files from static/: {url}")
        return super().fetch(url, headers)


# Tagged PDF/UA-1: a structure tree (headings, tables, lists, figures) that screen readers
# follow, the document language from <html lang="id">, and the title shown by viewers.
PDF_OPTIONS: dict[str, Any] = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int


def render_pdf_document(html: str) -> RenderedPdf:
    """Render HTML to PDF bytes and report the page count (which the brief record stores)."""
    root = pdf_static_dir()
    font_config = FontConfiguration()
    document = HTML(
        string=html, base_url=f"{root.as_uri()}/", url_fetcher=_StaticOnlyFetcher(root)
    ).render(font_config=font_config, **PDF_OPTIONS)
    data = document.write_pdf(**PDF_OPTIONS)
    assert isinstance(data, bytes)
    return RenderedPdf(data=data, pages=len(document.pages))


def render_pdf(html: str) -> bytes:
    return render_pdf_document(html).data
