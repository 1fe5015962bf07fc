"""The results knowledge base (成果知识库; issue 11 item 3; seed 001 §7.6): accepted and honoured
results are indexed from what the portal holds (R-KB-01), found by a two-character Chinese
word from their report, shared as the owning enterprise chooses (R-KB-02: a private result
never shows to another enterprise), counted by facet and matched to similar ones (R-KB-03),
and adopted by other units (R-KB-04); pages and the API."""

import datetime as dt
from decimal import Decimal

import pytest
import weasyprint
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from circles.choices import ProjectStatus
from circles.models import Project
from circles.workflow import PROJECT_WORKFLOW
from evaluation import library
from evaluation.choices import JudgingStatus, LibrarySharing
from evaluation.judging import judging_get_or_create
from evaluation.library import (
    adoption_delete,
    adoption_save,
    entry_share,
    library_entries,
    library_facets,
    library_index,
    library_search,
    library_similar,
    most_adopted,
    segment,
)
from evaluation.models import Adoption, Judging, LibraryEntry, Result, Submission
from qcportal.conflicts import Conflict
from qcportal.models import Membership
from qcportal.tenancy import membership_scope, no_tenant

pytestmark = pytest.mark.django_db

REPORT = "本小组针对齿轮箱渗漏问题，运用因果图和排列图分析，渗漏率由3.2%降至0.4%。"


def membership(user) -> Membership:
    with no_tenant():
        return Membership.objects.select_related("organisation", "user").get(user=user)


def client_of(user) -> Client:
    """A client of its own, logged in as ``user`` (the ``login`` fixture shares one)."""
    client = Client()
    client.force_login(user)
    return client


def report_pdf(text: str) -> bytes:
    return weasyprint.HTML(string=f"<html><body><p>{text}</p></body></html>").write_pdf()


@pytest.fixture
def indexed(network):
    """E1's result p1 with a PDF report naming 渗漏 (a word in no other text of the network),
    and every other accepted project of the network, indexed."""
    with no_tenant():
        submission = Submission.objects.get(pk=network.submissions[0].pk)
        submission.result_report.save("report.pdf", ContentFile(report_pdf(REPORT)), save=True)
        ids = list(Project.objects.filter(status=ProjectStatus.ACCEPTED).values_list("pk", flat=True))
    for pid in ids:
        library_index(pid)
    with no_tenant():
        return LibraryEntry.objects.get(project=submission.project_id)


def titles(user, q="", **params):
    with membership_scope(membership(user)):
        return {e.title for e in library_search(library.library_filter(library_entries(), params), q)}


def test_segmentation_takes_the_words_and_their_shorter_words():
    words = segment("降低焊接不良率，提高QC小组活动效率")
    assert {"降低", "焊接", "不良", "不良率", "qc", "小组", "效率"} <= set(words)
    assert "，" not in words


def test_a_two_character_word_of_the_report_finds_the_result_and_sharing_decides_who(network, indexed):
    """R-KB-01 and R-KB-02: 渗漏 stands only in E1's PDF report. Private (the default), only
    E1 and the associations above it find it; shared with its association, E2 (same province)
    finds it and E4 (another province) does not; shared with everyone, E4 finds it too."""
    assert indexed.sharing == LibrarySharing.OWN and "渗漏" in indexed.search_text
    users = network.users
    assert titles(users.e1_coord, "渗漏") == {indexed.title}
    assert titles(users.e1_leader, "渗漏") == {indexed.title}
    assert titles(users.pa_staff, "渗漏") == {indexed.title}  # its association sees its subtree
    assert titles(users.e4_coord, "渗漏") == set()  # a private result never shows to another enterprise
    with no_tenant():
        e2 = Membership.objects.filter(organisation=network.e2).first()
    e2_user = e2.user if e2 else None
    coord = membership(users.e1_coord)
    with membership_scope(coord):
        entry_share(membership=coord, entry=indexed, sharing=LibrarySharing.ASSOCIATION)
    indexed.refresh_from_db()
    assert indexed.audience_id == network.pa.pk
    assert titles(users.e4_coord, "渗漏") == set()
    assert titles(users.ru1_coord, "渗漏") == {indexed.title}
    assert titles(users.pb_staff, "渗漏") == set()
    if e2_user is not None:
        assert titles(e2_user, "渗漏") == {indexed.title}
    with membership_scope(coord):
        entry_share(membership=coord, entry=indexed, sharing=LibrarySharing.EVERYONE)
    assert titles(users.e4_coord, "渗漏") == {indexed.title}
    assert titles(users.e4_coord, "渗漏率") == {indexed.title}
    assert titles(users.e4_coord, "渗漏 因果图") == {indexed.title}  # every word must match
    assert titles(users.e4_coord, "渗漏 焊接机器人") == set()
    with membership_scope(coord):
        entry_share(membership=coord, entry=indexed, sharing=LibrarySharing.OWN)
    assert titles(users.e4_coord, "渗漏") == set()


