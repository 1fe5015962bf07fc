"""Tenant isolation, generated from the URL configuration (issue 3).

Every tenant route of the HTML UI and of the API is requested by the administrator and by
the staff of one province (PA, 测试省质量协会) for objects of another province (PB, 另一省质量协会):

- object routes answer 404; 403 is accepted only where the requester's role lacks the
  route's permission altogether, proven by the same request on an object of their own
  tenant also answering 403 (so the answer reveals nothing about the foreign object);
- list routes answer without any of the foreign tenant's objects;
- form routes refuse to act on a foreign organisation and create nothing;
- every edit form (a route named ``…edit`` or a form view over an object of the URL) is
  opened (GET) for an object of another tenant and for an object of an ANCESTOR of the
  requester's organisation (the national association's, seen from a province): 403 or 404,
  and none of the object's contact details in the body (issue 9 item 6).

Public routes (no tenant data) are listed with the reason. A route with neither a case nor
a public entry fails :func:`test_every_route_has_an_isolation_case`.
"""

from dataclasses import dataclass, field

import pytest
from django.urls import reverse

from qcportal.models import AuditEntry, Invitation, Membership, Organisation
from qcportal.tenancy import no_tenant
from reports.models import ReportRun
from tests.factories import api_token

from .routes import all_routes, edit_form_routes

pytestmark = pytest.mark.django_db

PUBLIC_ROUTES = {
    "login": "the login page",
    "healthz": 'liveness for the load balancer: answers {"status": "ok"} and touches no data',
    "readyz": "readiness for the load balancer: the status of the database, cache, storage and broker, no tenant data",
    "logout": "ends the session",
    "set_language": "sets the language cookie",
    "invitation-accept": "the one-time token is the credential; tested in tests/qcportal/test_admin.py",
    "password_change": "the requester's own password; tested in tests/qcportal/test_accounts.py",
    "password_change_done": "a fixed confirmation page, no tenant data",
    "password_reset": (
        "asks for a reset e-mail, the same answer for any address; tested in tests/qcportal/test_accounts.py"
    ),
    "password_reset_done": "a fixed confirmation page, no tenant data",
    "password_reset_confirm": (
        "the single-use, expiring token is the credential; tested in tests/qcportal/test_accounts.py"
    ),
    "password_reset_complete": "a fixed confirmation page, no tenant data",
    "otp-manage": "the requester's own two-factor status; tested in tests/qcportal/test_2fa.py",
    "otp-setup": "sets up the requester's own authenticator; tested in tests/qcportal/test_2fa.py",
    "otp-verify": "verifies the requester's own session; tested in tests/qcportal/test_2fa.py",
    "otp-recovery": "verifies the requester's own session with a recovery code; tested in tests/qcportal/test_2fa.py",
    "otp-recovery-codes": "POST only, the requester's own recovery codes; tested in tests/qcportal/test_2fa.py",
    "otp-disable": "POST only, the requester's own two-factor devices; tested in tests/qcportal/test_2fa.py",
    "reauth": "confirms the requester's own password, no tenant data; tested in tests/qcportal/test_reauth.py",
    "session-list": "the requester's own sessions only; tested in tests/qcportal/test_sessions.py",
    "session-end-others": "POST only, ends the requester's own other sessions; tested in tests/qcportal/test_sessions.py",
    "session-end": (
        "POST only, ends one of the requester's own sessions; another user's session id answers 404: "
        "tests/qcportal/test_sessions.py::test_another_users_session_cannot_be_ended"
    ),
    "api:token": "exchanges a password for a token",
    "api:schema": (
        "the OpenAPI description, no tenant data; login required unless API_DOCS_PUBLIC, tested in "
        "tests/security/test_api_docs.py"
    ),
    "api:api-root": "lists the API's URLs, no tenant data",
    "api:docs": (
        "Swagger UI over the OpenAPI description, no tenant data; login required unless API_DOCS_PUBLIC, "
        "tested in tests/security/test_api_docs.py"
    ),
    "evaluation:pool-import-template": (
        "the expert pool's fixed Excel template (headers only), no tenant data; needs evaluation:manage; "
        "tested in tests/evaluation/test_pool.py::test_import_preview_then_confirm_creates_and_updates"
    ),
    "api:notification-preferences": (
        "the requester's own notification preference, no tenant data; tested in "
        "tests/qcportal/test_notifications_delivery.py::test_preferences_api_get_patch_and_400_shape"
    ),
    "token-create": (
        "creates an API token for the requester only, no tenant data; tested in "
        "tests/qcportal/test_tokens.py::test_two_devices_get_two_named_tokens_and_the_key_is_shown_once"
    ),
    "promotion:training-create": (
        "records a training of the acting organisation only (no organisation in the input); tested in "
        "tests/promotion/test_trainings.py::test_only_the_management_layer_of_the_organisation_records"
    ),
    "promotion:review": (
        "the acting organisation's own evaluation of a year (no organisation in the URL, only the year); "
        "tested in tests/promotion/test_reviews.py::test_the_pages_write_the_evaluation_and_the_list"
    ),
    "promotion:plan-create": (
        "creates a plan of the acting organisation only (no organisation in the input); tested in "
        "tests/promotion/test_plans.py::test_another_enterprise_sees_no_plan"
    ),
    "verify:home": (
        "the public form to type a certificate number (issue 11 item 5), no tenant data; tested in "
        "tests/evaluation/test_certificates.py::test_an_unknown_number_reveals_nothing"
    ),
    "verify:certificate": (
        "public by design (R-CT-02): shows only the certificate's own text, rate-limited, 404 for an unknown "
        "number; tested in tests/evaluation/test_certificates.py::test_an_unknown_number_reveals_nothing"
    ),
    "api:notification-read-all": (
        "POST only, marks the requester's own notifications; tested in "
        "tests/qcportal/test_notifications_delivery.py::test_notifications_api_read_and_read_all_isolated"
    ),
}

REQUESTERS = ("pa_admin", "pa_staff")
FOREIGN_MARKERS = ("另一省质量协会", "另一丁化工有限公司", "PB-T", "另一区推荐单位", "郑评委", "QCPS-B-001")


@dataclass
class Case:
    """How to ask a route for the foreign tenant's object (and the requester's own)."""

    kind: str  # "object", "list" or "form"
    foreign: callable = None  # network -> URL kwargs (object) or POST data (form)
    own: callable = None  # network -> URL kwargs of a comparable object of the requester's tenant
    method: str = "get"
    data: dict = field(default_factory=dict)
    api: bool = False


def _membership(username):
    return Membership._base_manager.get(user__username=username)


def _audit_entry(organisation):
    return AuditEntry.objects.filter(organisation=organisation).order_by("id").first()


def _assignment(submission):
    return submission.assignments.order_by("id").first()


def _record(project):
    from circles.models import ActivityRecord

    record = ActivityRecord.objects.filter(project=project).order_by("id").first()
    return record or ActivityRecord.objects.create(
        organisation=project.organisation,
        circle=project.circle,
        project=project,
        step="select_topic",
        held_on=project.applied_on,
        content="隔离测试",
    )


def _attachment(project):
    from circles.models import RecordAttachment

    record = _record(project)
    return record.attachments.first() or RecordAttachment.objects.create(
        organisation=record.organisation,
        circle=record.circle,
        record=record,
        file="records/none.pdf",
        name="隔离.pdf",
        size=1,
        content_type="application/pdf",
    )


def _comment(project, author):
    from circles.models import RecordComment

    record = _record(project)
    return record.comments.first() or RecordComment.objects.create(
        organisation=record.organisation,
        circle=record.circle,
        record=record,
        author=author,
        text="隔离测试意见",
    )


def _import(enterprise, user):
    from circles.models import CircleImport

    return CircleImport.objects.filter(organisation=enterprise).first() or CircleImport.objects.create(
        organisation=enterprise,
        file="imports/none.xlsx",
        filename="隔离.xlsx",
        requested_by=user,
        status="invalid",
    )


