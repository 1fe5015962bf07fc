"""The results knowledge base (成果知识库; issue 11 item 3; seed 001 §7.6 成果推广应用).

Every accepted project and every project of a published judging has one
:class:`~evaluation.models.LibraryEntry`, built here from what the portal already holds (never
typed twice): the project and its circle, the activity records, the latest submission (the
introduction, the domain and the text of the result report) and the best published grade.

- **Search** (rule R-KB-01): the text is segmented by jieba in search mode (a word and its
  shorter words: 不良率 → 不良, 不良率) into ``search_text``; PostgreSQL matches it with its
  full-text search on the stored vector (configuration ``simple``, GIN index
  ``evaluation_library_vector``, ranked
  by ``ts_rank``); SQLite, the demo's database, falls back to a plain substring match.
- **Sharing** (rule R-KB-02): the owning enterprise chooses its own organisation (default),
  its association's subtree or everyone logged in; the manager of the entries applies it
  (:func:`qcportal.tenancy.shared_manager`).
- **Facets and similar results** (rule R-KB-03): counts by type, domain, year, industry and
  grade of what a search finds; similar results share the entry's keywords.
- **Adoptions** (推广应用, rule R-KB-04): a unit that sees a result records where it adopted it
  and with what effect; the results most adopted come first on the knowledge base's page.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
from decimal import Decimal
from functools import lru_cache

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes import scopes_disabled

from circles.choices import ProjectStatus
from circles.models import ActivityRecord, Project
from qcportal.choices import ASSOCIATION_KINDS
from qcportal.conflicts import Conflict, conflict_for, register_conflict
from qcportal.permissions import require_permission

from .choices import JudgingStatus, LibrarySharing, SubmissionStatus
from .models import Adoption, LibraryEntry, Result, Submission

logger = logging.getLogger(__name__)

#: Longest text kept from a result report (characters); reports run to some 30 pages.
REPORT_TEXT_MAX = 200_000
#: Longest search a user may type (characters).
QUERY_MAX = 100
#: Keywords kept per entry, and similar results shown.
KEYWORDS_KEPT = 10
SIMILAR_SHOWN = 5
#: The facets of a search: label and the entry's field.
FACETS = (
    ("project_type", "project_type"),
    ("domain", "domain"),
    ("year", "year"),
    ("industry", "industry"),
    ("grade", "grade"),
)

#: A second record of the same place (rule R-KB-04).
ADOPTION_DUPLICATE = gettext_lazy("本单位已登记过该成果在此部门/场所的推广应用，请修改原记录。")
register_conflict("evaluation_adoption_place_uniq", ADOPTION_DUPLICATE, "place")

_WORD = re.compile(r"[\w\u4e00-\u9fff]", re.UNICODE)


@lru_cache(maxsize=1)
def _jieba():
    """jieba with its dictionary loaded once per process (about a second) and quiet logs."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def segment(text: str) -> list[str]:
    """Words of ``text`` (a string) in jieba's search mode, lower-cased, punctuation and
    spaces dropped: ``"降低焊接不良率"`` → ``["降低", "焊接", "不良", "不良率"]``. Rule R-KB-01."""
    if not text:
        return []
    return [w.lower() for w in _jieba().cut_for_search(text) if _WORD.search(w)]


def keywords_of(text: str, top: int = KEYWORDS_KEPT) -> list[str]:
    """The ``top`` terms of ``text`` by TF-IDF (jieba.analyse), most telling first."""
    if not text:
        return []
    from jieba import analyse

    _jieba()
    return [w.lower() for w in analyse.extract_tags(text, topK=top) if _WORD.search(w)]


def report_text(field) -> str:
    """The text of a stored result report (``FieldFile``): PDF by pypdf, Word (.docx) by
    python-docx; at most :data:`REPORT_TEXT_MAX` characters. Output: ``""`` for no file, an
    old .doc, a file storage no longer holds or one that cannot be read (logged, never
    raised: a bad report must not stop the result from being found by its other text)."""
    if not field:
        return ""
    name = field.name.lower()
    try:
        with field.open("rb") as handle:
            data = handle.read()
        if name.endswith(".pdf"):
            from pypdf import PdfReader

            parts, size = [], 0
            for page in PdfReader(io.BytesIO(data)).pages:
                text = page.extract_text() or ""
                parts.append(text)
                size += len(text)
                if size >= REPORT_TEXT_MAX:
                    break
            return "\n".join(parts)[:REPORT_TEXT_MAX]
        if name.endswith(".docx"):
            import docx

            document = docx.Document(io.BytesIO(data))
            return "\n".join(p.text for p in document.paragraphs)[:REPORT_TEXT_MAX]
    except Exception:  # noqa: BLE001 - any unreadable file: index the rest
        logger.warning("library: the report %s could not be read", field.name, exc_info=True)
    return ""


