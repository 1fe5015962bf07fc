"""A form generated through a real Celery worker over the Redis broker (architecture.md,
"Long work"; CI runs this against the machine's Redis)."""

import time
import uuid
from contextlib import contextmanager

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from qcportal import queues
from qcportal.celery import app
from qcportal.models import Membership
from qcportal.tenancy import no_tenant, tenant_scope
from reports.choices import RunStatus
from reports.models import ReportRun
from reports.services import report_run_start

from ..conftest import pdf_text


@contextmanager
def private_queues():
    """Send tasks over the Redis broker to private copies of every queue (the routes of
    CELERY_TASK_ROUTES with a unique suffix), so that another xdist worker or another run on
    the same Redis never takes them; yields the queue names a worker must consume (all of them,
    as one worker of a small installation does)."""
    suffix = f"-test-{uuid.uuid4().hex[:8]}"
    previous = {
        key: app.conf[key] for key in ("task_always_eager", "broker_url", "task_default_queue", "task_routes")
    }
    app.conf.update(
        task_always_eager=False,
        broker_url=settings.REDIS_URL,
        task_default_queue=queues.DEFAULT + suffix,
        task_routes=queues.task_routes(suffix),
    )
    try:
        yield queues.queue_names(suffix)
    finally:
        app.conf.update(previous)


def test_tasks_are_routed_to_their_queue_by_kind():
    """Issue 10 item 6: report runs and imports on ``exports``, e-mails and reminders on
    ``notifications``, cache refreshes and summaries on ``statistics``, maintenance on the
    default queue; the settings' routes are what Celery applies."""
    assert app.conf.task_routes == queues.task_routes() and app.conf.task_default_queue == "celery"
    expected = {
        "reports.tasks.form_render_task": "exports",
        "circles.tasks.circle_import_task": "exports",
        "qcportal.tasks.notification_emails_send_task": "notifications",
        "evaluation.tasks.reminders_send_task": "notifications",
        "qcportal.tasks.figure_refresh_task": "statistics",
        "reports.tasks.summaries_refresh_task": "statistics",  # by name pattern (another task's name)
        "reports.summaries.rebuild": "statistics",
        "qcportal.tasks.audit_prune_task": "celery",
        "qcportal.tasks.orphan_files_remove_task": "celery",
    }
    router = app.amqp.router
    routed = {name: router.route({}, name)["queue"].name for name in expected}
    assert routed == expected
    app.loader.import_default_modules()
    project = [
        name for name in app.tasks if name.split(".")[0] in {"qcportal", "circles", "evaluation", "reports"}
    ]
    for name in project:  # every real task has a route the helper agrees with
        assert router.route({}, name)["queue"].name == queues.queue_for(name), name


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_annex3_pdf_through_a_real_worker(committed_network):
    assert settings.REDIS_URL.startswith("redis://"), "REDIS_URL must point at Redis (make test starts one)"
    network = committed_network
    with (
        private_queues() as names,
        start_worker(app, pool="solo", perform_ping_check=False, queues=names, shutdown_timeout=30),
    ):
        with no_tenant():
            membership = Membership.objects.get(user=network.users.pa_staff)
        with tenant_scope(network.pa):
            run = report_run_start(
                membership=membership,
                user=network.users.pa_staff,
                campaign=network.campaign,
                form="annex3",
                file_format="pdf",
                organisation=network.pa,
            )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with no_tenant():
                run = ReportRun.objects.get(pk=run.pk)
            if run.is_finished:
                break
            time.sleep(0.2)
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.task_id, "the run records its Celery task id"
    assert run.progress == 100 and run.started_at and run.finished_at
    text = pdf_text(run.file.read())
    assert "质量管理小组活动统计表" in text and "测试省质量协会" in text


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_national_package_through_a_real_worker(committed_network):
    """The national package (seed 002) runs as a Celery task like the forms: progress to 100 %,
    the zip spooled to a file and stored."""
    import zipfile

    from .test_national_package import attach_reports
    from .test_work_summary import full_sections, save

    network = committed_network
    attach_reports(network)
    save(network, full_sections())
    with (
        private_queues() as names,
        start_worker(app, pool="solo", perform_ping_check=False, queues=names, shutdown_timeout=30),
    ):
        with no_tenant():
            membership = Membership.objects.get(user=network.users.pa_staff)
        with tenant_scope(network.pa):
            run = report_run_start(
                membership=membership,
                user=network.users.pa_staff,
                campaign=network.campaign,
                form="package",
                file_format="zip",
                organisation=network.pa,
            )
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            with no_tenant():
                run = ReportRun.objects.get(pk=run.pk)
            if run.is_finished:
                break
            time.sleep(0.2)
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.progress == 100 and run.task_id
    with run.file.open("rb") as stored, zipfile.ZipFile(stored) as archive:
        assert archive.namelist()[0] == "00_材料清单.csv"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_stale_dashboard_figure_is_refreshed_by_a_real_worker(committed_network):
    """Issue 10 item 4: a stale figure is served at once and refreshed by figure_refresh_task on
    the ``statistics`` queue of a real worker, which stores the new value with its time."""
    import datetime as dt

    from django.utils import timezone

    from qcportal.cache import cached_figure, store

    network = committed_network
    params = {"association_id": network.pa.pk}
    long_ago = timezone.now() - dt.timedelta(days=1)
    store("reports.circles_by_year", params, ["old"], computed_at=long_ago)
    with (
        private_queues() as names,
        start_worker(app, pool="solo", perform_ping_check=False, queues=names, shutdown_timeout=30),
    ):
        served = cached_figure("reports.circles_by_year", **params)
        assert served.value == ["old"] and served.stale
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            figure = cached_figure("reports.circles_by_year", **params)
            if not figure.stale:
                break
            time.sleep(0.2)
    assert not figure.stale and figure.computed_at > long_ago
    assert figure.value and figure.value != ["old"]
    assert {"year", "circles"} <= set(figure.value[0])
