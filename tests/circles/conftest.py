"""Fixtures of the circles tests: API clients acting as the small network's enterprise
roles, and a circle member login (E1's 甲攻关QC小组)."""

import pytest
from rest_framework.test import APIClient

from circles.models import CircleMember
from qcportal.roles import Role
from qcportal.tenancy import no_tenant
from tests.factories import api_token

from .. import factories as f


@pytest.fixture
def api(network):
    """``api(username)``: an APIClient authenticated with that user's token."""

    def _client(username):
        with no_tenant():
            user = getattr(network.users, username, None) or f.UserFactory(username=username)
            token = api_token(user)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client

    return _client


@pytest.fixture
def e1_member(network):
    """A circle member (组员 login) of c1, 甲攻关QC小组 of E1."""
    with no_tenant():
        membership = f.MembershipFactory(
            user=f.UserFactory(username="e1_member"), organisation=network.e1, role=Role.CIRCLE_MEMBER
        )
        member = CircleMember.objects.filter(circle=network.circles[0], role="member").order_by("id").first()
        member.user = membership.user
        member.save()
    return membership.user
