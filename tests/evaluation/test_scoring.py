"""Aggregation of a judging (issue 8 item 6; standard.md §4; evaluation/scoring.py):
trimmed mean with 4, 5 and 7 judges (N = 5), half-up rounding, round weighting, recused and
conflicted judges never count, z-score advice and judge calibration."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from evaluation.choices import RoundStatus, ScoreSheetKind
from evaluation.judging import judging_get_or_create, standard_template
from evaluation.models import (
    ConflictDeclaration,
    ConflictWaiver,
    JudgeAssignment,
    JudgingRound,
    Result,
    RoundScore,
)
from evaluation.scoring import (
    final_score,
    judge_calibration,
    rank_rows,
    results_compute,
    round_half_up,
    round_scores_compute,
    trimmed_mean,
)
from promotion.models import CampaignDomain
from qcportal.tenancy import no_tenant
from tests import factories as f

D = Decimal


# --- fixtures shared with test_grading.py ---------------------------------------------------------
class World:
    """A PA campaign (PA-G) with two domains, its judging with two rounds (成果评审 60 %,
    发表评审 40 %) and seven PA judges; submissions and sheets are added by the tests."""

    def __init__(self, network):
        self.network = network
        with no_tenant():
            self.campaign = f.CampaignFactory(code="PA-G", organisation=network.pa, title="评审测试活动")
            self.domains = [
                CampaignDomain.objects.create(campaign=self.campaign, name=name, position=n)
                for n, name in enumerate(("制造类", "服务类"), start=1)
            ]
            self.judging = judging_get_or_create(campaign=self.campaign, association=network.pa)
            self.rounds = [
                JudgingRound.objects.create(
                    organisation=network.pa,
                    judging=self.judging,
                    position=n,
                    name=name,
                    kind=kind,
                    template=standard_template(ScoreSheetKind.PROBLEM_SOLVING_RESULT),
                    starts_on=dt.date(2020, 6, 1),
                    ends_on=dt.date(2020, 7, 1),
                    weight=D(weight),
                    status=RoundStatus.OPEN,
                )
                for n, (name, kind, weight) in enumerate(
                    (("成果评审", "materials", "60"), ("发表评审", "presentation", "40")), start=1
                )
            ]
            self.judges = [
                f.JudgeFactory(
                    organisation=network.pa, name=f"测评委{n}", certificate_number=f"QCPS-G-{n:03d}"
                )
                for n in range(1, 8)
            ]
        self.n = 0

    def submission(self, domain=0, *, enterprise=None):
        """A new formally reviewed submission of E1 (or ``enterprise``) in a domain."""
        self.n += 1
        with no_tenant():
            circle = (
                self.network.circles[0] if enterprise is None else f.CircleFactory(organisation=enterprise)
            )
            project = f.ProjectFactory(circle=circle, title=f"评审测试课题{self.n}")
            return f.SubmissionFactory(
                campaign=self.campaign,
                project=project,
                recommending_association=self.network.pa,
                domain=self.domains[domain],
                status="formally_reviewed",
            )

    def score(self, submission, totals, round_no=1):
        """Submitted sheets with these totals by the first len(totals) judges."""
        with no_tenant():
            for judge, total in zip(self.judges, totals, strict=False):
                JudgeAssignment.objects.get_or_create(
                    organisation=self.network.pa,
                    round=self.rounds[round_no - 1],
                    submission=submission,
                    judge=judge,
                )
                f.ScoreSheetFactory(
                    organisation=self.network.pa,
                    round=self.rounds[round_no - 1],
                    submission=submission,
                    judge=judge,
                    total=D(str(total)),
                )


@pytest.fixture
def world(network):
    return World(network)


def _round_score(round_, submission):
    with no_tenant():
        return RoundScore.objects.get(round=round_, submission=submission)


# --- pure functions ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("totals", "expected"),
    [
        (["80", "85", "90", "70"], "81.25"),  # 4 judges < 5: plain mean
        (["80", "85", "90", "70", "95"], "85.00"),  # 5 judges: drop 95 and 70
        (["80", "85", "90", "70", "95", "60", "99"], "84.00"),  # 7: drop 99 and 60 → 420 / 5
    ],
)
def test_trimmed_mean_with_4_5_and_7_judges(totals, expected):
    values = [D(t) for t in totals]
    assert trimmed_mean(
        n=len(values), total=sum(values), high=max(values), low=min(values), trim_min_judges=5
    ) == D(expected)


def test_half_up_rounding():
    assert round_half_up(D("85.125"), 2) == D("85.13")
    assert round_half_up(D("85.5"), 0) == D("86")
    assert round_half_up(D("84.5"), 0) == D("85")  # not to even
    assert round_half_up(D("85.005"), 2) == D("85.01")
    assert trimmed_mean(n=2, total=D("170.25"), high=D("85.25"), low=D("85"), places=2) == D("85.13")


def test_final_score_weights_the_rounds_entered():
    assert final_score([(D(60), D("80")), (D(40), D("90"))]) == D("84.00")
    assert final_score([(D(60), D("80"))]) == D("80.00")  # only round 1: its own score
    assert final_score([]) is None


def test_rank_rows_ties_and_rounds_entered():
    rows = [(1, 7, 2, D("90")), (2, 7, 2, D("88")), (3, 7, 2, D("88")), (4, 7, 1, D("95")), (5, 7, 2, None)]
    ranked = {r.result_id: (r.rank, r.tied) for r in rank_rows(rows)}
    assert ranked == {1: (1, False), 2: (2, True), 3: (2, True), 4: (4, False), 5: (None, False)}


# --- with the database ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_round_scores_in_sql_with_valid_judges(world, django_assert_max_num_queries):
    four, five, seven = world.submission(), world.submission(), world.submission()
    world.score(four, [80, 85, 90, 70])
    world.score(five, [80, 85, 90, 70, 95])
    world.score(seven, [80, 85, 90, 70, 95, 60, 99])
    with no_tenant(), django_assert_max_num_queries(12):
        assert round_scores_compute(world.rounds[0]) == 3
    assert (_round_score(world.rounds[0], four).score, _round_score(world.rounds[0], four).valid_judges) == (
        D("81.25"),
        4,
    )
    assert _round_score(world.rounds[0], five).score == D("85.00")
    assert (
        _round_score(world.rounds[0], seven).score,
        _round_score(world.rounds[0], seven).valid_judges,
    ) == (
        D("84.00"),
        7,
    )


@pytest.mark.django_db
def test_places_configured_per_judging(world):
    s = world.submission()
    world.score(s, [85, 85.25])
    with no_tenant():
        world.judging.score_places = 0
        world.judging.save()
        round_scores_compute(world.rounds[0])
    assert _round_score(world.rounds[0], s).score == D("85")  # 85.125 → 85 at 0 places
    with no_tenant():
        world.judging.score_places = 2
        world.judging.save()
        round_scores_compute(world.rounds[0])
    assert _round_score(world.rounds[0], s).score == D("85.13")


@pytest.mark.django_db
def test_recused_judge_sheet_never_counts(world):
    s = world.submission()
    world.score(s, [80, 85, 90, 70, 95])
    with no_tenant():
        JudgeAssignment.objects.filter(round=world.rounds[0], submission=s, judge=world.judges[4]).update(
            recused=True, recusal_reason="与申报企业有业务往来"
        )
        round_scores_compute(world.rounds[0])
    rs = _round_score(world.rounds[0], s)
    assert (rs.valid_judges, rs.score) == (4, D("81.25"))  # 95 is gone: 80, 85, 90, 70


@pytest.mark.django_db
def test_declared_conflict_excluded_unless_waived(world):
    s = world.submission()
    world.score(s, [80, 85, 90])
    with no_tenant():
        ConflictDeclaration.objects.create(
            organisation=world.network.pa,
            judge=world.judges[2],
            party=world.network.e1,
            reason="曾在该企业任职",
            declared_by=world.network.users.pa_staff,
        )
        round_scores_compute(world.rounds[0])
        assert _round_score(world.rounds[0], s).valid_judges == 2
        ConflictWaiver.objects.create(
            organisation=world.network.pa,
            judge=world.judges[2],
            submission=s,
            reason="离职已满五年",
            waived_by=world.network.users.pa_staff,
        )
        round_scores_compute(world.rounds[0])
    assert _round_score(world.rounds[0], s).valid_judges == 3


@pytest.mark.django_db
def test_round_weighting_and_ranking_of_those_in_every_round(world):
    both, only_first = world.submission(), world.submission()
    world.score(both, [80, 80, 80])
    world.score(both, [90, 90, 90], round_no=2)
    world.score(only_first, [95, 95, 95])
    with no_tenant():
        assert results_compute(world.judging) == 2
        r_both, r_first = Result.objects.get(submission=both), Result.objects.get(submission=only_first)
    assert r_both.final_score == D("84.00")  # (60 × 80 + 40 × 90) / 100
    assert r_first.final_score == D("95.00")  # its weighted earlier score (round 1 only)
    assert (r_both.rank, r_first.rank) == (1, 2)  # entered every round → ranked above


@pytest.mark.django_db
def test_normalised_score_is_advice_beside_the_raw_one(world):
    a, b = world.submission(), world.submission()
    world.score(a, [90, 70, 80])
    world.score(b, [80, 60, 70])
    with no_tenant():
        round_scores_compute(world.rounds[0])
    ra, rb = _round_score(world.rounds[0], a), _round_score(world.rounds[0], b)
    assert ra.score == D("80.00") and ra.normalised is not None
    assert ra.normalised > rb.normalised  # the same order as the raw scores
    assert D(0) <= rb.normalised <= D(100)


@pytest.mark.django_db
def test_judge_calibration_flags_outliers(world, django_assert_max_num_queries):
    for _ in range(4):
        s = world.submission()
        world.score(s, [80, 81, 79, 80, 40])  # 测评委5 scores far below the panel
    with no_tenant(), django_assert_max_num_queries(3):
        rows = judge_calibration(world.rounds[0])
    by_name = {r.name: r for r in rows}
    assert by_name["测评委5"].outlier and by_name["测评委5"].count == 4
    assert not by_name["测评委1"].outlier
    assert by_name["测评委1"].mean == D("80.00")


@pytest.mark.django_db
def test_compute_refused_after_publication(world):
    s = world.submission()
    world.score(s, [80])
    with no_tenant():
        type(world.judging).objects.filter(pk=world.judging.pk).update(status="published")
        with pytest.raises(ValidationError):
            round_scores_compute(world.rounds[0])
