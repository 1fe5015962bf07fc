"""Announcements (通知公告, issue 7 item 10): association staff publish them with
attachments; the association's subtree reads the published ones down the lineage (never
sideways to a sibling province); drafts stay with the association's staff; attachments are
PDF/Word/Excel ≤ 20 MB checked by content and downloaded through a view that checks
visibility."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from promotion import services_announcements as services
from promotion.models import Announcement, AnnouncementAttachment
from promotion.selectors import announcement_list
from qcportal.models import Membership
from qcportal.tenancy import membership_scope, no_tenant

from .. import factories as f

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DOCX_LIKE = b"PK\x03\x04" + b"\x00" * 26 + b"[Content_Types].xml" + b"\x00" * 64 + b"word/document.xml"


def _pdf(name="通知.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _membership(user):
    with no_tenant():
        return Membership.objects.select_related("organisation", "user").get(user=user)


def _announcement(network, org="pa", **extra):
    staff = {"pa": network.users.pa_staff, "pb": network.users.pb_staff, "caq": network.users.caq_staff}[org]
    with no_tenant():
        return f.AnnouncementFactory(organisation=getattr(network, org), created_by=staff, **extra)


def _attach(network, announcement, user):
    with no_tenant():
        membership = Membership.objects.select_related("organisation", "user").get(user=user)
    with membership_scope(membership):
        return services.announcement_attachment_add(
            membership=membership, announcement=announcement, upload=_pdf()
        )


def test_staff_publish_with_an_attachment_and_the_subtree_reads_it(network, login):
    """PA's staff create and publish at once; an enterprise under PA sees it in the list, on
    the detail page and downloads the attachment."""
    staff = login(network.users.pa_staff)
    response = staff.post(
        reverse("promotion:announcement-create"),
        {
            "title": "关于开展本年度质量管理小组活动的通知",
            "document_number": "测质协〔2026〕8号",
            "body": "各推荐单位：\n请按要求组织申报。",
            "campaign": network.campaign.pk,
            "pinned": "on",
            "attachments": [_pdf("附件1 报名表.pdf")],
            "publish": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    with no_tenant():
        announcement = Announcement.objects.get(title="关于开展本年度质量管理小组活动的通知")
        attachment = announcement.attachments.get()
    assert announcement.published_at is not None and announcement.pinned
    assert announcement.organisation_id == network.pa.pk and attachment.title == "附件1 报名表.pdf"

    client = login(network.users.e1_coord)
    assert (
        "关于开展本年度质量管理小组活动的通知"
        in client.get(reverse("promotion:announcement-list")).content.decode()
    )
    detail = client.get(reverse("promotion:announcement-detail", args=[announcement.pk])).content.decode()
    assert "请按要求组织申报" in detail and "附件1 报名表.pdf" in detail
    download = client.get(reverse("promotion:announcement-attachment", args=[attachment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]


@pytest.mark.parametrize(
    ("username", "org", "visible"),
    [
        ("e1_coord", "pa", True),  # down the lineage: province → enterprise
        ("e1_leader", "caq", True),  # the national association's reach every enterprise
        ("ru1_coord", "pa", True),
        ("pa_judge", "pa", True),
        ("pb_staff", "caq", True),
        ("pb_staff", "pa", False),  # never sideways to a sibling province
        ("e4_coord", "pa", False),
        ("ru3_coord", "pa", False),
        ("caq_staff", "pa", False),  # a subtree's notices are not the national staff's to read
    ],
)
def test_visibility_down_the_lineage_not_sideways(network, login, username, org, visible):
    announcement = _announcement(network, org, title="可见性测试公告")
    attachment = _attach(network, announcement, getattr(network.users, f"{org}_staff"))
    client = login(getattr(network.users, username))
    listed = "可见性测试公告" in client.get(reverse("promotion:announcement-list")).content.decode()
    detail = client.get(reverse("promotion:announcement-detail", args=[announcement.pk]))
    download = client.get(reverse("promotion:announcement-attachment", args=[attachment.pk]))
    assert listed is visible
    assert detail.status_code == (200 if visible else 404)
    assert download.status_code == (200 if visible else 404)


def test_drafts_are_the_association_staffs_alone(network, login):
    """A draft is invisible (list, detail, download: 404) to the enterprise and to the
    association's admin without campaigns:manage; its staff see it marked 草稿 and publish it."""
    draft = _announcement(network, "pa", title="未发布的草稿通知", published_at=None)
    attachment = _attach(network, draft, network.users.pa_staff)
    for user in (network.users.e1_coord, network.users.pa_admin):
        client = login(user)
        assert "未发布的草稿通知" not in client.get(reverse("promotion:announcement-list")).content.decode()
        assert client.get(reverse("promotion:announcement-detail", args=[draft.pk])).status_code == 404
        assert (
            client.get(reverse("promotion:announcement-attachment", args=[attachment.pk])).status_code == 404
        )
    staff = login(network.users.pa_staff)
    body = staff.get(reverse("promotion:announcement-list")).content.decode()
    assert "未发布的草稿通知" in body and 'data-testid="draft"' in body
    assert staff.get(reverse("promotion:announcement-attachment", args=[attachment.pk])).status_code == 200
    response = staff.post(reverse("promotion:announcement-publish", args=[draft.pk]))
    assert response.status_code == 302
    enterprise = login(network.users.e1_coord)
    assert enterprise.get(reverse("promotion:announcement-detail", args=[draft.pk])).status_code == 200
    login(network.users.pa_staff).post(reverse("promotion:announcement-unpublish", args=[draft.pk]))
    enterprise = login(network.users.e1_coord)
    assert enterprise.get(reverse("promotion:announcement-detail", args=[draft.pk])).status_code == 404


