"""The national package (推荐全国材料包): everything seed 002 asks a provincial or industry
association to send to the national association by the deadline, as one .zip with a
manifest.

Seed 002 (中国质协字〔2020〕21号) 三(二) and the annexes' notes: per recommended circle the
申报表 (Annex 1) as PDF and as Word (Annex 1 note 1: “PDF电子版格式一份…和word文本电子版一份”)
and its 成果报告 (note 1: “小组成果报告word文本电子版一份”); the association's 活动总结
(Annex 2, ≥3,000 characters), 统计表 (Annex 3), 推荐表 (Annex 4) and 评审汇总表 (Annex 5).
The portal produces Annexes 2 as Word and PDF and 3–5 as Excel and PDF.

Completeness is checked before anything is built (:func:`national_package_missing`): a
missing piece is listed, item by item in Chinese, and no package is produced.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

from django.utils.translation import gettext as _

from evaluation.models import Submission
from evaluation.selectors import submission_recommended_list
from promotion.models import Campaign
from qcportal.models import Organisation

from .choices import FileFormat, FormKind
from .exporters import exporter_for

#: The manifest's name in the package (first entry, so it is what opens first).
MANIFEST_NAME = "00_材料清单.csv"
MANIFEST_HEADER = ("序号", "文件", "内容", "来源")

#: The association-level forms of the package: (form, formats, folder-free file stem).
ASSOCIATION_FORMS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    (FormKind.ANNEX2, (FileFormat.DOCX, FileFormat.PDF), "附件2_质量管理小组活动总结"),
    (FormKind.ANNEX3, (FileFormat.XLSX, FileFormat.PDF), "附件3_质量管理小组活动统计表"),
    (FormKind.ANNEX4, (FileFormat.XLSX, FileFormat.PDF), "附件4_全国优秀质量管理小组推荐表"),
    (FormKind.ANNEX5, (FileFormat.XLSX, FileFormat.PDF), "附件5_质量管理小组成果评审汇总表"),
)

#: Annex 1 fields a recommended submission must carry (seed 002 Annex 1), with their labels.
ANNEX1_FIELDS = (
    ("address", "详细通信地址"),
    ("postcode", "邮编"),
    ("contact_department", "小组联系部门"),
    ("contact_person", "直接联系人"),
    ("contact_mobile", "手机"),
    ("introduction", "QC小组简介和主要活动过程及效果"),
)

_UNSAFE = re.compile(r'[\x00-\x1f\x7f\\/:*?"<>|]+')


def safe_name(text: str, limit: int = 40) -> str:
    """``text`` usable as a file name in the zip on Windows and Unix (path separators,
    reserved and control characters replaced by ``_``), at most ``limit`` characters."""
    return _UNSAFE.sub("_", text).strip(" ._")[:limit] or "_"


def submission_source(submission: Submission) -> str:
    """The manifest's 来源 for a submission: number, enterprise, circle and project."""
    return f"成果申报#{submission.pk} {submission.organisation.name}/{submission.circle.name}（{submission.project.title}）"


def _recommended(campaign: Campaign, association: Organisation) -> list[Submission]:
    return list(submission_recommended_list(campaign=campaign, association=association))


def national_package_missing(*, campaign: Campaign, association: Organisation) -> list[str]:
    """What keeps ``association``'s national package for ``campaign`` from being produced.

    Inputs: the campaign and the association (fetched in the active scope). Output: one
    Chinese message per missing item, empty when the package is complete: the organisation
    is not an association; no submission has status 已推荐; per recommended submission, an
    Annex 1 field left blank or no 成果报告 file (seed 002 Annex 1 note 1); Annex 2 not
    written or under 3,000 characters (seed 002 附件2); each association form's own
    :meth:`~reports.exporters.base.Exporter.missing_items` (Annex 3 figures and contacts,
    Annex 4 judges, Annex 5 assessments and scores). Reads a handful of queries.
    """
    if not association.is_association:
        return [_("推荐全国材料包只能由省市、行业质协生成，请选择协会。")]
    problems: list[str] = []
    submissions = _recommended(campaign, association)
    if not submissions:
        problems.append(
            _("本活动中没有状态为“已推荐”的成果申报：材料包至少需要一项推荐成果（附件1、附件4）。")
        )
    for s in submissions:
        blank = [label for field, label in ANNEX1_FIELDS if not str(getattr(s, field) or "").strip()]
        if blank:
            problems.append(
                _("附件1：%(source)s未填写%(fields)s。")
                % {"source": submission_source(s), "fields": "、".join(blank)}
            )
        if not s.result_report:
            problems.append(
                _("成果报告：%(source)s尚未上传成果报告文件（附件1注1：小组成果报告电子版）。")
                % {"source": submission_source(s)}
            )
        elif not s.result_report.storage.exists(s.result_report.name):
            problems.append(
                _("成果报告：%(source)s的成果报告文件已丢失，请重新上传。") % {"source": submission_source(s)}
            )
    for form, _formats, _stem in ASSOCIATION_FORMS:
        exporter = exporter_for(form)(campaign=campaign, organisation=association)
        problems.extend(str(item) for item in exporter.missing_items())
    return problems