def _structure_member(organisation):
    from promotion.models import StructureMember

    return StructureMember.objects.create(organisation=organisation, layer="management", name="隔离成员")


def _extension(campaign, organisation, user):
    from promotion.models import StageExtension

    return StageExtension.objects.get_or_create(
        campaign=campaign,
        organisation=organisation,
        stage="registration",
        defaults={"until": "2030-01-01", "reason": "隔离测试", "granted_by": user},
    )[0]


def _announcement(organisation, user):
    from tests.factories import AnnouncementFactory

    return AnnouncementFactory(organisation=organisation, created_by=user, title="隔离公告")


def _announcement_attachment(organisation, user):
    from django.core.files.base import ContentFile

    from promotion.models import AnnouncementAttachment

    attachment = AnnouncementAttachment(announcement=_announcement(organisation, user), title="隔离附件.pdf")
    attachment.file.save("isolation.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    attachment.save()
    return attachment


def _plan(organisation, user):
    from promotion.models import PromotionPlan

    plan, _created = PromotionPlan.objects.get_or_create(
        organisation=organisation,
        year=2026,
        defaults={"title": f"{organisation.name}推进计划", "created_by": user},
    )
    return plan


def _training(organisation, user):
    import datetime as dt

    from promotion.models import Training

    training, _created = Training.objects.get_or_create(
        organisation=organisation,
        topic=f"{organisation.name}培训",
        defaults={"held_on": dt.date(2020, 5, 1), "participants": 10, "created_by": user},
    )
    return training


def _conference(organisation, campaign):
    from promotion.models import PresentationConference

    conference, _created = PresentationConference.objects.get_or_create(
        organisation=organisation, campaign=campaign, defaults={"title": f"{organisation.name}发表会"}
    )
    return conference


def _signup(conference, enterprise):
    from circles.models import Project
    from evaluation.models import ConferenceSignUp

    project = Project.objects.filter(organisation=enterprise).order_by("id").first()
    signup, _created = ConferenceSignUp.objects.get_or_create(
        conference=conference,
        project=project,
        defaults={"organisation": enterprise, "circle_id": project.circle_id, "presenter": "发表人"},
    )
    return signup


def _library(circle):
    """The knowledge-base entry of ``circle``'s project (private to its enterprise), with a
    report so that its download route answers for the own one."""
    from django.core.files.base import ContentFile

    from evaluation.library import library_index
    from evaluation.models import Submission

    project = circle.projects.first()
    submission = Submission.objects.filter(project=project).first()
    if submission is not None and not submission.result_report:
        submission.result_report.save("report.pdf", ContentFile(b"%PDF-1.4 isolation"), save=True)
    return library_index(project.pk)


def _adoption(entry, organisation, user):
    import datetime as dt

    from evaluation.models import Adoption

    adoption, _created = Adoption.objects.get_or_create(
        entry=entry,
        organisation=organisation,
        place="隔离车间",
        defaults={"adopted_on": dt.date(2021, 1, 1), "effect": "隔离", "recorded_by": user},
    )
    return adoption


def _honour(granter, recipient, user):
    from evaluation.models import Honour

    honour, _created = Honour.objects.get_or_create(
        organisation=granter,
        title=f"{granter.name}优秀推进者",
        defaults={
            "kind": "promoter",
            "year": 2020,
            "recipient": recipient,
            "person_name": "隔离人员",
            "nominated_by": user,
        },
    )
    return honour


def _certificate(granter, recipient, user):
    import datetime as dt

    from evaluation.models import Certificate

    certificate, _created = Certificate.objects.get_or_create(
        number=f"{granter.code}-2020-00001-ABCD",
        defaults={
            "organisation": granter,
            "honour": _honour(granter, recipient, user),
            "recipient": recipient,
            "year": 2020,
            "holder": "隔离人员",
            "enterprise_name": recipient.name,
            "honour_text": "优秀推进者",
            "issuer_name": granter.name,
            "issued_on": dt.date(2020, 12, 1),
        },
    )
    return certificate


def _improvement(organisation, user):
    import datetime as dt

    from promotion.models import ImprovementItem

    item, _created = ImprovementItem.objects.get_or_create(
        organisation=organisation,
        title=f"{organisation.name}改进事项",
        defaults={"year": 2020, "owner": user, "deadline": dt.date(2020, 12, 31), "created_by": user},
    )
    return item


IM_PB = lambda n: {"pk": _improvement(n.pb, n.users.pb_staff).pk}  # noqa: E731
IM_PA = lambda n: {"pk": _improvement(n.pa, n.users.pa_staff).pk}  # noqa: E731
HN_PB = lambda n: {"pk": _honour(n.pb, n.e4, n.users.pb_staff).pk}  # noqa: E731
HN_PA = lambda n: {"pk": _honour(n.pa, n.e1, n.users.pa_staff).pk}  # noqa: E731
CT_PB = lambda n: {"pk": _certificate(n.pb, n.e4, n.users.pb_staff).pk}  # noqa: E731
CT_PA = lambda n: {"pk": _certificate(n.pa, n.e1, n.users.pa_staff).pk}  # noqa: E731
LIB_PB = lambda n: {"pk": _library(n.circles[7]).pk}  # noqa: E731  (E4, PB)
LIB_PA = lambda n: {"pk": _library(n.circles[0]).pk}  # noqa: E731  (E1, PA)
AD_PB = lambda n: {"pk": _adoption(_library(n.circles[7]), n.e4, n.users.e4_coord).pk}  # noqa: E731
AD_PA = lambda n: {"pk": _adoption(_library(n.circles[0]), n.pa, n.users.pa_staff).pk}  # noqa: E731
TR_PB = lambda n: {"pk": _training(n.pb, n.users.pb_staff).pk}  # noqa: E731
TR_PA = lambda n: {"pk": _training(n.pa, n.users.pa_staff).pk}  # noqa: E731
CF_PB = lambda n: {"pk": _conference(n.pb, n.campaign_pb).pk}  # noqa: E731
CF_PA = lambda n: {"pk": _conference(n.pa, n.campaign).pk}  # noqa: E731
SU_PB = lambda n: {"pk": _signup(_conference(n.pb, n.campaign_pb), n.e4).pk}  # noqa: E731
SU_PA = lambda n: {"pk": _signup(_conference(n.pa, n.campaign), n.e1).pk}  # noqa: E731
PLAN_PB = lambda n: {"pk": _plan(n.pb, n.users.pb_staff).pk}  # noqa: E731
PLAN_PA = lambda n: {"pk": _plan(n.pa, n.users.pa_staff).pk}  # noqa: E731
AN_PB = lambda n: {"pk": _announcement(n.pb, n.users.pb_staff).pk}  # noqa: E731
AN_PA = lambda n: {"pk": _announcement(n.pa, n.users.pa_staff).pk}  # noqa: E731
AT_PB = lambda n: {"pk": _announcement_attachment(n.pb, n.users.pb_staff).pk}  # noqa: E731
AT_PA = lambda n: {"pk": _announcement_attachment(n.pa, n.users.pa_staff).pk}  # noqa: E731


def _notification(user, organisation):
    from qcportal.models import Notification

    return Notification.objects.create(
        recipient=user,
        organisation=organisation,
        event="circles.project.applied",
        entity="circles.project",
        object_id=1,
        params={"object": "隔离", "url": "/projects/1/"},
    )


def _result(network, submission, association):
    """A published result of ``submission`` in the judging of CAQ-T by ``association``."""
    from evaluation.judging import judging_get_or_create
    from evaluation.models import Judging, Result

    judging = judging_get_or_create(campaign=network.campaign, association=association)
    Judging.objects.filter(pk=judging.pk).update(status="published")
    return Result.objects.get_or_create(
        submission=submission,
        defaults={
            "organisation": submission.organisation,
            "judging": judging,
            "final_score": "88",
            "rank": 1,
        },
    )[0]


RES_PB = lambda n: {"pk": _result(n, n.submissions[4], n.pb).pk}  # noqa: E731
RES_PA = lambda n: {"pk": _result(n, n.submissions[0], n.pa).pk}  # noqa: E731
CODE_PB = lambda n: {"code": "PB-T"}  # noqa: E731
CODE_PA = lambda n: {"code": "CAQ-T"}  # noqa: E731


C_PB = lambda n: {"pk": n.circles[7].pk}  # noqa: E731  (E4, PB)
C_PA = lambda n: {"pk": n.circles[0].pk}  # noqa: E731
P_PB = lambda n: {"pk": n.circles[7].projects.first().pk}  # noqa: E731
P_PA = lambda n: {"pk": n.circles[0].projects.first().pk}  # noqa: E731
R_PB = lambda n: {"pk": _record(n.circles[7].projects.first()).pk}  # noqa: E731
R_PA = lambda n: {"pk": _record(n.circles[0].projects.first()).pk}  # noqa: E731
A_PB = lambda n: {"pk": _attachment(n.circles[7].projects.first()).pk}  # noqa: E731
A_PA = lambda n: {"pk": _attachment(n.circles[0].projects.first()).pk}  # noqa: E731
K_PB = lambda n: {"pk": _comment(n.circles[7].projects.first(), n.users.e4_coord).pk}  # noqa: E731
K_PA = lambda n: {"pk": _comment(n.circles[0].projects.first(), n.users.e1_coord).pk}  # noqa: E731
I_PB = lambda n: {"pk": _import(n.e4, n.users.e4_coord).pk}  # noqa: E731
I_PA = lambda n: {"pk": _import(n.e1, n.users.e1_coord).pk}  # noqa: E731

S_PB = lambda n: {"pk": n.submissions[4].pk}  # noqa: E731  PB's submission (E4, recommended by PB)
S_PA = lambda n: {"pk": n.submissions[0].pk}  # noqa: E731


def _round(submission):
    from evaluation.judging import submission_default_round

    return submission_default_round(submission)


def _panel(submission):
    from evaluation.models import Panel

    round_ = _round(submission)
    return Panel.objects.get_or_create(organisation=round_.organisation, round=round_, name="隔离评审组")[0]


RD_PB = lambda n: {"pk": _round(n.submissions[4]).pk}  # noqa: E731  PB's round
RD_PA = lambda n: {"pk": _round(n.submissions[0]).pk}  # noqa: E731
PN_PB = lambda n: {"pk": _panel(n.submissions[4]).pk}  # noqa: E731
PN_PA = lambda n: {"pk": _panel(n.submissions[0]).pk}  # noqa: E731
JA_PB = lambda n: {"pk": n.submissions[4].assignments.order_by("id").first().pk}  # noqa: E731
JA_PA = lambda n: {"pk": n.submissions[5].assignments.order_by("id").first().pk}  # noqa: E731


def _qualification(judge):
    from evaluation.models import JudgeQualification

    return JudgeQualification._base_manager.get_or_create(judge=judge, kind="promoter", number="隔离-1")[0]


def _waiver(judge, submission, user):
    from evaluation.models import ConflictWaiver

    return ConflictWaiver._base_manager.get_or_create(
        judge=judge,
        submission=submission,
        defaults={"organisation": judge.organisation, "reason": "隔离测试", "waived_by": user},
    )[0]


JD_PB = lambda n: {"pk": n.pb_judge.pk}  # noqa: E731  (issue 8 expert pool)
JD_PA = lambda n: {"pk": n.judges[0].pk}  # noqa: E731


def _round_sheet(submission):
    from evaluation.judging import submission_default_round

    return {"round_pk": submission_default_round(submission).pk, "pk": submission.pk}


def _panel(submission):
    from evaluation.judging import submission_default_round
    from evaluation.models import Panel

    round_ = submission_default_round(submission)
    panel, _ = Panel._base_manager.get_or_create(
        organisation_id=round_.organisation_id, round=round_, name="隔离测试组"
    )
    submission.assignments.update(panel=panel)
    return panel


def _variant(organisation, user):
    from evaluation.models import SheetTemplate

    return SheetTemplate._base_manager.get_or_create(
        organisation=organisation, kind="presentation", version="隔离", defaults={"name": "隔离评分表"}
    )[0]


RS_PB = lambda n: _round_sheet(n.submissions[4])  # noqa: E731
RS_PA = lambda n: _round_sheet(n.submissions[0])  # noqa: E731
PN_PB = lambda n: {"pk": _panel(n.submissions[4]).pk}  # noqa: E731
PN_PA = lambda n: {"pk": _panel(n.submissions[0]).pk}  # noqa: E731
TP_PB = lambda n: {"pk": _variant(n.pb, n.users.pb_staff).pk}  # noqa: E731
TP_PA = lambda n: {"pk": _variant(n.pa, n.users.pa_staff).pk}  # noqa: E731


def _api_token(user, name="隔离令牌"):
    from qcportal.tokens import token_create

    return token_create(user=user, name=name)[0]


TK_PB = lambda n: {"pk": _api_token(n.users.pb_admin).pk}  # noqa: E731  (a PB administrator's token)
TK_PA = lambda n: {"pk": _api_token(n.users.pa_admin).pk}  # noqa: E731
TK_E4 = lambda n: {"pk": _api_token(n.users.e4_coord).pk}  # noqa: E731  (a user of PB's subtree)
TK_E1 = lambda n: {"pk": _api_token(n.users.e1_coord).pk}  # noqa: E731

CASES: dict[str, Case] = {
    # --- tenancy core (HTML)
    "home": Case("list"),
    "switch-membership": Case(
        "object",
        lambda n: {"pk": _membership("pb_admin").pk},
        lambda n: {"pk": _membership("pa_staff").pk},
        method="post",
    ),
    "organisation-list": Case("list"),
    "organisation-create": Case(
        "form",
        lambda n: {"code": "NEW-UNDER-PB", "name": "越界单位", "kind": "recommending_unit", "parent": "PB"},
        method="post",
    ),
    "organisation-detail": Case("object", lambda n: {"code": "PB"}, lambda n: {"code": "PA"}),
    "organisation-edit": Case("object", lambda n: {"code": "PB"}, lambda n: {"code": "PA"}),
    "membership-list": Case("list"),
    "invitation-create": Case(
        "form",
        lambda n: {
            "full_name": "越界",
            "email": "x@example.cn",
            "organisation": "PB",
            "role": "association_staff",
        },
        method="post",
    ),
    "user-deactivate": Case(
        "object", lambda n: {"pk": n.users.pb_staff.pk}, lambda n: {"pk": n.users.pa_leader.pk}, method="post"
    ),
    "membership-revoke": Case(
        "object",
        lambda n: {"pk": _membership("pb_staff").pk},
        lambda n: {"pk": _membership("pa_leader").pk},
        method="post",
    ),
    "invitation-revoke": Case(
        "object", lambda n: {"pk": n.invitations.pb.pk}, lambda n: {"pk": n.invitations.pa.pk}, method="post"
    ),
    "audit-list": Case("list"),
    "audit-detail": Case(
        "object", lambda n: {"pk": _audit_entry(n.pb).pk}, lambda n: {"pk": _audit_entry(n.pa).pk}
    ),
    # --- reports (HTML)
    "reports:campaign-forms": Case("object", lambda n: {"code": "PB-T"}, lambda n: {"code": "CAQ-T"}),
    "reports:run-list": Case("list"),
    "reports:run-detail": Case("object", lambda n: {"pk": n.runs.pb.pk}, lambda n: {"pk": n.runs.pa.pk}),
    "reports:run-download": Case("object", lambda n: {"pk": n.runs.pb.pk}, lambda n: {"pk": n.runs.pa.pk}),
    "reports:work-summary": Case(
        "object", lambda n: {"code": "PB-T", "kind": "annual"}, lambda n: {"code": "CAQ-T", "kind": "annual"}
    ),
    "reports:work-summary-org": Case(
        "object",
        lambda n: {"code": "CAQ-T", "kind": "annual", "org": "PB"},
        lambda n: {"code": "CAQ-T", "kind": "annual", "org": "PA"},
    ),
    "reports:national-package": Case("object", lambda n: {"code": "PB-T"}, lambda n: {"code": "CAQ-T"}),
    # Issue 10 item 3: the dashboard of another province (?org=PB) answers 404.
    "reports:dashboard": Case("object", lambda n: {}, lambda n: {}, data={"org": "PB"}),
    # --- promotion (HTML)
    "promotion:campaign-list": Case("list"),
    "promotion:campaign-detail": Case("object", lambda n: {"code": "PB-T"}, lambda n: {"code": "CAQ-T"}),
    "promotion:campaign-create": Case(
        "form",
        lambda n: {
            "year": "2023",
            "code": "PA-X",
            "title": "越界活动",
            "period_start": "2022-06-01",
            "period_end": "2023-05-31",
            "domains": "制造类",
            "grade_scheme": "benchmark_excellent",
            "submission_quota": "2",
            "parent": n.campaign_pb.pk,
            "fallback_unit": n.ru3.pk,
            "co_building_units": [n.ru3.pk],
        },
        method="post",
    ),
    "promotion:campaign-edit": Case("object", lambda n: {"code": "PB-T"}, lambda n: {"code": "CAQ-T"}),
    "promotion:campaign-stages": Case("object", lambda n: {"code": "PB-T"}, lambda n: {"code": "CAQ-T"}),
    "promotion:entry": Case("object", lambda n: {"code": "PB-T"}, lambda n: {"code": "CAQ-T"}),
    "promotion:extension-grant": Case(
        "object",
        lambda n: {"code": "PB-T"},
        lambda n: {"code": "CAQ-T"},
        method="post",
        data={
            "ext-organisation": "E4",
            "ext-stage": "registration",
            "ext-until": "2030-01-01",
            "ext-reason": "越界",
        },
    ),
    "promotion:extension-revoke": Case(
        "object",
        lambda n: {"code": "PB-T", "pk": _extension(n.campaign_pb, n.e4, n.users.pb_staff).pk},
        lambda n: {"code": "CAQ-T", "pk": _extension(n.campaign, n.e1, n.users.caq_staff).pk},
        method="post",
    ),
    # --- annual promotion plans (年度推进计划, issue 11 item 1; tests/promotion/test_plans.py)
    "promotion:plan-list": Case("list"),
    "promotion:plan-detail": Case("object", PLAN_PB, PLAN_PA),
    "promotion:plan-edit": Case("object", PLAN_PB, PLAN_PA),
    "api:plan-list": Case("list", api=True),
    "api:plan-detail": Case("object", PLAN_PB, PLAN_PA, api=True),
    "api:plan-transitions": Case(
        "object", PLAN_PB, PLAN_PA, method="post", data={"transition": "submit"}, api=True
    ),
    # --- trainings and yearly figures (issue 11 item 2; tests/promotion/test_trainings.py)
    "promotion:training-list": Case("list"),
    "promotion:training-edit": Case("object", TR_PB, TR_PA),
    "promotion:training-delete": Case("object", TR_PB, TR_PA, method="post"),
    "promotion:annual-figures": Case("list"),
    "api:training-list": Case("list", api=True),
    "api:training-detail": Case("object", TR_PB, TR_PA, api=True),
    # --- presentation conferences (issue 11 item 2; tests/evaluation/test_conferences.py)
    "evaluation:conference-list": Case("list"),
    "evaluation:conference-create": Case("form", lambda n: {"title": "越界发表会"}, method="post"),
    "evaluation:conference-detail": Case("object", CF_PB, CF_PA),
    "evaluation:conference-edit": Case("object", CF_PB, CF_PA),
    "evaluation:conference-signup": Case("object", SU_PB, SU_PA),
    "api:conference-list": Case("list", api=True),
    "api:conference-detail": Case("object", CF_PB, CF_PA, api=True),
    "api:conferencesignup-list": Case("list", api=True),
    "api:conferencesignup-detail": Case("object", SU_PB, SU_PA, api=True),
    "api:conferencesignup-transitions": Case(
        "object", SU_PB, SU_PA, method="post", data={"transition": "select"}, api=True
    ),
    # --- results knowledge base (issue 11 item 3; tests/evaluation/test_library.py)
    "evaluation:library": Case("list"),
    "evaluation:library-detail": Case("object", LIB_PB, LIB_PA),
    "evaluation:library-report": Case("object", LIB_PB, LIB_PA),
    "evaluation:adoption-delete": Case("object", AD_PB, AD_PA, method="post"),
    "api:libraryentry-list": Case("list", api=True),
    "api:libraryentry-facets": Case("list"),  # counts, not a paginated list: markers only
    "api:libraryentry-detail": Case("object", LIB_PB, LIB_PA, api=True),
    "api:libraryentry-similar": Case("object", LIB_PB, LIB_PA, api=True),
    "api:libraryentry-share": Case(
        "object", LIB_PB, LIB_PA, method="post", data={"sharing": "everyone"}, api=True
    ),
    "api:adoption-list": Case("list", api=True),
    "api:adoption-detail": Case("object", AD_PB, AD_PA, api=True),
    # --- yearly evaluation and improvement list (issue 11 item 6; tests/promotion/test_reviews.py)
    "promotion:review-list": Case("list"),
    "promotion:improvement-list": Case("list"),
    "promotion:improvement-create": Case(
        "form",
        lambda n: {"title": "越界", "owner": n.users.pb_staff.pk, "deadline": "2020-12-31"},
        method="post",
    ),
    "promotion:improvement-detail": Case("object", IM_PB, IM_PA),
    "promotion:improvement-edit": Case("object", IM_PB, IM_PA),
    "api:improvementitem-list": Case("list", api=True),
    "api:improvementitem-detail": Case("object", IM_PB, IM_PA, api=True),
    "api:improvementitem-transitions": Case(
        "object", IM_PB, IM_PA, method="post", data={"transition": "start"}, api=True
    ),
    # --- honours and certificates (issue 11 items 4, 5; tests/evaluation/test_honours.py, test_certificates.py)
    "evaluation:honour-list": Case("list"),
    "evaluation:honour-person": Case("list"),
    "evaluation:honour-create": Case(
        "form",
        lambda n: {
            "kind": "promoter",
            "year": "2020",
            "title": "越界",
            "person_name": "越界",
            "recipient_code": "E4",
        },
        method="post",
    ),
    "evaluation:honour-from-grades": Case("form", lambda n: {"campaign": "PB-T"}, method="post"),
    "evaluation:honour-detail": Case("object", HN_PB, HN_PA),
    "evaluation:honour-edit": Case("object", HN_PB, HN_PA),
    "evaluation:honour-delete": Case("object", HN_PB, HN_PA, method="post"),
    "evaluation:honour-certificate": Case("object", HN_PB, HN_PA, method="post"),
    "evaluation:certificate-list": Case("list"),
    "evaluation:certificate-issue": Case("form", lambda n: {"campaign": "PB-T"}, method="post"),
    "evaluation:certificate-detail": Case("object", CT_PB, CT_PA),
    "evaluation:certificate-reissue": Case("object", CT_PB, CT_PA, method="post", data={"reason": "越界"}),
    "evaluation:certificate-file": Case(
        "object", lambda n: {**CT_PB(n), "kind": "pdf"}, lambda n: {**CT_PA(n), "kind": "qr"}
    ),
    "reports:certificates-zip": Case("object", CODE_PB, CODE_PA, method="post"),
    "api:honour-list": Case("list", api=True),
    "api:honour-detail": Case("object", HN_PB, HN_PA, api=True),
    "api:honour-transitions": Case(
        "object", HN_PB, HN_PA, method="post", data={"transition": "submit"}, api=True
    ),
    "api:honour-from-grades": Case("form", lambda n: {"campaign": "PB-T"}, method="post", api=True),
    "api:certificate-list": Case("list", api=True),
    "api:certificate-detail": Case("object", CT_PB, CT_PA, api=True),
    "api:certificate-transitions": Case(
        "object", CT_PB, CT_PA, method="post", data={"transition": "revoke", "comment": "越界"}, api=True
    ),
    "api:certificate-issue": Case("form", lambda n: {"campaign": "PB-T"}, method="post", api=True),
    "api:certificate-reissue": Case("object", CT_PB, CT_PA, method="post", data={"reason": "越界"}, api=True),
    "api:certificate-pdf": Case("object", CT_PB, CT_PA, api=True),
    "api:certificate-qr": Case("object", CT_PB, CT_PA, api=True),
    # --- announcements (通知公告, issue 7 item 10; tests/promotion/test_announcements.py)
    "promotion:announcement-list": Case("list"),
    "promotion:announcement-create": Case(
        "form", lambda n: {"title": "越界公告", "campaign": n.campaign_pb.pk}, method="post"
    ),
    "promotion:announcement-detail": Case("object", AN_PB, AN_PA),
    "promotion:announcement-edit": Case("object", AN_PB, AN_PA),
    "promotion:announcement-publish": Case("object", AN_PB, AN_PA, method="post"),
    "promotion:announcement-unpublish": Case("object", AN_PB, AN_PA, method="post"),
    "promotion:announcement-attachment": Case("object", AT_PB, AT_PA),
    "promotion:announcement-attachment-delete": Case("object", AT_PB, AT_PA, method="post"),
    # --- evaluation (HTML)
    "evaluation:task-list": Case("list"),
    "evaluation:submission-detail": Case("object", S_PB, S_PA),
    "evaluation:sheet-save": Case("object", S_PB, S_PA, method="post", data={"action": "save"}),
    "evaluation:recuse": Case("object", S_PB, S_PA, method="post", data={"reason": "越界"}),
    "evaluation:assign": Case("object", S_PB, S_PA, method="post"),
    "evaluation:report-upload": Case("object", S_PB, S_PA, method="post"),
    "evaluation:report-download": Case("object", S_PB, S_PA),
    "evaluation:submission-list": Case("list"),
    "evaluation:submission-create": Case("list"),
    "evaluation:submission-edit": Case("object", S_PB, S_PA),
    "evaluation:recommendation-form-upload": Case("object", S_PB, S_PA, method="post"),
    "evaluation:video-upload": Case("object", S_PB, S_PA, method="post"),
    "evaluation:submission-file": Case(
        "object", lambda n: {**S_PB(n), "kind": "recommendation-form"}, lambda n: {**S_PA(n), "kind": "video"}
    ),
    "evaluation:unassign": Case(
        "object",
        lambda n: {"pk": _assignment(n.submissions[4]).pk},
        lambda n: {"pk": _assignment(n.submissions[0]).pk},
        method="post",
    ),
    "evaluation:sheet-withdraw": Case(
        "object",
        lambda n: {"pk": n.pb_sheet.pk},
        lambda n: {"pk": n.submissions[0].score_sheets.order_by("id").first().pk},
        method="post",
    ),
    "evaluation:judging": Case("object", lambda n: {"code": "PB-T"}, lambda n: {"code": "CAQ-T"}),
    # --- rounds, panels and assignments (issue 8, items 2 and 4; tests/evaluation/test_assignment.py)
    "evaluation:judging-settings": Case(
        "object",
        lambda n: {"code": "PB-T"},
        lambda n: {"code": "CAQ-T"},
        method="post",
        data={"trim_min_judges": "5", "score_places": "2", "grade_method": "band"},
    ),
    "evaluation:round-create": Case("object", lambda n: {"code": "PB-T"}, lambda n: {"code": "CAQ-T"}),
    "evaluation:round-detail": Case("object", RD_PB, RD_PA),
    "evaluation:round-edit": Case("object", RD_PB, RD_PA),
    "evaluation:round-delete": Case("object", RD_PB, RD_PA, method="post"),
    "evaluation:round-preview": Case("object", RD_PB, RD_PA),
    "evaluation:round-apply": Case("object", RD_PB, RD_PA, method="post"),
    "evaluation:panels-auto": Case("object", RD_PB, RD_PA, method="post"),
    "evaluation:panel-create": Case("object", RD_PB, RD_PA),
    "evaluation:assignment-add": Case("object", RD_PB, RD_PA, method="post"),
    "evaluation:panel-delete": Case("object", PN_PB, PN_PA, method="post"),
    "evaluation:assignment-pin": Case("object", JA_PB, JA_PA, method="post", data={"pinned": "1"}),
    "evaluation:assignment-swap": Case("object", JA_PB, JA_PA, method="post"),
    "evaluation:assignment-remove": Case("object", JA_PB, JA_PA, method="post"),
    "api:round-list": Case("list", api=True),
    "api:round-detail": Case("object", RD_PB, RD_PA, api=True),
    "api:round-transitions": Case(
        "object", RD_PB, RD_PA, method="post", data={"transition": "close"}, api=True
    ),
    "api:judgeassignment-list": Case("list", api=True),
    "api:judgeassignment-detail": Case("object", JA_PB, JA_PA, api=True),
    # --- expert pool and conflicts (issue 8 items 1 and 3; tests/evaluation/test_pool.py, test_conflicts.py)
    "evaluation:pool": Case("list"),
    "evaluation:pool-organisations": Case("list"),
    "evaluation:conflict-declare": Case("list"),
    "evaluation:pool-judge-create": Case(
        "form",
        lambda n: {
            "name": "越界",
            "certificate_number": "X-1",
            "level": "judge",
            "work_unit": "x",
            "employer": "E4",
        },
        method="post",
    ),
    "evaluation:pool-import": Case("form", lambda n: {}, method="post"),
    "evaluation:pool-judge": Case("object", JD_PB, JD_PA),
    "evaluation:pool-judge-edit": Case("object", JD_PB, JD_PA),
    "evaluation:pool-qualification-add": Case(
        "object", JD_PB, JD_PA, method="post", data={"kind": "promoter", "number": "越界"}
    ),
    "evaluation:pool-qualification-remove": Case(
        "object",
        lambda n: {"pk": _qualification(n.pb_judge).pk},
        lambda n: {"pk": _qualification(n.judges[0]).pk},
        method="post",
    ),
    "evaluation:judging-conflicts": Case("object", lambda n: {"code": "PB-T"}, lambda n: {"code": "CAQ-T"}),
    "evaluation:waiver-revoke": Case(
        "object",
        lambda n: {"pk": _waiver(n.pb_judge, n.submissions[4], n.users.pb_staff).pk},
        lambda n: {"pk": _waiver(n.judges[2], n.submissions[0], n.users.pa_staff).pk},
        method="post",
    ),
    "api:judge-list": Case("list", api=True),
    "api:judge-detail": Case("object", JD_PB, JD_PA, api=True),
    # --- score sheets, panels, sheet templates (issue 8 item 5; tests/evaluation/test_sheets.py)
    "evaluation:round-sheet": Case("object", RS_PB, RS_PA),
    "evaluation:sheet-detail": Case(
        "object",
        lambda n: {"pk": n.pb_sheet.pk},
        lambda n: {"pk": n.submissions[0].score_sheets.order_by("id").first().pk},
    ),
    "evaluation:paper-sheet": Case(
        "object",
        lambda n: {"pk": _assignment(n.submissions[4]).pk},
        lambda n: {"pk": _assignment(n.submissions[0]).pk},
    ),
    "evaluation:panel": Case("object", PN_PB, PN_PA),
    "evaluation:panel-comment": Case("object", PN_PB, PN_PA, method="post", data={"text": "越界"}),
    "evaluation:panel-assessment": Case(
        "object", PN_PB, PN_PA, method="post", data={"submission": "1", "text": "越界"}
    ),
    "evaluation:template-list": Case("list"),
    "evaluation:template-detail": Case("object", TP_PB, TP_PA),
    "evaluation:template-derive": Case(
        "object", TP_PB, TP_PA, method="post", data={"name": "越界", "version": "x"}
    ),
    # --- grading (issue 8 items 6, 7, 9: tests/evaluation/test_grading.py)
    "evaluation:board": Case("object", CODE_PB, CODE_PA),
    "evaluation:board-compute": Case("object", CODE_PB, CODE_PA, method="post"),
    "evaluation:board-preset": Case(
        "object", CODE_PB, CODE_PA, method="post", data={"preset": "three_grades"}
    ),
    "evaluation:board-decide": Case("object", CODE_PB, CODE_PA, method="post"),
    "evaluation:board-undo": Case("object", CODE_PB, CODE_PA, method="post"),
    "evaluation:board-export": Case(
        "object",
        lambda n: {"code": "PB-T", "kind": "ranking"},
        lambda n: {"code": "CAQ-T", "kind": "ranking"},
    ),
    "evaluation:grades": Case("object", CODE_PB, CODE_PA),
    "evaluation:calibration": Case("object", CODE_PB, CODE_PA),
    # --- circles (HTML)
    "circles:circle-list": Case("list"),
    "circles:project-list": Case("list"),
    "circles:record-list": Case("list"),
    "circles:circle-create": Case(
        "form", lambda n: {"name": "越界小组", "members-TOTAL_FORMS": "0"}, method="post"
    ),
    "circles:import": Case("form", lambda n: {}, method="post"),
    "circles:import-template": Case("list"),
    "circles:import-detail": Case("object", I_PB, I_PA),
    "circles:import-report": Case("object", I_PB, I_PA),
    "circles:circle-detail": Case("object", C_PB, C_PA),
    "circles:circle-edit": Case("object", C_PB, C_PA),
    "circles:circle-reregister": Case("object", C_PB, C_PA, method="post"),
    "circles:project-apply": Case("object", C_PB, C_PA),
    "circles:project-detail": Case("object", P_PB, P_PA),
    "circles:project-edit": Case("object", P_PB, P_PA),
    "circles:record-create": Case("object", P_PB, P_PA),
    "circles:record-detail": Case("object", R_PB, R_PA),
    "circles:record-edit": Case("object", R_PB, R_PA),
    "circles:record-comment": Case("object", R_PB, R_PA, method="post", data={"text": "越界"}),
    "circles:attachment-upload": Case("object", R_PB, R_PA, method="post"),
    "circles:attachment-download": Case("object", A_PB, A_PA),
    "circles:attachment-delete": Case("object", A_PB, A_PA, method="post"),
    "circles:comment-transition": Case("object", K_PB, K_PA, method="post", data={"transition": "resolve"}),
    # --- promotion structure (?org=CODE of a foreign organisation: tests/promotion/test_structure.py)
    "promotion:structure": Case("list"),
    "promotion:structure-member-remove": Case(
        "object",
        lambda n: {"pk": _structure_member(n.e4).pk},
        lambda n: {"pk": _structure_member(n.e1).pk},
        method="post",
    ),
    # --- notifications (personal: another user's answers 404)
    "notification-list": Case("list"),
    "notification-open": Case(
        "object",
        lambda n: {"pk": _notification(n.users.pb_admin, n.pb).pk},
        lambda n: {"pk": _notification(n.users.pa_admin, n.pa).pk},
    ),
    "notification-preferences": Case("list"),
    # --- API tokens (personal; administrators: their subtree's users; tests/qcportal/test_tokens.py)
    "token-list": Case("list"),
    "token-revoke": Case("object", TK_PB, TK_PA, method="post"),
    "managed-token-list": Case("list"),
    "managed-token-revoke": Case("object", TK_E4, TK_E1, method="post"),
    "api:apitoken-list": Case("list", api=True),
    "api:apitoken-detail": Case("object", TK_PB, TK_PA, method="delete", api=True),
    "api:notification-list": Case("list", api=True),
    "api:notification-read": Case(
        "object",
        lambda n: {"pk": _notification(n.users.pb_admin, n.pb).pk},
        lambda n: {"pk": _notification(n.users.pa_admin, n.pa).pk},
        method="post",
        api=True,
    ),
    # --- API
    "api:circle-list": Case("list", api=True),
    "api:project-list": Case("list", api=True),
    "api:activityrecord-list": Case("list", api=True),
    "api:circle-detail": Case("object", C_PB, C_PA, api=True),
    "api:circle-transitions": Case(
        "object", C_PB, C_PA, method="post", data={"transition": "deactivate"}, api=True
    ),
    "api:circle-import-circles": Case("form", lambda n: {}, method="post", api=True),
    "api:circle-import-status": Case(
        "object", lambda n: {"import_id": I_PB(n)["pk"]}, lambda n: {"import_id": I_PA(n)["pk"]}, api=True
    ),
    "api:project-detail": Case("object", P_PB, P_PA, api=True),
    "api:project-transitions": Case(
        "object", P_PB, P_PA, method="post", data={"transition": "approve"}, api=True
    ),
    "api:submission-transitions": Case(
        "object", S_PB, S_PA, method="post", data={"transition": "review_pass"}, api=True
    ),
    "api:activityrecord-detail": Case("object", R_PB, R_PA, api=True),
    "api:activityrecord-comments": Case("object", R_PB, R_PA, api=True),
    "api:recordcomment-detail": Case("object", K_PB, K_PA, api=True),
    "api:recordcomment-transitions": Case(
        "object", K_PB, K_PA, method="post", data={"transition": "resolve", "comment": "越界"}, api=True
    ),
    "api:campaign-list": Case("list", api=True),
    "api:campaign-detail": Case("object", lambda n: {"code": "PB-T"}, lambda n: {"code": "CAQ-T"}, api=True),
    "api:campaign-stages": Case("object", lambda n: {"code": "PB-T"}, lambda n: {"code": "CAQ-T"}, api=True),
    "api:campaign-transitions": Case(
        "object",
        lambda n: {"code": "PB-T"},
        lambda n: {"code": "CAQ-T"},
        method="post",
        data={"transition": "close"},
        api=True,
    ),
    "api:campaign-entries": Case("object", lambda n: {"code": "PB-T"}, lambda n: {"code": "CAQ-T"}, api=True),
    "api:campaign-extensions": Case(
        "object", lambda n: {"code": "PB-T"}, lambda n: {"code": "CAQ-T"}, api=True
    ),
    "api:reportrun-list": Case("list", api=True),
    "api:reportrun-detail": Case(
        "object", lambda n: {"pk": n.runs.pb.pk}, lambda n: {"pk": n.runs.pa.pk}, api=True
    ),
    "api:reportrun-download": Case(
        "object", lambda n: {"pk": n.runs.pb.pk}, lambda n: {"pk": n.runs.pa.pk}, api=True
    ),
    "api:worksummary-list": Case(
        "object", lambda n: {"campaign_code": "PB-T"}, lambda n: {"campaign_code": "CAQ-T"}, api=True
    ),
    "api:worksummary-detail": Case(
        "object",
        lambda n: {"campaign_code": "PB-T", "kind": "annual"},
        lambda n: {"campaign_code": "CAQ-T", "kind": "annual"},
        api=True,
    ),
    "api:reportrun-national-package": Case(
        "object", lambda n: {}, lambda n: {}, data={"campaign": "CAQ-T", "organisation": "PB"}, api=True
    ),
    "api:dashboard-list": Case("object", lambda n: {}, lambda n: {}, data={"org": "PB"}, api=True),
    "api:organisation-list": Case("list", api=True),
    "api:organisation-detail": Case("object", lambda n: {"code": "PB"}, lambda n: {"code": "PA"}, api=True),
    "api:submission-list": Case("list", api=True),
    "api:submission-detail": Case("object", S_PB, S_PA, api=True),
    "api:scoresheet-list": Case("list", api=True),
    "api:scoresheet-detail": Case(
        "object",
        lambda n: {"pk": n.pb_sheet.pk},
        lambda n: {"pk": n.submissions[0].score_sheets.order_by("id").first().pk},
        api=True,
    ),
    "api:scoresheet-transitions": Case(
        "object",
        lambda n: {"pk": n.pb_sheet.pk},
        lambda n: {"pk": n.submissions[0].score_sheets.order_by("id").first().pk},
        method="post",
        data={"transition": "staff_return", "comment": "越界"},
        api=True,
    ),
    "api:result-list": Case("list", api=True),
    "api:result-detail": Case("object", RES_PB, RES_PA, api=True),
    "api:auditentry-list": Case("list", api=True),
    "api:auditentry-detail": Case(
        "object", lambda n: {"pk": _audit_entry(n.pb).pk}, lambda n: {"pk": _audit_entry(n.pa).pk}, api=True
    ),
}


def test_every_route_has_an_isolation_case():
    """A new route must get a case here (or a reason to be public)."""
    routes = set(all_routes())
    missing = routes - set(CASES) - set(PUBLIC_ROUTES)
    assert not missing, f"routes without an isolation case: {sorted(missing)}"
    stale = (set(CASES) | set(PUBLIC_ROUTES)) - routes
    assert not stale, f"cases for routes that no longer exist: {sorted(stale)}"


def _client(client, network, username, api):
    user = getattr(network.users, username)
    if api:
        client.logout()
        token = api_token(user)
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {token}"
    else:
        client.defaults.pop("HTTP_AUTHORIZATION", None)
        client.force_login(user)
    return client


def _request(client, case, url, data=None):
    return getattr(client, case.method)(url, data or case.data)


OBJECT_ROUTES = sorted(name for name, case in CASES.items() if case.kind == "object")
LIST_ROUTES = sorted(name for name, case in CASES.items() if case.kind == "list")
FORM_ROUTES = sorted(name for name, case in CASES.items() if case.kind == "form")


@pytest.mark.parametrize("requester", REQUESTERS)
@pytest.mark.parametrize("route", OBJECT_ROUTES)
def test_foreign_object_answers_404(client, network, route, requester):
    case = CASES[route]
    with no_tenant():
        foreign_kwargs, own_kwargs = case.foreign(network), case.own(network)
    client = _client(client, network, requester, case.api)
    response = _request(client, case, reverse(route, kwargs=foreign_kwargs))
    assert response.status_code in (403, 404), f"{route} as {requester}: {response.status_code}"
    if response.status_code == 403:
        own = _request(client, case, reverse(route, kwargs=own_kwargs))
        assert own.status_code == 403, (
            f"{route} as {requester}: 403 for the foreign object but {own.status_code} for an own one "
            "(a 403 must come from the role, not from the object)"
        )


@pytest.mark.parametrize("requester", REQUESTERS)
@pytest.mark.parametrize("route", LIST_ROUTES)
def test_lists_hold_nothing_of_the_foreign_tenant(client, network, route, requester):
    case = CASES[route]
    client = _client(client, network, requester, case.api)
    response = client.get(reverse(route))
    assert response.status_code in (200, 403), f"{route} as {requester}: {response.status_code}"
    body = response.content.decode()
    for marker in FOREIGN_MARKERS:
        assert marker not in body, f"{route} as {requester} shows {marker!r}"
    if case.api and response.status_code == 200:
        with no_tenant():
            foreign_ids = {
                "api:reportrun-list": {network.runs.pb.pk},
                "api:submission-list": {network.submissions[4].pk},
                "api:scoresheet-list": {network.pb_sheet.pk},
                "api:round-list": {_round(network.submissions[4]).pk},
                "api:judgeassignment-list": set(
                    network.submissions[4].assignments.values_list("pk", flat=True)
                ),
                "api:judge-list": {network.pb_judge.pk},
                "api:circle-list": {network.circles[7].pk},
                "api:project-list": {network.circles[7].projects.first().pk},
                "api:activityrecord-list": set(
                    network.circles[7].projects.first().activity_records.values_list("pk", flat=True)
                ),
                "api:auditentry-list": set(
                    AuditEntry.objects.filter(organisation=network.pb).values_list("pk", flat=True)
                ),
            }.get(route, set())
        listed = {row.get("id") for row in response.json()["results"]}
        assert not listed & foreign_ids, f"{route} lists foreign ids {listed & foreign_ids}"


@pytest.mark.parametrize("requester", REQUESTERS)
@pytest.mark.parametrize("route", FORM_ROUTES)
def test_forms_refuse_foreign_organisations(client, network, route, requester):
    case = CASES[route]
    client = _client(client, network, requester, case.api)
    with no_tenant():
        before = (Organisation.objects.count(), Invitation.objects.count(), ReportRun.objects.count())
    response = _request(client, case, reverse(route), case.foreign(network))
    assert response.status_code in (200, 400, 403, 404), f"{route} as {requester}: {response.status_code}"
    if response.status_code in (200, 400):
        assert response.context["form"].errors, f"{route} accepted a foreign organisation"
    with no_tenant():
        assert (Organisation.objects.count(), Invitation.objects.count(), ReportRun.objects.count()) == before


def test_campaign_forms_refuse_a_foreign_organisation(client, network):
    """The national campaign is shared; generating a form for another province is refused."""
    client = _client(client, network, "pa_staff", api=False)
    with no_tenant():
        before = ReportRun.objects.count()
    response = client.post(
        reverse("reports:campaign-forms", args=["CAQ-T"]),
        {"form": "annex3", "file_format": "xlsx", "organisation": "PB"},
    )
    assert response.status_code == 200 and response.context["form"].errors
    with no_tenant():
        assert ReportRun.objects.count() == before


# --- Edit forms of a foreign or an ancestor object (issue 9 item 6) ------------------------
#
# The lineage scope lets a member resolve its ancestors (names, breadcrumbs, the national
# campaign), so an edit form that only looks its object up would render an ancestor's details:
# the organisation edit form did, with the national association's contact details, while the
# organisation's page answered 403. Every edit form is generated from the URL configuration;
# a new one without an entry here fails test_every_edit_form_has_a_case.

#: Fields whose values an edit form would render (contact details and free text); the ones
#: a model has are filled with markers before the request, so the check is never vacuous.
DETAIL_FIELDS = (
    "contact_person",
    "contact_mobile",
    "contact_phone",
    "contact_email",
    "address",
    "qc_department_head",
    "mobile",
    "email",
    "certificate_number",
    "notes",
    "department",
    "document_number",
    "theme",
    "body",
    "reasons",
    "content",
    "tools",
    "introduction",
    "direction",
    "place",
    "citation",
    "description",
)

LEAF_ONLY = "belongs to an enterprise (a leaf of the hierarchy): no ancestor of a requester owns one"


@dataclass
class EditCase:
    """The object of another tenant, and of an ancestor of the requesters' organisation (PA),
    whose edit form is opened; ``no_ancestor`` says why a route has no ancestor object."""

    foreign: callable  # network -> the object of another tenant (PB's subtree)
    ancestor: callable = None  # network -> an object owned by CAQ (an ancestor of PA)
    no_ancestor: str = ""


def _caq_round(network):
    from evaluation.judging import default_round, judging_get_or_create

    return default_round(judging_get_or_create(campaign=network.campaign, association=network.caq))


def _caq_judge(network):
    from tests.factories import JudgeFactory

    return JudgeFactory(organisation=network.caq, name="国家评委", certificate_number="QCPS-N-901")


EDIT_CASES: dict[str, EditCase] = {
    "organisation-edit": EditCase(lambda n: n.pb, lambda n: n.caq),
    "promotion:campaign-edit": EditCase(lambda n: n.campaign_pb, lambda n: n.campaign),
    "promotion:announcement-edit": EditCase(
        lambda n: _announcement(n.pb, n.users.pb_staff), lambda n: _announcement(n.caq, n.users.caq_staff)
    ),
    "promotion:training-edit": EditCase(
        lambda n: _training(n.pb, n.users.pb_staff), lambda n: _training(n.caq, n.users.caq_staff)
    ),
    "evaluation:conference-edit": EditCase(
        lambda n: _conference(n.pb, n.campaign_pb), lambda n: _conference(n.caq, n.campaign)
    ),
    "promotion:plan-edit": EditCase(
        lambda n: _plan(n.pb, n.users.pb_staff), lambda n: _plan(n.caq, n.users.caq_staff)
    ),
    "promotion:improvement-edit": EditCase(
        lambda n: _improvement(n.pb, n.users.pb_staff), lambda n: _improvement(n.caq, n.users.caq_staff)
    ),
    "evaluation:honour-edit": EditCase(
        lambda n: _honour(n.pb, n.e4, n.users.pb_staff), lambda n: _honour(n.caq, n.e1, n.users.caq_staff)
    ),
    "reports:campaign-forms": EditCase(
        lambda n: n.campaign_pb,
        no_ancestor=(
            "the national campaign's forms page generates the requester's own share of the national "
            "campaign (its page is open to the provinces); it edits nothing of the campaign"
        ),
    ),
    "evaluation:submission-edit": EditCase(lambda n: n.submissions[4], no_ancestor=LEAF_ONLY),
    "evaluation:pool-judge-edit": EditCase(lambda n: n.pb_judge, _caq_judge),
    "evaluation:round-edit": EditCase(lambda n: _round(n.submissions[4]), _caq_round),
    "circles:circle-edit": EditCase(lambda n: n.circles[7], no_ancestor=LEAF_ONLY),
    "circles:project-apply": EditCase(lambda n: n.circles[7], no_ancestor=LEAF_ONLY),
    "circles:project-edit": EditCase(lambda n: n.circles[7].projects.first(), no_ancestor=LEAF_ONLY),
    "circles:record-edit": EditCase(lambda n: _record(n.circles[7].projects.first()), no_ancestor=LEAF_ONLY),
}


def _reveal(obj) -> list[str]:
    """Fill the object's detail fields with markers (unique to this object) and return them."""
    model = type(obj)
    names = [name for name in DETAIL_FIELDS if any(f.name == name for f in model._meta.concrete_fields)]
    names = names or ["name"]
    values = {}
    for index, name in enumerate(names):
        length = model._meta.get_field(name).max_length or 200
        values[name] = f"隔离密{index}号{obj.pk}"[:length]
    model._base_manager.filter(pk=obj.pk).update(**values)
    return list(values.values())


def _edit_url(route, obj):
    pattern = edit_form_routes()[route]
    return reverse(route, kwargs={"code": obj.code} if "<str:code>" in pattern else {"pk": obj.pk})


EDIT_FOREIGN = sorted(EDIT_CASES)
EDIT_ANCESTOR = sorted(name for name, case in EDIT_CASES.items() if case.ancestor)


def test_every_edit_form_has_a_case():
    """A new edit form must get an EditCase (and say whether an ancestor can own its object)."""
    routes = set(edit_form_routes()) - set(PUBLIC_ROUTES)
    assert not routes - set(EDIT_CASES), f"edit forms without a case: {sorted(routes - set(EDIT_CASES))}"
    assert not set(EDIT_CASES) - routes, f"stale edit cases: {sorted(set(EDIT_CASES) - routes)}"
    for name, case in EDIT_CASES.items():
        assert bool(case.ancestor) != bool(case.no_ancestor), f"{name}: an ancestor object or a reason"


def _assert_edit_form_refused(client, network, route, requester, make):
    with no_tenant():
        obj = make(network)
        secrets = _reveal(obj)
    client = _client(client, network, requester, api=False)
    response = client.get(_edit_url(route, obj))
    assert response.status_code in (403, 404), f"{route} as {requester}: {response.status_code}"
    body = response.content.decode()
    shown = [value for value in secrets if value in body]
    assert not shown, f"{route} as {requester} shows {shown}"


@pytest.mark.parametrize("requester", REQUESTERS)
@pytest.mark.parametrize("route", EDIT_FOREIGN)
def test_edit_form_of_a_foreign_object_is_refused(client, network, route, requester):
    _assert_edit_form_refused(client, network, route, requester, EDIT_CASES[route].foreign)


@pytest.mark.parametrize("requester", REQUESTERS)
@pytest.mark.parametrize("route", EDIT_ANCESTOR)
def test_edit_form_of_an_ancestor_object_is_refused(client, network, route, requester):
    """pa_admin and pa_staff (测试省质量协会) ask for the national association's object."""
    _assert_edit_form_refused(client, network, route, requester, EDIT_CASES[route].ancestor)


def test_ancestor_organisation_edit_form_answers_like_its_page(client, network):
    """The reported hole: the province's administrator read the national association's
    contact details in its edit form while its page answered 403; the own one still opens."""
    client = _client(client, network, "pa_admin", api=False)
    page = client.get(reverse("organisation-detail", kwargs={"code": "CAQ"}))
    form = client.get(reverse("organisation-edit", kwargs={"code": "CAQ"}))
    assert page.status_code == form.status_code == 403
    body = form.content.decode()
    for value in ("66073178@163.com", "北京市海淀区三虎桥百胜村路6号中国质量大厦", "(010) 66073178"):
        assert value not in body
    own = client.get(reverse("organisation-edit", kwargs={"code": "PA"}))
    assert own.status_code == 200 and "乙联系人" in own.content.decode()


def test_route_counts(network):
    """Bookkeeping for the issue note: routes covered by this generated test."""
    routes = all_routes()
    covered = set(CASES) & set(routes)
    assert len(covered) + len(set(PUBLIC_ROUTES) & set(routes)) == len(routes)
    assert len(covered) >= 40


def test_token_lists_hold_no_token_of_the_foreign_tenant(client, network):
    """The API token lists (own, administrator's, API) of PA's administrator and staff show
    nothing of PB's users' tokens, and PB's tokens survive every revoke attempt."""
    from qcportal.models import ApiToken

    with no_tenant():
        foreign = [
            _api_token(getattr(network.users, name), name="另一省质量协会的脚本")
            for name in ("pb_admin", "pb_staff", "e4_coord")
        ]
        own = _api_token(network.users.e1_coord, name="本省脚本")
    for requester in REQUESTERS:
        html = _client(client, network, requester, api=False)
        for route in ("token-list", "managed-token-list"):
            response = html.get(reverse(route))
            assert response.status_code in (200, 403)
            assert "另一省质量协会的脚本" not in response.content.decode(), (route, requester)
        managed = html.get(reverse("managed-token-list"))
        if managed.status_code == 200:
            assert "本省脚本" in managed.content.decode()
        for token in foreign:
            assert html.post(reverse("managed-token-revoke", args=[token.pk])).status_code in (403, 404)
            assert html.post(reverse("token-revoke", args=[token.pk])).status_code == 404
        api = _client(client, network, requester, api=True)
        listed = {row["id"] for row in api.get(reverse("api:apitoken-list")).json()["results"]}
        assert not listed & {t.pk for t in [*foreign, own]}
        for token in foreign:
            assert api.delete(reverse("api:apitoken-detail", args=[token.pk])).status_code == 404
    with no_tenant():
        assert ApiToken.objects.filter(pk__in=[t.pk for t in foreign]).count() == 3
