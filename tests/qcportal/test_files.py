"""Uploaded files follow their rows (issue 9 item 4; ``qcportal.files``).

A replaced upload's old file leaves storage when the transaction commits and stays when it
rolls back (R-SC-34); a deleted row's files leave storage after commit, cascades included
(R-SC-35); a file another row still names is kept; the orphan sweep removes only files no
row references that are older than the grace period, reports them, and lists them without
deleting in a dry run (R-SC-36).
"""

import datetime as dt
import io
import os
import time

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction

from evaluation import services
from evaluation.models import Submission
from promotion.models import AnnouncementAttachment
from qcportal.files import file_fields, orphan_files_remove
from qcportal.models import Membership
from qcportal.tasks import orphan_files_remove_task
from qcportal.tenancy import membership_scope, no_tenant
from reports.models import ReportRun
from tests.factories import AnnouncementFactory

pytestmark = pytest.mark.django_db


def pdf(tag: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{tag}.pdf", b"%PDF-1.4\n% " + tag.encode() + b"\n%%EOF\n", "application/pdf")


def upload_report(network, tag: str) -> Submission:
    with no_tenant():
        coord = Membership.objects.select_related("organisation", "user").get(user=network.users.e1_coord)
    with membership_scope(coord):
        submission = Submission.objects.get(pk=network.submissions[0].pk)
        return services.result_report_upload(membership=coord, submission=submission, upload=pdf(tag))


def test_every_upload_field_is_covered():
    """The handlers cover every FileField: sealed recommendation forms, videos, result
    reports, activity-record evidence, circle imports, report files, announcement files."""
    covered = {f"{m._meta.label}.{name}" for m, name in file_fields()}
    assert covered >= {
        "evaluation.Submission.recommendation_form",
        "evaluation.Submission.presentation_video",
        "evaluation.Submission.result_report",
        "circles.RecordAttachment.file",
        "circles.CircleImport.file",
        "reports.ReportRun.file",
        "promotion.AnnouncementAttachment.file",
    }


def test_replaced_upload_is_deleted_after_commit(network, django_capture_on_commit_callbacks):
    """R-SC-34: a new result report replaces the old one; the old file is gone once the
    replacement commits, the new one is stored."""
    with django_capture_on_commit_callbacks(execute=True):
        old = upload_report(network, "first").result_report.name
    assert default_storage.exists(old)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        new = upload_report(network, "second").result_report.name
    assert new != old
    assert default_storage.exists(old), "deleted before the commit"
    for callback in callbacks:
        callback()
    assert not default_storage.exists(old) and default_storage.exists(new)


def test_replaced_upload_is_kept_when_the_replacement_rolls_back(network, django_capture_on_commit_callbacks):
    """R-SC-34: a replacement that rolls back leaves the row and its old file as they were
    (the new file, unreferenced, is the orphan sweep's)."""
    with django_capture_on_commit_callbacks(execute=True):
        old = upload_report(network, "kept").result_report.name
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        upload_report(network, "rolled-back")
        raise RuntimeError("the request failed after the upload")
    assert callbacks == []
    with no_tenant():
        assert Submission.objects.get(pk=network.submissions[0].pk).result_report.name == old
    assert default_storage.exists(old)


def test_a_file_another_row_names_is_kept(network, django_capture_on_commit_callbacks):
    """A submission recommended to the parent campaign shares its result report: replacing
    the report of one keeps the file the other still names."""
    with django_capture_on_commit_callbacks(execute=True):
        old = upload_report(network, "shared").result_report.name
    with no_tenant():
        Submission.objects.filter(pk=network.submissions[1].pk).update(result_report=old)
    with django_capture_on_commit_callbacks(execute=True):
        upload_report(network, "replacement")
    assert default_storage.exists(old)


def test_deleted_rows_files_are_deleted_after_commit(network, django_capture_on_commit_callbacks):
    """R-SC-35: deleting a row (and, by cascade, its attachments) deletes their files once
    the deletion commits."""
    with no_tenant():
        run = ReportRun.objects.create(
            organisation=network.pa, campaign=network.campaign, form="annex3", file_format="xlsx"
        )
        run.file.save("报表.xlsx", ContentFile(b"PK\x03\x04 report"), save=True)
        announcement = AnnouncementFactory(organisation=network.pa, created_by=network.users.pa_staff)
        attachment = AnnouncementAttachment(announcement=announcement, title="附件")
        attachment.file.save("附件.pdf", ContentFile(b"%PDF-1.4 attachment"), save=True)
        names = [run.file.name, attachment.file.name]
        assert all(default_storage.exists(n) for n in names)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            ReportRun.objects.filter(pk=run.pk).delete()
            announcement.delete()
        assert all(default_storage.exists(n) for n in names), "deleted before the commit"
        for callback in callbacks:
            callback()
    assert not any(default_storage.exists(n) for n in names)


# --- the orphan sweep ----------------------------------------------------------------------------
@pytest.fixture
def media(tmp_path):
    """A storage of its own, so the session's other uploads do not interfere."""
    return FileSystemStorage(location=tmp_path)


def _file(storage, name: str, *, hours_old: float) -> str:
    name = storage.save(name, ContentFile(b"x" * 100))
    when = time.time() - hours_old * 3600
    os.utime(storage.path(name), (when, when))
    return name


def test_orphan_sweep_removes_only_old_unreferenced_files(network, media):
    """R-SC-36: an unreferenced file older than the grace period goes; a referenced one
    (however old) and an unreferenced one inside the grace period stay; the report lists
    what went. A dry run lists the same without deleting."""
    referenced = _file(media, "results/2020/referenced.pdf", hours_old=100)
    orphan = _file(media, "results/2020/orphan.pdf", hours_old=100)
    recent = _file(media, "judge-imports/in-flight.xlsx", hours_old=1)
    with no_tenant():
        Submission.objects.filter(pk=network.submissions[0].pk).update(result_report=referenced)

    dry = orphan_files_remove(grace=dt.timedelta(hours=24), dry_run=True, storage=media)
    assert [name for name, _size in dry.removed] == [orphan] and dry.dry_run
    assert media.exists(orphan)

    report = orphan_files_remove(grace=dt.timedelta(hours=24), storage=media)
    assert report.removed == [(orphan, 100)] and report.bytes_removed == 100
    assert report.kept_recent == 1 and report.scanned == 3
    assert not media.exists(orphan)
    assert media.exists(referenced) and media.exists(recent)


def test_orphan_command_reports_and_dry_runs(network, settings, tmp_path):
    """``manage.py orphan_files --dry-run`` lists without deleting; without it, removes and
    reports in Chinese."""
    settings.MEDIA_ROOT = str(tmp_path)
    storage = FileSystemStorage(location=tmp_path)
    orphan = _file(storage, "videos/2020/orphan.mp4", hours_old=48)
    assert default_storage.path(orphan) == storage.path(orphan)  # MEDIA_ROOT followed
    out = io.StringIO()
    call_command("orphan_files", "--dry-run", stdout=out)
    assert f"将删除 {orphan}" in out.getvalue() and storage.exists(orphan)
    out = io.StringIO()
    call_command("orphan_files", "--grace-hours", "72", stdout=out)
    assert "已删除0个孤立文件" in out.getvalue() and storage.exists(orphan)
    out = io.StringIO()
    call_command("orphan_files", stdout=out)
    assert f"已删除 {orphan}" in out.getvalue() and not storage.exists(orphan)
    _file(storage, "videos/2020/again.mp4", hours_old=48)
    assert orphan_files_remove_task.apply().get()["removed"] == 1


def test_orphan_task_is_scheduled_daily():
    """The sweep runs from Celery beat (R-SC-36)."""
    entry = settings.CELERY_BEAT_SCHEDULE["orphan-files"]
    assert entry["task"] == "qcportal.tasks.orphan_files_remove_task"
