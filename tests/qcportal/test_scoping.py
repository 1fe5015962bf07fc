"""The tenancy mechanism fails closed and hides foreign tenants (architecture.md, Tenancy)."""

import pytest
from django.urls import reverse
from django_scopes import ScopeError

from circles.models import Circle, CircleMember, Project
from evaluation.models import ScoreSheet, Submission
from promotion.models import Campaign
from qcportal.models import Organisation
from qcportal.tenancy import no_tenant, tenant_scope
from reports.models import ReportRun

pytestmark = pytest.mark.django_db

TENANT_MODELS = [Circle, CircleMember, Project, Submission, ScoreSheet, Campaign, Organisation, ReportRun]


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m.__name__)
def test_tenant_data_cannot_be_read_without_a_tenant_context(network, model):
    with pytest.raises(ScopeError):
        list(model.objects.all())
    with pytest.raises(ScopeError):
        model.objects.count()


def test_province_sees_its_subtree_only(network):
    with tenant_scope(network.pa):
        enterprises = set(Circle.objects.values_list("organisation__code", flat=True))
        assert enterprises == {"E1", "E2"}
        assert set(Campaign.objects.values_list("code", flat=True)) == {"CAQ-T"}  # national one, not PB's
        assert not Organisation.objects.filter(code="PB").exists()
        assert Organisation.objects.filter(code="CAQ").exists()  # ancestors are visible


def test_industry_association_sees_directly_affiliated_enterprise(network):
    with tenant_scope(network.ia):
        assert set(Circle.objects.values_list("organisation__code", flat=True)) == {"E2", "E3"}


def test_enterprise_sees_only_itself(network):
    with tenant_scope(network.e1):
        assert set(Circle.objects.values_list("organisation__code", flat=True)) == {"E1"}
        assert not ScoreSheet.objects.exists()  # judges' sheets belong to the association


def test_provincial_user_gets_404_for_another_provinces_campaign(network, login):
    client = login(network.users.pa_staff)
    assert client.get(reverse("promotion:campaign-detail", args=["PB-T"])).status_code == 404
    assert client.get(reverse("api:campaign-detail", args=["PB-T"])).status_code == 404
    assert client.get(reverse("promotion:campaign-detail", args=["CAQ-T"])).status_code == 200


def test_provincial_user_gets_404_for_another_provinces_report_run(network, login):
    with no_tenant():
        run = ReportRun.objects.create(
            organisation=network.pb,
            campaign=network.campaign,
            form="annex3",
            file_format="xlsx",
            requested_by=network.users.pb_staff,
        )
    client = login(network.users.pa_staff)
    for name in (
        "reports:run-detail",
        "reports:run-download",
        "api:reportrun-detail",
        "api:reportrun-download",
    ):
        assert client.get(reverse(name, args=[run.pk])).status_code == 404, name
    listed = client.get(reverse("api:reportrun-list")).json()
    assert run.pk not in [r["id"] for r in listed["results"]]
    pb = login(network.users.pb_staff)
    assert pb.get(reverse("api:reportrun-detail", args=[run.pk])).status_code == 200


def test_cannot_start_a_report_for_a_foreign_or_ancestor_organisation(network, login):
    with no_tenant():
        before = ReportRun.objects.count()
    client = login(network.users.pa_staff)
    for code in ("PB", "CAQ"):
        response = client.post(
            reverse("api:reportrun-list"),
            {"campaign": "CAQ-T", "form": "annex3", "file_format": "xlsx", "organisation": code},
        )
        assert response.status_code == 400, code
    with no_tenant():
        assert ReportRun.objects.count() == before


def test_anonymous_users_go_to_login_or_get_401(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert client.get(reverse("api:campaign-list")).status_code == 401


def test_membership_switch_only_to_own_memberships(network, login):
    client = login(network.users.pa_staff)
    with no_tenant():
        foreign = network.users.pb_staff.memberships.first()
    assert client.post(reverse("switch-membership", args=[foreign.pk])).status_code == 404


def test_the_share_querysets_are_built_once_and_handed_out_as_clones(network):
    """The scope's id querysets are built once per process and place (qcportal.tenancy.
    _share_queryset); each caller gets its own clone, so evaluating one never fills or changes
    what the next request gets, and a moved organisation gets the querysets of its new place."""
    from qcportal import tenancy

    with no_tenant():
        pa = Organisation.objects.get(code="PA")
    first, second = tenancy.lineage_organisations(pa), tenancy.lineage_organisations(pa)
    assert first is not second and str(first.query) == str(second.query)
    with no_tenant():
        codes = set(Organisation.objects.filter(pk__in=first).values_list("code", flat=True))
        subtree = set(Organisation.objects.filter(path__startswith=pa.path).values_list("code", flat=True))
    assert codes == subtree | {"CAQ"} and {"PA", "E1"} <= codes and "PB" not in codes
    with no_tenant():
        assert set(Organisation.objects.filter(pk__in=second).values_list("code", flat=True)) == codes
    assert second._result_cache is None
    with no_tenant():
        pa.parent = Organisation.objects.get(code="PB")  # moved under another province (in memory)
        pa.path = "/CAQ/PB/PA/"
    moved = tenancy.visible_organisations(pa)
    assert "/CAQ/PB/PA/" in str(moved.query) and "/CAQ/PA/" not in str(moved.query)