def test_only_the_owning_staff_manage(network, login):
    """Another association's staff get 404 on edit/publish/delete-attachment of PA's notice;
    a role without campaigns:manage gets 403 on the form; PA's staff edit it."""
    announcement = _announcement(network, "pa", title="管理权限测试", published_at=None)
    attachment = _attach(network, announcement, network.users.pa_staff)
    for user in (network.users.pb_staff, network.users.caq_staff):
        client = login(user)
        assert client.get(reverse("promotion:announcement-edit", args=[announcement.pk])).status_code == 404
        assert (
            client.post(reverse("promotion:announcement-publish", args=[announcement.pk])).status_code == 404
        )
        delete = reverse("promotion:announcement-attachment-delete", args=[attachment.pk])
        assert client.post(delete).status_code == 404
    for user in (network.users.e1_coord, network.users.pa_admin):
        assert login(user).get(reverse("promotion:announcement-create")).status_code == 403
    with no_tenant():
        assert Announcement.objects.get(pk=announcement.pk).published_at is None
        assert AnnouncementAttachment.objects.filter(pk=attachment.pk).exists()
    staff = login(network.users.pa_staff)
    response = staff.post(
        reverse("promotion:announcement-edit", args=[announcement.pk]),
        {"title": "管理权限测试（修订）", "document_number": "", "body": "修订正文"},
    )
    assert response.status_code == 302
    assert (
        staff.post(reverse("promotion:announcement-attachment-delete", args=[attachment.pk])).status_code
        == 302
    )
    with no_tenant():
        announcement.refresh_from_db()
        assert announcement.title == "管理权限测试（修订）" and not announcement.attachments.exists()


