"""Blind materials review (盲评), issue 8 item 8.

In a round with ``blind`` set, a judge (role ``judge``) sees no enterprise, circle or member
names in any page, file name or API response of that round. One question decides it —
:func:`is_blind_for` — and one way masks: the submission is shown as its code
「成果 #<id>」 (:func:`code`), the project title stays (it is the result's title) with the
enterprise's, the seal's and the circle's names cut out of it (:func:`title`). Staff and every
other role always see the names.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from qcportal.roles import Role

from .choices import RoundStatus

#: What replaces a name inside a masked text.
MASK = "＊＊＊"


def blind_submission_ids(membership) -> frozenset[int]:
    """The submissions ``membership`` judges blind: those where its judge profile at the
    membership's association holds a live (not recused) assignment in a published round with
    ``blind`` set. Empty for every role but ``judge``. One query, memoised on the membership
    object (which lives for one request). Rule R-JD-18 (issue 8 item 8)."""
    if membership is None or membership.role != Role.JUDGE:
        return frozenset()
    cached = getattr(membership, "_blind_submission_ids", None)
    if cached is not None:
        return cached
    from .models import JudgeAssignment

    ids = frozenset(
        JudgeAssignment._base_manager.filter(
            judge__user_id=membership.user_id,
            judge__organisation_id=membership.organisation_id,
            round__blind=True,
        )
        .exclude(round__status=RoundStatus.DRAFT)
        .values_list("submission_id", flat=True)
    )
    membership._blind_submission_ids = ids
    return ids


def is_blind_for(membership, submission) -> bool:
    """True when ``membership`` must not see the names of ``submission`` (a judge assigned to
    it in a blind round; issue 8 item 8, rule R-JD-18). Input: a membership and a submission
    (or its id). Staff and other roles: always False."""
    pk = submission if isinstance(submission, int) else submission.pk
    return pk in blind_submission_ids(membership)


def code(submission) -> str:
    """The neutral code of a submission shown instead of its names: 「成果 #<id>」."""
    pk = submission if isinstance(submission, int) else submission.pk
    return _("成果 #%(id)s") % {"id": pk}


def _names(submission) -> list[str]:
    """The names that identify ``submission``'s enterprise and circle, longest first."""
    names = {
        submission.organisation.name,
        getattr(submission.organisation, "short_name", "") or "",
        submission.seal_name or "",
        submission.circle.name,
    }
    return sorted((n for n in names if n and len(n) >= 2), key=len, reverse=True)


def mask_text(text: str, submission) -> str:
    """``text`` with the submission's enterprise, seal and circle names replaced by ＊＊＊."""
    for name in _names(submission):
        text = text.replace(name, MASK)
    return text


def title(submission) -> str:
    """The project title as a blind judge sees it: the title, with any enterprise or circle
    name in it masked (issue 8 item 8: the title stays unless it names the enterprise)."""
    return mask_text(submission.project.title, submission)


def report_filename(submission, extension: str) -> str:
    """The neutral download name of a result report: 成果报告_<id>.<ext>."""
    return f"成果报告_{submission.pk}.{extension}" if extension else f"成果报告_{submission.pk}"


def label(membership, submission) -> dict:
    """How ``membership`` sees ``submission``: ``{"blind", "code", "enterprise", "circle",
    "title"}`` — masked for a blind judge (enterprise and circle become the code), the real
    names otherwise."""
    if is_blind_for(membership, submission):
        return {
            "blind": True,
            "code": code(submission),
            "enterprise": code(submission),
            "circle": code(submission),
            "title": title(submission),
        }
    return {
        "blind": False,
        "code": code(submission),
        "enterprise": submission.organisation.name,
        "circle": submission.circle.name,
        "title": submission.project.title,
    }