def _audience(project: Project, sharing: str):
    """The organisation whose subtree sees an entry shared as ``sharing``: the enterprise
    itself, the nearest association above it, or ``None`` (everyone). Raises
    ``ValidationError`` (Chinese) for association sharing of an enterprise under none."""
    enterprise = project.organisation
    if sharing == LibrarySharing.EVERYONE:
        return None
    if sharing == LibrarySharing.ASSOCIATION:
        from qcportal.models import Organisation

        association = (
            Organisation._base_manager.filter(
                code__in=enterprise.ancestor_codes(), kind__in=ASSOCIATION_KINDS
            )
            .order_by("-depth")
            .first()
        )
        if association is None:
            raise ValidationError({"sharing": _("本企业不属于任何协会，请选择其他共享范围。")})
        return association
    return enterprise


def library_index(project_id: int) -> LibraryEntry | None:
    """Build or refresh the knowledge-base entry of one project (rule R-KB-01).

    Input: a project's id (any tenant: system work run after commit by
    :func:`evaluation.tasks.library_index_task`). Output: the entry, or ``None`` when the
    project is neither accepted nor part of a published judging (an entry it had is kept:
    a result once in the knowledge base stays findable). Keeps the owner's sharing choice;
    reads the project with its circle, the latest submission with a report, the best
    published grade and the records' tools and content. Idempotent.
    """
    with scopes_disabled():
        project = Project._base_manager.select_related("circle", "organisation").filter(pk=project_id).first()
        if project is None:
            return None
        results = (
            Result._base_manager.filter(
                submission__project_id=project_id, judging__status=JudgingStatus.PUBLISHED
            )
            .select_related("grade")
            .order_by("grade__position", "-final_score")
        )
        published = list(results[:1])
        existing = LibraryEntry._base_manager.filter(project_id=project_id).first()
        if project.status != ProjectStatus.ACCEPTED and not published and existing is None:
            return None
        # The latest submission past its draft, one with a result report first: a draft of a
        # new campaign never replaces what was submitted and shared.
        submissions = (
            Submission._base_manager.filter(project_id=project_id)
            .exclude(status=SubmissionStatus.DRAFT)
            .select_related("domain")
            .order_by("-id")
        )
        submission = submissions.exclude(result_report="").first() or submissions.first()
        records = list(
            ActivityRecord._base_manager.filter(project_id=project_id).values_list("tools", "content")
        )
        tools = "、".join(dict.fromkeys(t.strip() for t, _c in records if t and t.strip()))[:300]
        grade = published[0].grade.name if published and published[0].grade_id else ""
        summary = (submission.introduction if submission else "") or project.reasons
        report = report_text(submission.result_report) if submission else ""
        enterprise = (submission.seal_name if submission else "") or project.organisation.name
        text = "\n".join(
            [
                project.title,
                project.circle.name,
                enterprise,
                project.get_project_type_display(),
                submission.domain.name if submission and submission.domain_id else "",
                project.organisation.industry,
                tools,
                project.reasons,
                project.indicator,
                project.intangible_benefits,
                summary,
                *(c for _t, c in records if c),
                report,
            ]
        )
        year_on = project.accepted_on or project.completed_on or project.applied_on
        values = {
            "organisation_id": project.organisation_id,
            "submission": submission,
            "title": project.title,
            "circle_name": project.circle.name,
            "enterprise_name": enterprise[:200],
            "project_type": project.project_type,
            "domain": submission.domain.name if submission and submission.domain_id else "",
            "industry": project.organisation.industry,
            "year": year_on.year,
            "economic_benefit": project.economic_benefit,
            "grade": grade,
            "honoured": bool(grade),
            "tools": tools,
            "summary": summary[:2000],
            "keywords": " ".join(keywords_of(text))[:200],
            "search_text": " ".join(segment(text)),
        }
        with transaction.atomic():
            entry, created = LibraryEntry._base_manager.select_for_update().get_or_create(
                project_id=project_id,
                defaults={**values, "audience": project.organisation},
            )
            if not created:
                for name, value in values.items():
                    setattr(entry, name, value)
                entry.save()
            if _postgres():  # the stored vector of the words (rule R-KB-01)
                from django.contrib.postgres.search import SearchVector

                LibraryEntry._base_manager.filter(pk=entry.pk).update(
                    search_vector=SearchVector("search_text", config="simple")
                )
        return entry