def test_only_the_owners_management_sets_the_sharing(network, indexed):
    for user in (
        network.users.e1_exec,
        network.users.e1_leader,
        network.users.e4_coord,
        network.users.pa_staff,
    ):
        acting = membership(user)
        with membership_scope(acting), pytest.raises(PermissionDenied):
            entry_share(membership=acting, entry=indexed, sharing=LibrarySharing.EVERYONE)
    coord = membership(network.users.e1_coord)
    with membership_scope(coord), pytest.raises(ValidationError, match="共享范围"):
        entry_share(membership=coord, entry=indexed, sharing="world")


def test_the_entry_is_built_from_the_portal_never_typed(network, indexed):
    """Title, circle, enterprise (as on its seal), type, domain, benefit in 万元, year of
    acceptance, the records' tools; the best published grade marks it honoured."""
    with no_tenant():
        project = Project.objects.select_related("circle").get(pk=indexed.project_id)
        submission = Submission.objects.select_related("domain").get(pk=network.submissions[0].pk)
    assert indexed.title == project.title and indexed.circle_name == project.circle.name
    assert indexed.enterprise_name == (submission.seal_name or network.e1.name)
    assert indexed.economic_benefit == Decimal("10.5") and indexed.year == 2020
    assert indexed.submission_id == submission.pk and not indexed.honoured
    with no_tenant():
        judging = judging_get_or_create(campaign=network.campaign, association=network.pa)
        level = judging.grade_levels.create(name="一等", position=1)
        Result.objects.create(
            organisation=network.e1,
            judging=judging,
            submission=submission,
            final_score=Decimal("90"),
            grade=level,
        )
    assert library_index(project.pk).grade == ""  # not yet published
    with no_tenant():
        Judging.objects.filter(pk=judging.pk).update(status=JudgingStatus.PUBLISHED)
    entry = library_index(project.pk)
    assert (entry.grade, entry.honoured) == ("一等", True)


def test_acceptance_enters_the_knowledge_base_after_commit(network, django_capture_on_commit_callbacks):
    coord = membership(network.users.e1_coord)
    with no_tenant():
        project = Project.objects.get(pk=network.circles[2].projects.first().pk)
        Project.objects.filter(pk=project.pk).update(status=ProjectStatus.COMPLETED)
        project.refresh_from_db()
    assert not LibraryEntry._base_manager.filter(project=project).exists()
    with membership_scope(coord), django_capture_on_commit_callbacks(execute=True):
        PROJECT_WORKFLOW.perform(
            project,
            "accept",
            membership=coord,
            data={"achieved_value": "98%", "economic_benefit": "0"},
        )
    entry = LibraryEntry._base_manager.get(project=project)
    assert entry.title == project.title and entry.sharing == LibrarySharing.OWN


def test_facets_count_what_the_search_finds(network, indexed):
    staff = membership(network.users.pa_staff)
    with membership_scope(staff):
        visible = library_entries()
        facets = library_facets(visible)
        assert sum(n for _v, n in facets["year"]) == visible.count()
        assert dict(facets["project_type"]) == dict(
            visible.order_by().values_list("project_type").annotate(n=Count("pk"))
        )
        found = library_search(visible, "渗漏")
        assert library_facets(found)["year"] == [(2020, 1)]
        with pytest.raises(ValidationError, match="四位"):
            library.library_filter(visible, {"year": "20x0"})
    with pytest.raises(ValidationError, match="非法字符"):
        library.clean_query("渗\x00漏")
    with pytest.raises(ValidationError, match="100"):
        library.clean_query("渗" * 101)


def test_similar_results_share_keywords(network, indexed, monkeypatch):
    """R-KB-03: another visible result about 渗漏 comes first among the similar ones; never
    the result itself; without PostgreSQL, results of the same type and domain."""
    with no_tenant():
        other = LibraryEntry.objects.exclude(pk=indexed.pk).filter(organisation=network.e1).first()
        other.keywords = indexed.keywords  # the same keywords: the most similar
        other.save()
        LibraryEntry.objects.exclude(pk__in=[indexed.pk, other.pk]).update(keywords="无关 词语")
    staff = membership(network.users.pa_staff)
    with membership_scope(staff):
        similar = library_similar(indexed)
        assert indexed.pk not in {e.pk for e in similar}
        if connection.vendor == "postgresql":
            assert [e.pk for e in similar] == [other.pk]  # sharing no keyword is not similar
        monkeypatch.setattr(library, "_postgres", lambda: False)
        fallback = library_similar(indexed)
        assert all(e.project_type == indexed.project_type and e.domain == indexed.domain for e in fallback)
        assert library_search(library_entries(), "渗漏").filter(pk=indexed.pk).exists()


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_the_search_uses_the_full_text_index(network, indexed):
    staff = membership(network.users.pa_staff)
    with membership_scope(staff):
        sql, params = library_search(LibraryEntry.objects.all(), "渗漏").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "evaluation_library_vector" in plan


