"""Render an HTML template to an A4 PDF with WeasyPrint and CJK fonts."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string


def html_to_pdf(template: str, context: dict) -> bytes:
    """Render ``template`` with ``context`` and convert it to PDF bytes.

    The templates extend ``reports/pdf/base.html`` (A4, ``lang="zh-CN"``, the CJK font
    family of ``settings.QC_PDF_FONT_FAMILY``; fonts-noto-cjk must be installed).
    """
    from weasyprint import HTML  # imported lazily: it loads fonts and Pango at import

    html = render_to_string(template, {**context, "font_family": settings.QC_PDF_FONT_FAMILY})
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