def library_index_judging(judging_id: int) -> int:
    """Index every project of a judging's results (after its publication). Input: the
    judging's id. Output: the number of entries written."""
    with scopes_disabled():
        ids = list(
            Result._base_manager.filter(judging_id=judging_id).values_list(
                "submission__project_id", flat=True
            )
        )
    return sum(1 for pid in ids if library_index(pid) is not None)


def library_rebuild(organisation_ids=None) -> int:
    """Index every accepted project and every project of a published judging (of the given
    enterprises, or all). Used by the demo, after bulk loads that bypass the signals, and by
    the ``library_rebuild`` command. Output: the number of entries written."""
    with scopes_disabled():
        projects = Project._base_manager.filter(
            Q(status=ProjectStatus.ACCEPTED) | Q(submissions__result__judging__status=JudgingStatus.PUBLISHED)
        )
        if organisation_ids is not None:
            projects = projects.filter(organisation_id__in=list(organisation_ids))
        ids = list(projects.values_list("pk", flat=True).distinct().order_by("pk"))
    return sum(1 for pid in ids if library_index(pid) is not None)


def enqueue_index(project_ids) -> None:
    """Index the projects once the current transaction commits (Celery; in-process when no
    broker is configured). Input: an iterable of project ids."""
    ids = sorted(set(project_ids))
    if not ids:
        return
    from .tasks import library_index_task

    transaction.on_commit(lambda: library_index_task.delay(ids), robust=True)


# --- reading ---------------------------------------------------------------------------------


def clean_query(q: str | None) -> str:
    """The search as typed, trimmed; raises ``ValidationError`` (Chinese) for a NUL or one
    longer than :data:`QUERY_MAX` characters."""
    q = (q or "").strip()
    if "\x00" in q:
        raise ValidationError({"q": _("检索词含有非法字符。")})
    if len(q) > QUERY_MAX:
        raise ValidationError({"q": _("检索词不能超过%(n)d个字。") % {"n": QUERY_MAX}})
    return q


def library_entries() -> QuerySet[LibraryEntry]:
    """The entries the acting membership may see (rule R-KB-02: its share and what is shared
    with it), newest first."""
    return LibraryEntry.objects.defer("search_text", "search_vector").order_by("-year", "-id")


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def library_search(queryset: QuerySet[LibraryEntry], q: str) -> QuerySet[LibraryEntry]:
    """Filter ``queryset`` by the search ``q`` (already cleaned) and order by relevance (rule
    R-KB-01). PostgreSQL: every word of the segmented search must be among the entry's words
    (``plainto_tsquery('simple', …)`` on the stored, GIN-indexed ``search_vector``), ranked by
    ``ts_rank``; SQLite: every word is a substring of the text. An empty search changes
    nothing; a search of punctuation only finds nothing."""
    if not q:
        return queryset
    words = list(dict.fromkeys(segment(q)))
    if not words:
        return queryset.none()
    if _postgres():
        from django.contrib.postgres.search import SearchQuery, SearchRank

        query = SearchQuery(" ".join(words), config="simple", search_type="plain")
        return (
            queryset.filter(search_vector=query)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "-year", "-id")
        )
    for word in words:
        queryset = queryset.filter(search_text__contains=word)
    return queryset


def library_filter(queryset: QuerySet[LibraryEntry], params) -> QuerySet[LibraryEntry]:
    """Narrow by the facets chosen (``params``: a mapping with any of ``project_type``,
    ``domain``, ``industry``, ``grade`` as text and ``year`` as four digits; ``honoured``
    ``1``). Unknown or malformed values raise ``ValidationError`` (Chinese)."""
    for key in ("project_type", "domain", "industry", "grade"):
        value = (params.get(key) or "").strip()
        if value:
            if "\x00" in value or len(value) > 100:
                raise ValidationError({key: _("筛选条件不合法。")})
            queryset = queryset.filter(**{key: value})
    year = (params.get("year") or "").strip()
    if year:
        if not (year.isascii() and year.isdigit() and len(year) == 4):
            raise ValidationError({"year": _("年度须为四位数字。")})
        queryset = queryset.filter(year=int(year))
    if (params.get("honoured") or "") == "1":
        queryset = queryset.filter(honoured=True)
    return queryset


