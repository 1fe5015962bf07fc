"""The recommendation chain's to-do items (issue 7 item 9, rule R-PT-24): each role sees what
waits for it, counted in one query, with a link to the filtered submissions list."""

import datetime as dt

import pytest

from evaluation.choices import SubmissionStatus
from evaluation.models import Submission
from evaluation.todos import chain_todos
from qcportal.models import Membership
from qcportal.tenancy import membership_scope, no_tenant
from qcportal.todos import todos_for

pytestmark = pytest.mark.django_db

S = SubmissionStatus


def _membership(user):
    return Membership._base_manager.select_related("organisation", "user").get(user=user)


def _statuses(network, **by_index):
    with no_tenant():
        for index, values in by_index.items():
            Submission._base_manager.filter(pk=network.submissions[int(index[1:])].pk).update(**values)


def _items(membership, django_assert_max_num_queries, budget=1):
    with membership_scope(membership), django_assert_max_num_queries(budget):
        items = chain_todos(membership)
    return {str(t.label): (t.count, t.url) for t in items}


def test_rule_enterprise_todos_returned_unit_returned_and_drafts(network, django_assert_max_num_queries):
    """R-PT-24: the enterprise coordinator sees results returned for correction (with the
    earliest deadline), returned by the unit, and drafts — one query."""
    _statuses(
        network,
        s0={"status": S.RETURNED, "correction_due": dt.date(2026, 12, 5)},
        s1={"status": S.RETURNED, "correction_due": dt.date(2026, 12, 3)},
        s2={"status": S.UNIT_RETURNED},
        s5={"status": S.DRAFT},
    )
    items = _items(_membership(network.users.e1_coord), django_assert_max_num_queries)
    assert items["成果申报被退回修改，请在 2026-12-03 前修改并重新提交"] == (
        2,
        "/evaluation/submissions/?status=returned",
    )
    assert items["成果申报被推荐单位退回，待修改"] == (1, "/evaluation/submissions/?status=unit_returned")
    assert items["成果申报草稿，待提交"] == (1, "/evaluation/submissions/?status=draft")


def test_rule_unit_todos_submissions_waiting_for_recommendation(network, django_assert_max_num_queries):
    """R-PT-24: the recommending unit's coordinator sees results waiting for its
    recommendation (its own unit only)."""
    _statuses(network, s0={"status": S.SUBMITTED}, s1={"status": S.SUBMITTED}, s4={"status": S.SUBMITTED})
    ru1 = _items(_membership(network.users.ru1_coord), django_assert_max_num_queries)
    assert ru1 == {"成果申报待推荐": (2, "/evaluation/submissions/?status=submitted")}
    ru3 = _items(_membership(network.users.ru3_coord), django_assert_max_num_queries)
    assert ru3 == {"成果申报待推荐": (1, "/evaluation/submissions/?status=submitted")}


def test_rule_association_todos_formal_review_and_recommendation_decision(
    network, django_assert_max_num_queries
):
    """R-PT-24: the association's staff see results waiting for formal review and scored
    results waiting for the recommend/decline decision, of their own association only."""
    _statuses(
        network,
        s0={"status": S.UNIT_RECOMMENDED},
        s1={"status": S.SCORED},
        s4={"status": S.UNIT_RECOMMENDED},  # PB's
    )
    pa = _items(_membership(network.users.pa_staff), django_assert_max_num_queries)
    assert pa["成果申报待资料形式审查"] == (1, "/evaluation/submissions/?status=unit_recommended")
    assert pa["已评审成果待决定是否推荐上级"] == (1, "/evaluation/submissions/?status=scored")
    pb = _items(_membership(network.users.pb_staff), django_assert_max_num_queries)
    assert pb["成果申报待资料形式审查"][0] == 1
    assert _items(_membership(network.users.pa_leader), django_assert_max_num_queries, 0) == {}


def test_chain_todos_reach_the_home_page_list(network, login):
    """The items join the role's to-do list (qcportal.todos) and appear on the home page."""
    _statuses(network, s0={"status": S.SUBMITTED})
    membership = _membership(network.users.ru1_coord)
    with membership_scope(membership):
        labels = [str(t.label) for t in todos_for(membership)]
    assert "成果申报待推荐" in labels
    page = login(network.users.ru1_coord).get("/").content.decode()
    assert "成果申报待推荐" in page
