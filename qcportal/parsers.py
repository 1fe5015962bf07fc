"""The API's parsers (``DEFAULT_PARSER_CLASSES``): every API body is normalised and checked
for control characters once, where it enters (issue 9 item 3, R-SC-20, R-SC-21, R-SC-23; see
``qcportal.text``).

A separate module from ``qcportal.api``: DRF reads its parser setting while
``rest_framework.views`` is imported, which ``qcportal.api`` imports.
"""

from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers

from .text import (
    CONTROL_MESSAGE,
    clean_file_name,
    control_character_paths,
    normalise_data,
    normalise_querydict,
)


class NormalisingParserMixin:
    """Parser mixin: the parsed body normalised with :func:`qcportal.text.normalise_data`
    (NFC, format characters and lone surrogates removed, passwords as sent), and refused with
    a 400 ``{"detail", "errors": {"path": ["含有不允许的控制字符。"]}}`` when a string holds a
    control character (R-SC-21). A body nested too deeply to parse is a 400 too (R-SC-23)."""

    def parse(self, stream, media_type=None, parser_context=None):
        """The parsed, normalised body (``dict``/``list``/``QueryDict``/``DataAndFiles``)."""
        try:
            parsed = super().parse(stream, media_type, parser_context)
            if isinstance(parsed, parsers.DataAndFiles):
                data = normalise_querydict(parsed.data)
                for _field, uploads in parsed.files.lists():
                    for upload in uploads:
                        upload.name = clean_file_name(upload.name)
                checked, result = data, parsers.DataAndFiles(data, parsed.files)
            elif hasattr(parsed, "lists"):
                checked = result = normalise_querydict(parsed)
            else:
                checked = result = normalise_data(parsed)
            paths = control_character_paths(
                {k: v for k, v in checked.lists()} if hasattr(checked, "lists") else checked
            )
        except RecursionError as exc:
            raise exceptions.ParseError(_("请求内容嵌套过深。")) from exc
        if paths:
            raise exceptions.ValidationError({path: [str(CONTROL_MESSAGE)] for path in paths})
        return result


class NormalisingJSONParser(NormalisingParserMixin, parsers.JSONParser):
    """The API's JSON parser (``DEFAULT_PARSER_CLASSES``), normalising."""


class NormalisingFormParser(NormalisingParserMixin, parsers.FormParser):
    """The API's form parser (``DEFAULT_PARSER_CLASSES``), normalising."""


class NormalisingMultiPartParser(NormalisingParserMixin, parsers.MultiPartParser):
    """The API's multipart parser (``DEFAULT_PARSER_CLASSES``), normalising (upload names too)."""