def test_adoptions_are_counted_and_the_most_adopted_come_first(network, indexed):
    """R-KB-04: E4 and RU3 adopt E1's result shared with everyone; a second record of the same
    place is a conflict; only the recording unit changes or deletes its record."""
    coord = membership(network.users.e1_coord)
    with membership_scope(coord):
        entry_share(membership=coord, entry=indexed, sharing=LibrarySharing.EVERYONE)
    e4 = membership(network.users.e4_coord)
    today = timezone.localdate()
    data = {"place": "装配车间", "adopted_on": today, "effect": "渗漏率下降一半", "benefit": Decimal("3.5")}
    with membership_scope(e4):
        adoption = adoption_save(membership=e4, entry=indexed, data=data)
        with pytest.raises(Conflict, match="已登记过"):
            adoption_save(membership=e4, entry=indexed, data=data)
        adoption_save(membership=e4, entry=indexed, data={**data, "place": "总装线"})
        with pytest.raises(ValidationError) as refused:
            adoption_save(
                membership=e4,
                entry=indexed,
                data={"place": "", "adopted_on": today + dt.timedelta(days=1), "effect": "", "benefit": -1},
            )
        assert set(refused.value.message_dict) == {"place", "adopted_on", "effect", "benefit"}
    indexed.refresh_from_db()
    assert indexed.adoption_count == 2
    with membership_scope(membership(network.users.pb_staff)):
        assert [e.pk for e in most_adopted()] == [indexed.pk]
    with membership_scope(coord), pytest.raises(PermissionDenied):
        adoption_delete(membership=coord, adoption=adoption)
    with membership_scope(e4):
        adoption_delete(membership=e4, adoption=adoption)
    indexed.refresh_from_db()
    assert indexed.adoption_count == 1
    # Narrowing the sharing hides the result from E4, but not E4's own record of adoption.
    with membership_scope(coord):
        entry_share(membership=coord, entry=indexed, sharing=LibrarySharing.OWN)
    with membership_scope(e4):
        assert not library_entries().filter(pk=indexed.pk).exists()
        assert Adoption.objects.filter(entry=indexed).count() == 1


def test_the_pages_search_share_and_adopt(network, login, indexed, django_assert_max_num_queries):
    client = login(network.users.e1_coord)
    page = client.get(reverse("evaluation:library"), {"q": "渗漏"})
    assert page.status_code == 200
    assert indexed.title in page.content.decode() and 'data-testid="facets"' in page.content.decode()
    with django_assert_max_num_queries(20):
        assert client.get(reverse("evaluation:library")).status_code == 200
    assert client.get(reverse("evaluation:library"), {"q": "渗" * 101}).status_code == 400
    assert "四位" in client.get(reverse("evaluation:library"), {"year": "x"}).content.decode()
    detail = reverse("evaluation:library-detail", args=[indexed.pk])
    body = client.get(detail).content.decode()
    assert 'data-testid="share-form"' in body and 'data-testid="entry-report"' in body
    report = client.get(reverse("evaluation:library-report", args=[indexed.pk]))
    assert report.status_code == 200 and report["Content-Disposition"].startswith("attachment")
    client.post(detail, {"action": "share", "sharing": "everyone"})
    indexed.refresh_from_db()
    assert indexed.sharing == LibrarySharing.EVERYONE
    other = client_of(network.users.e4_coord)
    body = other.get(detail).content.decode()
    assert 'data-testid="share-form"' not in body and 'data-testid="adoption-form"' in body
    answer = other.post(
        detail,
        {
            "action": "adopt",
            "place": "装配车间",
            "adopted_on": timezone.localdate().isoformat(),
            "effect": "效果好",
        },
    )
    assert answer.status_code == 302
    again = other.post(
        detail,
        {
            "action": "adopt",
            "place": "装配车间",
            "adopted_on": timezone.localdate().isoformat(),
            "effect": "效果好",
        },
    )
    assert again.status_code == 409 and "已登记过" in again.content.decode()
    assert "装配车间" in other.get(detail).content.decode()
    # Private again: E4 is refused the page and the report (404, nothing revealed).
    client.post(detail, {"action": "share", "sharing": "own"})
    assert other.get(detail).status_code == 404
    assert other.get(reverse("evaluation:library-report", args=[indexed.pk])).status_code == 404


