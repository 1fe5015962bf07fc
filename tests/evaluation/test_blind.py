"""Blind materials review (盲评), issue 8 item 8: a judge of a blind round sees no enterprise,
circle or member names in any page, file name or API response of that round; staff do.

s6 (E1 测试甲机械有限公司, circle c2) is judged in PA's first round by 赵组长 (``pa_judge``,
chair of the panel 「第一组」) and 钱骨干; the round is made blind here.
"""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from circles.models import CircleMember
from evaluation import blind
from evaluation.models import JudgingRound, Submission
from qcportal.tenancy import no_tenant

from .test_sheets import api, membership, panel, round_of, save  # noqa: F401  (panel is a fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def blind_round(network, panel):  # noqa: F811
    """PA's first round made blind; s6's result report stored under a telling file name, its
    title naming the enterprise."""
    with no_tenant():
        round_ = round_of(network)
        JudgingRound._base_manager.filter(pk=round_.pk).update(blind=True)
        s6 = Submission.objects.select_related("project", "circle", "organisation").get(
            pk=network.submissions[5].pk
        )
        s6.result_report.save("测试甲机械有限公司_成果报告.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
        s6.project.title = "测试甲机械有限公司降低齿轮废品率"
        s6.project.save(update_fields=["title"])
        names = [s6.organisation.name, s6.circle.name, s6.seal_name or s6.organisation.name]
        names += list(CircleMember.objects.filter(circle=s6.circle).values_list("name", flat=True))
    return round_, s6, [n for n in names if n]


def _absent(body: str, names: list[str], where: str) -> None:
    for name in names:
        assert name not in body, f"{where} shows {name!r}"


def test_blind_round_shows_no_names_to_the_judge_anywhere(network, login, blind_round, panel):  # noqa: F811
    round_, s6, names = blind_round
    save("pa_judge", network)
    client = login(network.users.pa_judge)
    pages = {
        "task list": reverse("evaluation:task-list"),
        "submission page": reverse("evaluation:submission-detail", args=[s6.pk]),
        "sheet page": reverse("evaluation:round-sheet", args=[round_.pk, s6.pk]),
        "panel page": reverse("evaluation:panel", args=[panel.pk]),
    }
    for where, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, where
        body = response.content.decode()
        _absent(body, names, where)
        assert f"成果 #{s6.pk}" in body, where
    sheet_page = client.get(pages["sheet page"]).content.decode()
    assert "降低齿轮废品率" in sheet_page  # the title stays, the enterprise's name in it is masked
    rest = api(network.users.pa_judge)
    sheets = rest.get(reverse("api:scoresheet-list")).json()["results"]
    sheet_id = next(r["id"] for r in sheets if r["submission"]["id"] == s6.pk)
    for where, url in {
        "API sheet list": reverse("api:scoresheet-list"),
        "API sheet detail": reverse("api:scoresheet-detail", args=[sheet_id]),
        "API submission list": reverse("api:submission-list"),
        "API submission detail": reverse("api:submission-detail", args=[s6.pk]),
    }.items():
        response = rest.get(url)
        assert response.status_code == 200, where
        _absent(response.content.decode(), names, where)
    download = client.get(reverse("evaluation:report-download", args=[s6.pk]))
    assert download.status_code == 200
    disposition = download["Content-Disposition"]
    assert "%E6%B5%8B%E8%AF%95%E7%94%B2" not in disposition and "测试甲" not in disposition
    assert f"{s6.pk}.pdf" in disposition


def test_staff_always_see_the_names(network, login, blind_round, panel):  # noqa: F811
    round_, s6, names = blind_round
    page = login(network.users.pa_staff).get(reverse("evaluation:panel", args=[panel.pk])).content.decode()
    assert s6.organisation.name in page and s6.circle.name in page
    body = api(network.users.pa_staff).get(reverse("api:submission-detail", args=[s6.pk])).json()
    assert body["enterprise_name"] == s6.organisation.name


def test_is_blind_for_and_the_mask(network, blind_round):
    round_, s6, names = blind_round
    with no_tenant():
        judge, staff, other = membership("pa_judge"), membership("pa_staff"), membership("pb_judge")
        assert blind.is_blind_for(judge, s6)
        assert not blind.is_blind_for(staff, s6) and not blind.is_blind_for(other, s6)
        label = blind.label(judge, s6)
        assert label["enterprise"] == f"成果 #{s6.pk}" and label["title"] == "＊＊＊降低齿轮废品率"
        assert blind.label(staff, s6)["enterprise"] == s6.organisation.name
        JudgingRound._base_manager.filter(pk=round_.pk).update(blind=False)
        assert not blind.is_blind_for(membership("pa_judge"), s6)