def test_service_refuses_other_associations_and_other_roles(network):
    announcement = _announcement(network, "pa")
    pb = _membership(network.users.pb_staff)
    with membership_scope(pb), pytest.raises(PermissionDenied):
        services.announcement_unpublish(membership=pb, announcement=announcement)
    admin = _membership(network.users.pa_admin)
    with membership_scope(admin), pytest.raises(PermissionDenied):
        services.announcement_create(membership=admin, title="无权发布")


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("伪装.pdf", b"MZ\x90\x00not a pdf", content_type="application/pdf"),
            "文件类型不符合要求",
        ),
        (
            SimpleUploadedFile("图片.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png"),
            "文件类型不符合要求",
        ),
        (SimpleUploadedFile("空.pdf", b"", content_type="application/pdf"), "空文件"),
    ],
)
def test_attachment_type_is_checked_by_content(network, login, upload, message):
    """A file that is not PDF/Word/Excel by its bytes is refused inline with a Chinese message,
    and nothing is saved."""
    response = login(network.users.pa_staff).post(
        reverse("promotion:announcement-create"), {"title": "附件类型测试", "attachments": [upload]}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    with no_tenant():
        assert not Announcement.objects.filter(title="附件类型测试").exists()


def test_attachment_over_20_mb_is_refused(network):
    """20 MB is the limit (checked before the content)."""
    staff = _membership(network.users.pa_staff)
    announcement = _announcement(network, "pa")
    big = SimpleUploadedFile("大文件.pdf", PDF + b"0" * (20 * 1024 * 1024), content_type="application/pdf")
    with membership_scope(staff), pytest.raises(ValidationError) as exc:
        services.announcement_attachment_add(membership=staff, announcement=announcement, upload=big)
    message = exc.value.message_dict["attachments"][0].replace("\xa0", " ")
    assert message.startswith("文件过大") and "不能超过20.0 MB" in message


def test_word_and_excel_are_accepted(network):
    staff = _membership(network.users.pa_staff)
    announcement = _announcement(network, "pa")
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
    with membership_scope(staff):
        doc = services.announcement_attachment_add(
            membership=staff,
            announcement=announcement,
            upload=SimpleUploadedFile("报名表.doc", ole2, content_type="application/msword"),
        )
        xls = services.announcement_attachment_add(
            membership=staff,
            announcement=announcement,
            upload=SimpleUploadedFile("统计表.xls", ole2, content_type="application/vnd.ms-excel"),
        )
    assert doc.file.name.endswith(".doc") and xls.file.name.endswith(".xls")
    assert services.attachment_content_type(xls) == "application/vnd.ms-excel"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "含\x00空字符的标题"}, "title"),
        ({"title": "长" * 201}, "title"),
        ({"title": "正常标题", "document_number": "号" * 61}, "document_number"),
        ({"title": "正常标题", "body": "文" * 20001}, "body"),
        ({"title": "正常标题", "body": "含\x01控制字符"}, "body"),
        ({"title": ""}, "title"),
        ({"title": "正常标题", "campaign": "999999"}, "campaign"),
        ({"title": "正常标题", "campaign": "not-a-number"}, "campaign"),
    ],
)
def test_bad_input_is_a_form_error_not_a_500(network, login, data, field):
    response = login(network.users.pa_staff).post(reverse("promotion:announcement-create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors.get(field)


def test_campaign_of_a_sibling_province_is_refused(network, login):
    """The campaign choice holds the association's own and those above it, not PB's."""
    response = login(network.users.pa_staff).post(
        reverse("promotion:announcement-create"), {"title": "越界活动", "campaign": network.campaign_pb.pk}
    )
    assert response.status_code == 200 and response.context["form"].errors.get("campaign")


def test_list_is_pinned_first_paginated_and_bounded(network, login, django_assert_max_num_queries):
    with no_tenant():
        for n in range(25):
            f.AnnouncementFactory(
                organisation=network.pa, created_by=network.users.pa_staff, title=f"分页公告{n:02d}"
            )
        f.AnnouncementFactory(
            organisation=network.caq, created_by=network.users.caq_staff, title="置顶的全国公告", pinned=True
        )
    client = login(network.users.e1_coord)
    with django_assert_max_num_queries(15):
        first = client.get(reverse("promotion:announcement-list"))
    body = first.content.decode()
    assert body.count("分页公告") == 19 and body.index("置顶的全国公告") < body.index("分页公告")
    assert "共 26 条" in body
    second = client.get(reverse("promotion:announcement-list"), {"page": 2}).content.decode()
    assert second.count("分页公告") == 6


def test_selector_is_the_lineage_above(network):
    """announcement_list: ancestors' and own published notices; the homes never list drafts."""
    _announcement(network, "caq", title="全国")
    _announcement(network, "pa", title="本省")
    _announcement(network, "pa", title="本省草稿", published_at=None)
    _announcement(network, "pb", title="外省")
    staff = _membership(network.users.pa_staff)
    with membership_scope(staff):
        assert {a.title for a in announcement_list(membership=staff)} == {"全国", "本省", "本省草稿"}
        assert {a.title for a in announcement_list(membership=staff, include_drafts=False)} == {
            "全国",
            "本省",
        }


def test_menu_entry_for_every_role_with_campaigns_view(network, login):
    for user in (network.users.e1_leader, network.users.pa_judge, network.users.ru1_coord):
        body = login(user).get(reverse("home")).content.decode()
        assert reverse("promotion:announcement-list") in body and "通知公告" in body


def test_writes_are_audited_under_the_association(network, login):
    """Creating and publishing an announcement leaves audit entries of the association."""
    from qcportal.models import AuditEntry

    staff = login(network.users.pa_staff)
    staff.post(reverse("promotion:announcement-create"), {"title": "审计测试公告", "attachments": [_pdf()]})
    with no_tenant():
        announcement = Announcement.objects.get(title="审计测试公告")
    staff.post(reverse("promotion:announcement-publish", args=[announcement.pk]))
    with no_tenant():
        entries = AuditEntry.objects.filter(
            content_type__model__in=["announcement", "announcementattachment"], organisation=network.pa
        )
        assert entries.filter(content_type__model="announcement").count() == 2  # created, published
        assert entries.filter(content_type__model="announcementattachment").count() == 1
        assert entries.filter(acting_role="association_staff").count() == 3


def test_directly_affiliated_enterprise_also_reads_its_industry_association(network):
    """E2 (行业直属 → IA, recommended through PA) reads IA's and PA's notices; E1 only PA's."""
    from qcportal.roles import Role

    with no_tenant():
        f.AnnouncementFactory(organisation=network.ia, created_by=network.users.ia_staff, title="行业公告")
        f.AnnouncementFactory(organisation=network.pa, created_by=network.users.pa_staff, title="本省公告")
        e2 = f.MembershipFactory(organisation=network.e2, role=Role.ENTERPRISE_COORDINATOR)
        e2 = Membership.objects.select_related("organisation", "user").get(pk=e2.pk)
    e1 = _membership(network.users.e1_coord)
    with membership_scope(e2):
        assert {a.title for a in announcement_list(membership=e2)} == {"行业公告", "本省公告"}
    with membership_scope(e1):
        assert {a.title for a in announcement_list(membership=e1)} == {"本省公告"}
