"""Render an HTML template to an A4 PDF with WeasyPrint and CJK fonts: the templates extend
``reports/pdf/base.html`` (A4, ``lang="zh-CN"``). The renderer is the tenancy core's
(:func:`qcportal.pdf.html_to_pdf`), shared with the evaluation app's certificates."""

from qcportal.pdf import html_to_pdf

__all__ = ["html_to_pdf"]
