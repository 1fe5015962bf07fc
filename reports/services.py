"""Writes of the reports app: starting and executing report runs."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import OperationalError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from evaluation.models import Submission
from promotion.models import Campaign
from qcportal.choices import OrganisationKind
from qcportal.db import replica_reads
from qcportal.models import Membership, Organisation
from qcportal.permissions import has_permission, require_permission
from qcportal.tenancy import is_visible

from .choices import FileFormat, FormKind, RunStatus, WorkSummaryKind
from .exporters import exporter_for
from .models import ReportRun, WorkSummary
from .worksummary import clean_sections, outline_for

logger = logging.getLogger(__name__)


@transaction.atomic
def report_run_start(
    *,
    membership: Membership | None,
    user,
    campaign: Campaign,
    form: str,
    file_format: str,
    organisation: Organisation,
    submission: Submission | None = None,
    enqueue: bool = True,
) -> ReportRun:
    """Record a report run and enqueue its Celery task once the transaction commits.

    Inputs: the acting ``membership`` (``None`` only for the command line, which runs with
    the organisation's own scope), the requesting ``user`` (or ``None``), the ``campaign``,
    ``form`` (``FormKind`` value), ``file_format`` (``xlsx``/``pdf``), the ``organisation``
    the form is about and, for Annex 1, an optional ``submission``. All objects must have
    been fetched inside the active tenant scope (a foreign one is never found: 404).
    Output: the new ``ReportRun`` (status pending). Raises ``PermissionDenied`` without the
    exporter's permission, ``ValidationError`` (Chinese message) for bad parameters.
    """
    exporter_class = exporter_for(form)
    if membership is not None:
        require_permission(membership, exporter_class.permission)
        if not is_visible(organisation, to=membership.organisation):
            raise ValidationError({"organisation": _("只能为本单位及下级单位生成报表。")})
    if file_format not in FileFormat.values or file_format not in exporter_class.formats:
        raise ValidationError({"file_format": _("该报表不支持所选格式。")})
    exporter_class(campaign=campaign, organisation=organisation, submission=submission).validate()
    run = ReportRun.objects.create(
        organisation=organisation,
        campaign=campaign,
        form=form,
        file_format=file_format,
        submission=submission,
        requested_by=user,
        requested_as=membership,
    )
    if enqueue:
        scope = {"membership_id": membership.pk} if membership else {"organisation_id": organisation.pk}
        transaction.on_commit(lambda: _enqueue(run.pk, scope))
    return run


def _enqueue(run_id: int, scope: dict) -> None:
    """Send the task (runs after commit, possibly outside the request's scope: it only
    touches the run it was given, by primary key). ``scope``: ``membership_id`` or
    ``organisation_id`` for :class:`~qcportal.tenancy.TenantTask`."""
    from .tasks import form_render_task

    result = form_render_task.apply_async(kwargs={"run_id": run_id, **scope})
    ReportRun._base_manager.filter(pk=run_id, task_id="").update(task_id=result.id or "")


def _set_progress(run_id: int, percent: int) -> None:
    ReportRun.objects.filter(pk=run_id).update(progress=percent)


def report_run_execute(*, run_id: int) -> ReportRun:
    """Produce the file of report run ``run_id`` (idempotent; called by the task).

    Runs inside the requester's tenant scope (set by ``TenantTask``) and re-checks the
    requester's permission (a revoked role fails the run). Marks the run running,
    reports progress (0–100 %) as the exporter advances, stores the file in Django storage
    and marks it succeeded; a ``ValidationError`` marks it failed with its Chinese message,
    any other error with a generic message (and is logged). A run that already finished is
    returned unchanged. ``OperationalError`` (database unavailable) propagates so the task
    can retry.
    """
    run = ReportRun.objects.select_related(
        "campaign", "organisation", "submission", "requested_by", "requested_as__organisation"
    ).get(pk=run_id)
    if run.is_finished:
        return run
    exporter_class = exporter_for(run.form)
    if run.requested_as is not None and not has_permission(run.requested_as, exporter_class.permission):
        # The one permission check again: the role may have been revoked since the request.
        return _fail(run, _("申请人已不再拥有生成该报表的权限。"))
    ReportRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, started_at=timezone.now(), progress=5
    )
    exporter = exporter_class(
        campaign=run.campaign,
        organisation=run.organisation,
        submission=run.submission,
        filled_by=run.requested_by,
        progress=lambda percent: _set_progress(run.pk, percent),
    )
    try:
        # Official forms are Chinese whatever language the requester browses in. The figures
        # are read from the replica when there is one (issue 10 item 6); the run's own rows
        # (status, progress) are written and read on the primary.
        with translation.override(settings.LANGUAGE_CODE), replica_reads():
            rendered = exporter.render(run.file_format)
    except OperationalError:
        raise
    except ValidationError as exc:
        return _fail(run, "；".join(exc.messages))
    except Exception:
        logger.exception("report run %s failed", run.pk)
        return _fail(run, _("报表生成失败，请稍后重试或联系管理员。"))
    content = File(rendered.file) if rendered.file is not None else ContentFile(rendered.content)
    try:
        with transaction.atomic():
            run.file.save(rendered.filename, content, save=False)
            run.filename, run.content_type = rendered.filename, rendered.content_type
            run.status, run.progress, run.finished_at = RunStatus.SUCCEEDED, 100, timezone.now()
            run.save(update_fields=["file", "filename", "content_type", "status", "progress", "finished_at"])
    finally:
        if rendered.file is not None:
            rendered.file.close()
    return run


def _fail(run: ReportRun, message: str) -> ReportRun:
    run.status, run.error, run.finished_at = RunStatus.FAILED, message, timezone.now()
    run.save(update_fields=["status", "error", "finished_at"])
    return run


#: Organisation kinds that may write each kind of work summary (seed 002 附件2: the
#: provincial and industry associations — and the national one, for its own records;
#: seed 003 附件5: recommending units and associations).
WORK_SUMMARY_WRITERS = {
    WorkSummaryKind.ANNUAL: ("association",),
    WorkSummaryKind.PROMOTION: ("association", OrganisationKind.RECOMMENDING_UNIT),
}


def _may_write(organisation: Organisation, kind: str) -> bool:
    allowed = WORK_SUMMARY_WRITERS.get(kind, ())
    return ("association" in allowed and organisation.is_association) or organisation.kind in allowed


@transaction.atomic
def work_summary_save(
    *, membership: Membership, user, campaign: Campaign, kind: str, sections: dict
) -> WorkSummary:
    """Save (create or replace) the draft work summary of the acting organisation.

    Inputs: the acting ``membership`` (needs ``reports:export``; the summary belongs to its
    organisation), the ``user``, the ``campaign`` (fetched in the scope), ``kind`` (a
    ``WorkSummaryKind`` value) and ``sections`` (``{sub-point key: text}``; keys left out are
    saved empty, PUT semantics). A draft may be saved at any length; the export checks the
    minimum (seed 002 附件2: 3,000 characters). Output: the saved :class:`WorkSummary`.
    Raises ``PermissionDenied`` without the permission and ``ValidationError`` (Chinese, per
    sub-point) for an unknown kind, an organisation that does not write this kind, text
    with control characters such as NUL, or over-long text
    (:func:`reports.worksummary.clean_sections`).
    """
    require_permission(membership, "reports:export")
    outline = outline_for(kind)
    organisation = membership.organisation
    if not _may_write(organisation, kind):
        raise ValidationError(
            _("%(form)s只能由%(who)s填写。")
            % {
                "form": FormKind(outline.form).label,
                "who": _("省市、行业质协") if kind == WorkSummaryKind.ANNUAL else _("推荐单位或质协"),
            }
        )
    cleaned = clean_sections(sections, outline)
    summary = (
        WorkSummary.objects.select_for_update()
        .filter(organisation=organisation, campaign=campaign, kind=kind)
        .first()
    )
    if summary is None:
        summary = WorkSummary(organisation=organisation, campaign=campaign, kind=kind)
    summary.sections = cleaned
    summary.updated_by = user
    summary.save()
    return summary
