"""The web flow: campaign forms page → generate → progress → download; role home pages."""

import pytest
from django.urls import reverse

from qcportal.tenancy import no_tenant
from reports.models import ReportRun

from ..conftest import xlsx_text

pytestmark = pytest.mark.django_db


def test_generate_from_the_campaign_page(network, login, django_capture_on_commit_callbacks):
    client = login(network.users.pa_staff)
    page = client.get(reverse("reports:campaign-forms", args=["CAQ-T"]))
    assert page.status_code == 200
    assert "附件3 质量管理小组活动统计表" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:campaign-forms", args=["CAQ-T"]),
            {"form": "annex4", "file_format": "pdf", "organisation": "PA"},
        )
    assert response.status_code == 302
    with no_tenant():
        run = ReportRun.objects.exclude(pk=network.runs.pa.pk).exclude(pk=network.runs.pb.pk).get()
    assert run.status == "succeeded" and run.requested_by == network.users.pa_staff
    download = client.get(reverse("reports:run-download", args=[run.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_generate_form_shows_errors_inline(network, login):
    client = login(network.users.pa_staff)
    response = client.post(
        reverse("reports:campaign-forms", args=["CAQ-T"]),
        {"form": "annex1", "file_format": "pdf", "organisation": "PA", "submission": "999999"},
    )
    assert response.status_code == 200
    assert "找不到编号为 999999 的成果申报" in response.content.decode()


def test_organisation_choices_are_the_own_subtree(network, login):
    client = login(network.users.pa_staff)
    form = client.get(reverse("reports:campaign-forms", args=["CAQ-T"])).context["form"]
    assert [o.code for o in form.fields["organisation"].queryset] == ["PA"]


@pytest.mark.parametrize(
    ("user", "marker"),
    [
        ("caq_staff", "stat-circles"),
        ("pa_leader", "stat-participation"),
        ("ru1_coord", "unit-enterprises"),
        ("e1_coord", "stat-members"),
        ("e1_exec", "stat-benefit"),
        ("e1_leader", "my-circles"),
        ("pa_judge", "judge-sheets"),
    ],
)
def test_home_page_per_role(network, login, user, marker, django_assert_max_num_queries):
    client = login(getattr(network.users, user))
    with django_assert_max_num_queries(25):
        response = client.get(reverse("home"))
    assert response.status_code == 200
    assert marker in response.content.decode()


def test_judge_home_lists_only_own_sheets(network, login):
    body = login(network.users.pa_judge).get(reverse("home")).content.decode()
    assert body.count("<tr>") - 1 == 2  # 赵组长 scored s1 and s2


def test_leader_home_lists_own_circle(network, login):
    body = login(network.users.e1_leader).get(reverse("home")).content.decode()
    assert "甲攻关QC小组" in body and "甲创新QC小组" not in body


def test_run_list_page_filters_and_paginates(network, login, django_assert_max_num_queries):
    with no_tenant():
        for form in ("annex3", "annex4", "annex5") * 10:
            ReportRun.objects.create(
                organisation=network.pa,
                campaign=network.campaign,
                form=form,
                file_format="xlsx",
                requested_by=network.users.pa_staff,
            )
    client = login(network.users.pa_staff)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("reports:run-list"), {"form": "annex4"})
    assert response.status_code == 200
    assert len(response.context["table"].page.object_list) == 10  # annex4 only
    assert len(client.get(reverse("reports:run-list")).context["table"].page.object_list) == 25


def test_forms_stay_chinese_when_the_user_browses_in_english(
    network, login, django_capture_on_commit_callbacks
):
    """The UI has English translations; the official forms are always in Chinese."""
    client = login(network.users.pa_staff)
    client.post(reverse("set_language"), {"language": "en"})
    page = client.get(reverse("reports:campaign-forms", args=["CAQ-T"]))
    assert "Generate" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("reports:campaign-forms", args=["CAQ-T"]),
            {"form": "annex4", "file_format": "xlsx", "organisation": "PA"},
        )
    with no_tenant():
        run = ReportRun.objects.exclude(pk=network.runs.pa.pk).exclude(pk=network.runs.pb.pk).get()
    text = xlsx_text(run.file.read())
    assert "问题解决型" in text and "Problem" not in text
