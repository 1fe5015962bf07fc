"""A form generated through a real Celery worker over the Redis broker (architecture.md,
"Long work"; CI runs this against the machine's Redis)."""

import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from qcportal.celery import app
from qcportal.models import Membership
from qcportal.tenancy import no_tenant, tenant_scope
from reports.choices import RunStatus
from reports.models import ReportRun
from reports.services import report_run_start

from ..conftest import pdf_text


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_annex3_pdf_through_a_real_worker(committed_network):
    assert settings.REDIS_URL.startswith("redis://"), "REDIS_URL must point at Redis (make test starts one)"
    network = committed_network
    # A queue of its own: another xdist worker or another run on the same Redis never takes its task.
    queue = f"qcportal-test-{uuid.uuid4().hex[:8]}"
    previous = (app.conf.task_always_eager, app.conf.broker_url, app.conf.task_default_queue)
    app.conf.update(task_always_eager=False, broker_url=settings.REDIS_URL, task_default_queue=queue)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=30):
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
    finally:
        app.conf.update(task_always_eager=previous[0], broker_url=previous[1], task_default_queue=previous[2])
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
    queue = f"qcportal-test-{uuid.uuid4().hex[:8]}"
    previous = (app.conf.task_always_eager, app.conf.broker_url, app.conf.task_default_queue)
    app.conf.update(task_always_eager=False, broker_url=settings.REDIS_URL, task_default_queue=queue)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=30):
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
    finally:
        app.conf.update(task_always_eager=previous[0], broker_url=previous[1], task_default_queue=previous[2])
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.progress == 100 and run.task_id
    with run.file.open("rb") as stored, zipfile.ZipFile(stored) as archive:
        assert archive.namelist()[0] == "00_材料清单.csv"
