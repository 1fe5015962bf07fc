"""URLs of the benchmark server: the portal's own URLs plus the floors the benchmarks compare
against (``benchmarks/national_scale.py``). Never part of the product: only
``benchmarks/bench_settings.py`` points ``ROOT_URLCONF`` here."""

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.urls import include, path


def bare(request):
    """The floor of a request: a bare Django view with one indexed query (the primary key of
    one organisation), through the whole middleware stack but no login, tenant or template."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM qcportal_organisation WHERE id = %s", [int(request.GET.get("id", 1))])
        row = cursor.fetchone()
    return JsonResponse({"id": row[0] if row else None})


def floor_circles(request):
    """The floor of an enterprise's page: its first 25 circles by one indexed query
    (``circles_circle`` by ``organisation_id``), as plain text."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, name FROM circles_circle WHERE organisation_id = %s ORDER BY id DESC LIMIT 25",
            [int(request.GET.get("org", 0))],
        )
        rows = cursor.fetchall()
    return HttpResponse(
        "\n".join(f"{pk}\t{name}" for pk, name in rows), content_type="text/plain; charset=utf-8"
    )


urlpatterns = [
    path("bench/bare/", bare),
    path("bench/floor-circles/", floor_circles),
    path("", include("qcportal.urls")),
]
