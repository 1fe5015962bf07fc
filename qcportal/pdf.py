"""Render an HTML template to PDF with WeasyPrint and CJK fonts (the official forms of the
reports app, the honour certificates of the evaluation app)."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string


def html_to_pdf(template: str, context: dict) -> bytes:
    """Render ``template`` with ``context`` (plus ``font_family``: the CJK font family of
    ``settings.QC_PDF_FONT_FAMILY``; fonts-noto-cjk must be installed) and convert it to PDF
    bytes. The page size is the template's (``@page``)."""
    from weasyprint import HTML  # imported lazily: it loads fonts and Pango at import

    html = render_to_string(template, {**context, "font_family": settings.QC_PDF_FONT_FAMILY})
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