def test_the_api_searches_shares_and_adopts(network, login, indexed):
    coord = login(network.users.e1_coord)
    found = coord.get("/api/v1/library/", {"q": "渗漏"}).json()["results"]
    assert [e["id"] for e in found] == [indexed.pk] and found[0]["sharing"] == "own"
    facets = coord.get("/api/v1/library/facets/", {"q": "渗漏"}).json()
    assert facets["year"] == [{"value": 2020, "count": 1}]
    bad = coord.get("/api/v1/library/", {"q": "渗" * 101})
    assert bad.status_code == 400 and bad.json()["errors"]["q"]
    assert coord.get("/api/v1/library/", {"year": "２０２０"}).status_code == 400
    assert coord.get(f"/api/v1/library/{indexed.pk}/similar/").status_code == 200
    # /results/ takes the same search (its issue-8 fields unchanged, plus the entry's id).
    results = coord.get("/api/v1/results/", {"q": "渗漏"})
    assert results.status_code == 200
    shared = coord.post(
        f"/api/v1/library/{indexed.pk}/share/", {"sharing": "everyone"}, content_type="application/json"
    )
    assert shared.status_code == 200 and shared.json()["sharing"] == "everyone"
    other = client_of(network.users.e4_coord)
    assert [e["id"] for e in other.get("/api/v1/library/", {"q": "渗漏"}).json()["results"]] == [indexed.pk]
    assert (
        other.post(
            f"/api/v1/library/{indexed.pk}/share/", {"sharing": "own"}, content_type="application/json"
        ).status_code
        == 403
    )
    body = {
        "entry": indexed.pk,
        "place": "装配车间",
        "adopted_on": timezone.localdate().isoformat(),
        "effect": "渗漏率下降",
        "benefit": "2.5",
    }
    created = other.post("/api/v1/adoptions/", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["organisation"] == "E4"
    assert other.post("/api/v1/adoptions/", body, content_type="application/json").status_code == 409
    assert other.get(f"/api/v1/library/{indexed.pk}/").json()["adoption_count"] == 1
    patched = other.patch(
        f"/api/v1/adoptions/{created.json()['id']}/",
        {"effect": "渗漏率下降六成"},
        content_type="application/json",
    )
    assert patched.status_code == 200 and patched.json()["effect"] == "渗漏率下降六成"
    refused = coord.delete(f"/api/v1/adoptions/{created.json()['id']}/")
    assert refused.status_code == 403
    assert other.delete(f"/api/v1/adoptions/{created.json()['id']}/").status_code == 204
    assert other.get(f"/api/v1/library/{indexed.pk}/").json()["adoption_count"] == 0


def test_the_results_api_search_keeps_its_contract(network, login, indexed):
    """``/api/v1/results/?q=`` (issue 8's published grades): only results whose entry the
    search finds, each with its knowledge-base id."""
    with no_tenant():
        judging = judging_get_or_create(campaign=network.campaign, association=network.pa)
        Judging.objects.filter(pk=judging.pk).update(status=JudgingStatus.PUBLISHED)
        for submission in network.submissions[:2]:
            Result.objects.get_or_create(
                submission=submission,
                defaults={"organisation": submission.organisation, "judging": judging, "final_score": 80},
            )
    client = login(network.users.e1_coord)
    everything = client.get("/api/v1/results/").json()["results"]
    found = client.get("/api/v1/results/", {"q": "渗漏"}).json()["results"]
    assert len(everything) >= 2 and [r["submission"] for r in found] == [network.submissions[0].pk]
    assert found[0]["library"] == indexed.pk
    assert client.get("/api/v1/results/", {"q": "x" * 101}).status_code == 400


def test_the_rebuild_command_indexes_and_keeps_the_sharing(network):
    from io import StringIO

    from django.core.management import CommandError, call_command

    with no_tenant():
        accepted = Project.objects.filter(status=ProjectStatus.ACCEPTED, organisation=network.e1).count()
    out = StringIO()
    call_command("library_rebuild", "--enterprise", "E1", stdout=out)
    assert f"{accepted:,} 条" in out.getvalue()
    with no_tenant():
        entry = LibraryEntry.objects.filter(organisation=network.e1).first()
        LibraryEntry.objects.filter(pk=entry.pk).update(sharing=LibrarySharing.EVERYONE, audience=None)
    call_command("library_rebuild", stdout=StringIO())
    entry.refresh_from_db()
    assert entry.sharing == LibrarySharing.EVERYONE and entry.audience_id is None
    with pytest.raises(CommandError, match="NOPE"):
        call_command("library_rebuild", "--enterprise", "NOPE")