@dataclass(frozen=True)
class PackageEntry:
    """One file of the package: its path in the zip, what it is (内容), where it comes from
    (来源), and how to produce it (``render`` → bytes, or ``open`` → a binary file)."""

    path: str
    what: str
    source: str
    render: Callable[[], bytes] | None = None
    open: Callable[[], IO[bytes]] | None = None


def national_package_entries(
    *, campaign: Campaign, association: Organisation, filled_by=None
) -> list[PackageEntry]:
    """The files of the package in order (manifest excluded): per recommended submission
    Annex 1 as PDF and Word in ``附件1_申报表/``, the association's Annexes 2–5 at the top
    level, and each submission's 成果报告 in ``成果报告/``. Nothing is rendered yet."""
    entries: list[PackageEntry] = []
    submissions = _recommended(campaign, association)
    annex1 = exporter_for(FormKind.ANNEX1)
    for n, s in enumerate(submissions, start=1):
        stem = f"{n:02d}_{safe_name(s.organisation.name)}_{safe_name(s.circle.name)}"
        for file_format, what in ((FileFormat.PDF, "PDF电子版"), (FileFormat.DOCX, "Word文本电子版")):
            entries.append(
                PackageEntry(
                    path=f"附件1_申报表/{stem}_申报表.{file_format}",
                    what=f"附件1 全国优秀质量管理小组申报表（{what}）",
                    source=submission_source(s),
                    render=lambda s=s, fmt=file_format: (
                        annex1(campaign=campaign, organisation=association, submission=s, filled_by=filled_by)
                        .render(fmt)
                        .content
                    ),
                )
            )
    for form, formats, stem in ASSOCIATION_FORMS:
        exporter_class = exporter_for(form)
        for file_format in formats:
            entries.append(
                PackageEntry(
                    path=f"{stem}.{file_format}",
                    what=f"{exporter_class.label}（{FileFormat(file_format).label}）",
                    source=association.name,
                    render=lambda cls=exporter_class, fmt=file_format: (
                        cls(campaign=campaign, organisation=association, filled_by=filled_by)
                        .render(fmt)
                        .content
                    ),
                )
            )
    for n, s in enumerate(submissions, start=1):
        suffix = PurePosixPath(s.result_report.name).suffix.lower() if s.result_report else ""
        entries.append(
            PackageEntry(
                path=f"成果报告/{n:02d}_{safe_name(s.organisation.name)}_{safe_name(s.circle.name)}_成果报告{suffix}",
                what="小组成果报告（附件1注1）",
                source=submission_source(s),
                open=lambda s=s: s.result_report.open("rb"),
            )
        )
    return entries


def manifest_bytes(entries: list[PackageEntry]) -> bytes:
    """The manifest as CSV (UTF-8 with BOM, so Excel opens the Chinese correctly): 序号, 文件,
    内容, 来源, one row per file of the package, the manifest itself first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(MANIFEST_HEADER)
    writer.writerow((1, MANIFEST_NAME, "材料清单（本文件）", "质量管理小组活动管理平台"))
    for n, entry in enumerate(entries, start=2):
        writer.writerow((n, entry.path, str(entry.what), entry.source))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def national_package_write(
    *,
    campaign: Campaign,
    association: Organisation,
    target: IO[bytes],
    filled_by=None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the package as a zip to ``target`` (a binary file, e.g. a temporary file).

    Memory stays bounded: one rendered form is held at a time, and result reports are copied
    from storage in blocks. ``progress`` is called with 10–95 (%) as files are added.
    Output: the number of files in the zip (manifest included). Call
    :func:`national_package_missing` first; a form that cannot be rendered raises its
    ``ValidationError``.
    """
    report = progress or (lambda percent: None)
    entries = national_package_entries(campaign=campaign, association=association, filled_by=filled_by)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST_NAME, manifest_bytes(entries))
        for index, entry in enumerate(entries, start=1):
            if entry.render is not None:
                archive.writestr(entry.path, entry.render())
            else:
                with entry.open() as source, archive.open(entry.path, "w", force_zip64=True) as sink:
                    shutil.copyfileobj(source, sink, 1024 * 1024)
            report(10 + 85 * index // len(entries))
    return len(entries) + 1
