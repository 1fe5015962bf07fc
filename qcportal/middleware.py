"""Request middleware of QC Portal (besides tenancy and audit)."""

from django.conf import settings
from django.http import HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Chinese unless the user chose another language (the language switch sets a cookie).

    Django's own middleware would follow the browser's ``Accept-Language``; the portal is
    Chinese first, so only an explicit choice switches to English.
    """

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class RequestSizeLimitMiddleware:
    """Refuse request bodies above ``settings.MAX_REQUEST_BYTES`` with 413 before reading them.

    Uploads are streamed to disk by Django; this bounds what a client can make the server
    store at all (each upload form then applies its own, smaller limit and type check).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            return HttpResponse(
                _("请求过大：单次上传不能超过%(max)s。")
                % {"max": filesizeformat(settings.MAX_REQUEST_BYTES)},
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


def client_ip(request) -> str:
    """The client's address: ``REMOTE_ADDR``, or, behind ``settings.PROXY_COUNT`` trusted
    reverse proxies, the address those proxies recorded in ``X-Forwarded-For`` (used by the
    rate limits; django-axes and the audit trail read the same header)."""
    proxies = getattr(settings, "PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")