def library_facets(queryset: QuerySet[LibraryEntry]) -> dict[str, list[tuple]]:
    """Counts of ``queryset`` per value of each facet (rule R-KB-03), in SQL: ``{facet:
    [(value, count), …]}`` (most first, at most 12 values each; empty values left out).
    The search's ranking annotations are dropped first so each facet is one ``GROUP BY``."""
    base = queryset.order_by()
    if "rank" in base.query.annotations:
        base = LibraryEntry.objects.filter(pk__in=base.values("pk"))
    facets = {}
    for name, field in FACETS:
        rows = (
            base.exclude(**{field: ""} if name != "year" else {})
            .values_list(field)
            .annotate(n=Count("pk"))
            .order_by("-n", field)[:12]
        )
        facets[name] = list(rows)
    return facets


def library_similar(entry: LibraryEntry, limit: int = SIMILAR_SHOWN) -> list[LibraryEntry]:
    """Up to ``limit`` entries the acting membership may see that share the most of
    ``entry``'s keywords (rule R-KB-03): PostgreSQL matches the keywords of the others (GIN
    index ``evaluation_library_kw``) against ``entry``'s joined by OR and ranks by
    ``ts_rank`` (each keyword counted once, so more shared keywords rank higher); SQLite takes
    entries of the same type and domain. Never ``entry`` itself."""
    others = library_entries().exclude(pk=entry.pk)
    words = [w for w in entry.keywords.split() if w]
    if _postgres() and words:
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        query = SearchQuery(" | ".join(_tsquery_word(w) for w in words), config="simple", search_type="raw")
        vector = SearchVector("keywords", config="simple")
        return list(
            others.alias(shared=vector)
            .filter(shared=query)
            .annotate(rank=SearchRank(vector, query))
            .order_by("-rank", "-id")[:limit]
        )
    return list(others.filter(project_type=entry.project_type, domain=entry.domain)[:limit])


