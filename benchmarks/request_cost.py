"""Benchmark: the fixed cost of an authenticated request against a bare Django view.

Runs in-process with Django's test ``Client`` on the database of ``DATABASE_URL`` (PostgreSQL;
the demo loaded by ``manage.py seed_demo``), with the settings' cache (``REDIS_URL`` set:
Redis, as in production; unset: the local-memory cache). For ``--requests`` requests each,
interleaved (bare, page, bare, page …) so that a busy machine slows both alike:

- ``bare``: the floor — a plain function view added to the URL configuration for this run,
  answering one indexed query (an organisation by its primary key), requested anonymously
  through the same middleware stack;
- ``open``: the lightest authenticated page — ``/notifications/<id>/`` of a read notification
  of the demo login (``--login``, default ``company``, the enterprise coordinator): the acting
  membership and its scope are resolved, one indexed query finds the notification, and the
  page redirects to its object;
- ``list``: the notifications list (a full page: base template, navigation, bell, paginator);
- ``home``: the login's home page (the enterprise's dashboard for ``company``).

Prints per case the median and mean milliseconds, the SQL queries of one request, and the
ratio of each to the bare view's median. The target (issue 10 item 4): ``open`` ≤ 3× ``bare``.
Prints figures only; asserts nothing.
"""

import argparse
import logging
import os
import statistics
import sys
import time
import types
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qcportal.settings.local")
os.environ.setdefault("DEBUG", "False")
os.environ["ALLOWED_HOSTS"] = "localhost,testserver"

import django  # noqa: E402

django.setup()
logging.disable(logging.WARNING)

from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import clear_url_caches, include, path, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from qcportal.models import Notification, Organisation, User  # noqa: E402
from qcportal.tenancy import no_tenant  # noqa: E402


def bare(request):
    """The floor: one indexed query, a plain response."""
    name = (
        Organisation._base_manager.filter(pk=request.GET.get("pk", 1)).values_list("name", flat=True).first()
    )
    return HttpResponse(name or "", content_type="text/plain; charset=utf-8")


urls = types.ModuleType("bench_request_cost_urls")
urls.urlpatterns = [path("bench-bare/", bare), path("", include("qcportal.urls"))]
sys.modules[urls.__name__] = urls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=1000, help="requests per case (default 1000)")
    parser.add_argument("--login", default="company", help="demo login (default company)")
    args = parser.parse_args()

    with no_tenant():
        user = User.objects.get(username=args.login)
        organisation = Organisation._base_manager.order_by("id").first()
        notification = Notification.objects.filter(recipient=user).order_by("id").first()
        if notification is None:
            notification = Notification.objects.create(
                recipient=user,
                organisation=user.memberships.first().organisation,
                event="benchmark",
                entity="",
                object_id=0,
                params={"url": "/"},
            )
        Notification.objects.filter(pk=notification.pk).update(read_at=timezone.now())

    with override_settings(ROOT_URLCONF=urls.__name__):
        clear_url_caches()
        anonymous = Client(HTTP_HOST="localhost", raise_request_exception=True)
        signed_in = Client(HTTP_HOST="localhost", raise_request_exception=True)
        signed_in.force_login(user)
        cases = {
            "bare": (anonymous, f"/bench-bare/?pk={organisation.pk}"),
            "open": (signed_in, reverse("notification-open", args=[notification.pk])),
            "list": (signed_in, reverse("notification-list")),
            "home": (signed_in, reverse("home")),
        }
        queries = {}
        for name, (client, url) in cases.items():
            assert client.get(url).status_code in (200, 302), name  # warm up, and it works
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            queries[name] = [q["sql"] for q in captured.captured_queries]
        times = {name: [] for name in cases}
        for _ in range(args.requests):
            for name, (client, url) in cases.items():
                start = time.perf_counter()
                client.get(url)
                times[name].append(time.perf_counter() - start)
    clear_url_caches()

    floor = statistics.median(times["bare"])
    print(f"{args.requests} requests each, login {args.login}, database {connection.vendor}")
    print(f"{'case':<6} {'median ms':>10} {'mean ms':>9} {'queries':>8} {'× bare':>7}")
    for name, values in times.items():
        median = statistics.median(values)
        print(
            f"{name:<6} {median * 1000:>10.2f} {statistics.mean(values) * 1000:>9.2f}"
            f" {len(queries[name]):>8} {median / floor:>7.1f}"
        )
    for name in ("bare", "open"):
        print(f"\nSQL of one {name!r} request:")
        for sql in queries[name]:
            print("  ", sql[:160])


if __name__ == "__main__":
    main()