def _tsquery_word(word: str) -> str:
    """A keyword as a quoted tsquery lexeme (quotes and backslashes escaped)."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def most_adopted(limit: int = 5) -> list[LibraryEntry]:
    """The visible results adopted most often (rule R-KB-04), at most ``limit``."""
    return list(library_entries().filter(adoption_count__gt=0).order_by("-adoption_count", "-id")[:limit])


# --- writing ---------------------------------------------------------------------------------


def entry_share(*, membership, entry: LibraryEntry, sharing: str) -> LibraryEntry:
    """The owning enterprise sets with whom ``entry`` is shared (rule R-KB-02).

    Inputs: the membership (``library:share`` of the owning enterprise), the entry, one of
    :class:`~evaluation.choices.LibrarySharing`. Output: the entry saved with its new
    ``audience``. Raises ``PermissionDenied`` for anyone but the owner's management, and
    ``ValidationError`` (Chinese) for an unknown choice."""
    require_permission(membership, "library:share")
    if entry.organisation_id != membership.organisation_id:
        raise PermissionDenied(_("只有成果所属企业可以设置共享范围。"))
    if sharing not in LibrarySharing.values:
        raise ValidationError({"sharing": _("请选择有效的共享范围。")})
    with transaction.atomic():
        entry = (
            LibraryEntry._base_manager.select_for_update()
            .select_related("project__organisation")
            .get(pk=entry.pk)
        )
        entry.sharing = sharing
        entry.audience = _audience(entry.project, sharing)
        entry._audit_event = "evaluation.libraryentry.shared"
        entry.save(update_fields=["sharing", "audience", "indexed_at"])
    return entry


def adoption_recount(entry_id: int) -> int:
    """Count an entry's adoptions into ``adoption_count`` (rule R-KB-04), the entry's row
    locked first so simultaneous records count each other. Output: the count."""
    with transaction.atomic():
        LibraryEntry._base_manager.select_for_update().filter(pk=entry_id).values_list("pk").first()
        count = Adoption._base_manager.filter(entry_id=entry_id).count()
        LibraryEntry._base_manager.filter(pk=entry_id).update(adoption_count=count)
    return count


def adoption_save(
    *, membership, entry: LibraryEntry, data: dict, adoption: Adoption | None = None
) -> Adoption:
    """Record that the acting organisation adopted ``entry`` (推广应用; rule R-KB-04) or
    change its record.

    Inputs: the membership (``library:adopt``), an entry it may see, ``data`` with
    ``place`` (≤ 100 characters), ``adopted_on`` (a date from the result's year to today),
    ``effect`` (≤ 1,000 characters) and optional ``benefit`` (万元, 0–99,999,999).
    Output: the saved adoption; the entry's count follows in the same transaction. Raises
    ``PermissionDenied``, ``ValidationError`` (Chinese) for bad input, and, for a second
    record of the same place, a conflict (409 on the API)."""
    require_permission(membership, "library:adopt")
    if adoption is not None and adoption.organisation_id != membership.organisation_id:
        raise PermissionDenied(_("只能修改本单位记录的推广应用。"))
    errors = {}
    place = (data.get("place") or "").strip()
    effect = (data.get("effect") or "").strip()
    adopted_on = data.get("adopted_on")
    benefit = data.get("benefit")
    if not place:
        errors["place"] = _("请填写应用部门或场所。")
    elif len(place) > 100:
        errors["place"] = _("应用部门或场所不能超过100个字。")
    if not effect:
        errors["effect"] = _("请填写应用效果。")
    elif len(effect) > 1000:
        errors["effect"] = _("应用效果不能超过1000个字。")
    if not isinstance(adopted_on, dt.date):
        errors["adopted_on"] = _("请填写应用日期。")
    elif adopted_on > timezone.localdate() or adopted_on.year < entry.year:
        errors["adopted_on"] = _("应用日期须在成果年度之后且不晚于今天。")
    if benefit is not None and not (Decimal("0") <= Decimal(benefit) <= Decimal("99999999")):
        errors["benefit"] = _("经济效益须在0至99999999万元之间。")
    if errors:
        raise ValidationError(errors)
    same = Adoption._base_manager.filter(entry=entry, organisation_id=membership.organisation_id, place=place)
    if adoption is not None:
        same = same.exclude(pk=adoption.pk)
    if same.exists():
        raise Conflict(ADOPTION_DUPLICATE)
    try:
        with transaction.atomic():
            if adoption is None:
                adoption = Adoption(
                    entry=entry, organisation_id=membership.organisation_id, recorded_by=membership.user
                )
            adoption.place, adoption.adopted_on = place, adopted_on
            adoption.effect, adoption.benefit = effect, benefit
            adoption.save()
            adoption_recount(entry.pk)
    except IntegrityError as exc:  # the same record sent twice at once: the constraint decides
        raise (conflict_for(exc) or exc) from None
    return adoption


def adoption_delete(*, membership, adoption: Adoption) -> None:
    """Delete an adoption the acting organisation recorded (``library:adopt``); the entry's
    count follows. Raises ``PermissionDenied`` for another organisation's record."""
    require_permission(membership, "library:adopt")
    if adoption.organisation_id != membership.organisation_id:
        raise PermissionDenied(_("只能删除本单位记录的推广应用。"))
    with transaction.atomic():
        entry_id = adoption.entry_id
        adoption.delete()
        adoption_recount(entry_id)


def adoptions_of(entry: LibraryEntry) -> QuerySet[Adoption]:
    """The adoptions of ``entry`` visible to the acting membership, with their units."""
    return Adoption.objects.filter(entry=entry).select_related("organisation").order_by("-adopted_on", "-id")


def _project_saved(sender, instance, **kwargs) -> None:
    if instance.status == ProjectStatus.ACCEPTED:
        enqueue_index([instance.pk])


def _submission_saved(sender, instance, update_fields=None, **kwargs) -> None:
    if update_fields is not None and "result_report" in update_fields and instance.project_id:
        enqueue_index([instance.project_id])


def connect_library_signals() -> None:
    """Keep the knowledge base current (called from ``EvaluationConfig.ready``): a project
    saved as accepted, or a submission's new result report, is (re)indexed after commit.
    Publication indexes its judging's results (:func:`evaluation.grading.judging_publish_effect`)."""
    from django.db.models.signals import post_save

    post_save.connect(_project_saved, sender=Project, dispatch_uid="evaluation.library.project")
    post_save.connect(_submission_saved, sender=Submission, dispatch_uid="evaluation.library.submission")
