"""Aggregation of a judging's score sheets (issue 8, item 6; standard.md §4).

- A *counted* sheet is submitted, its judge is not recused on the submission in that round,
  and no unwaived declared conflict ties the judge to the submission (issue 8 item 3: a
  recused judge's sheets never count) — :func:`counted_sheets`.
- The round score of a submission is the mean of its counted totals after dropping one
  highest and one lowest when at least ``Judging.trim_min_judges`` (≥ 3, default 5) judges
  counted, else the plain mean; rounded half-up to ``Judging.score_places`` (default 2) —
  :func:`trimmed_mean`, computed from SQL aggregates per submission (count, sum, max, min:
  one query per round) and written in bulk — :func:`round_scores_compute`.
- The final score is Σ(weight × round score) / Σ(weights of the rounds the submission has a
  score in) (R-JD-36). A submission that did not enter a later round keeps its weighted
  earlier score, but the ranking puts every submission that entered more rounds above those
  that entered fewer (``rounds_entered``, R-JD-37): only those who went through every round
  can reach the top places — :func:`results_compute`.
- Beside the raw score, a per-judge z-score normalised score is stored as advice
  (``RoundScore.normalised``, R-JD-38), and staff see each judge's calibration against the
  panel (R-JD-39) — :func:`judge_calibration`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import Avg, Count, Exists, F, Max, Min, OuterRef, Q, QuerySet, StdDev, Sum

from .choices import ScoreSheetStatus
from .models import (
    ConflictDeclaration,
    ConflictWaiver,
    JudgeAssignment,
    Judging,
    JudgingRound,
    Result,
    RoundScore,
    ScoreSheet,
    Submission,
)

#: Flag a judge whose mean differs from the panel's by more than this many panel sds (R-JD-39).
OUTLIER_MEAN_SDS = Decimal("1.5")
#: …or whose mean, as a z-score among the panel's judges' means, lies beyond ±2 (R-JD-39).
OUTLIER_Z = 2.0


def round_half_up(value, places: int = 2) -> Decimal | None:
    """``value`` (Decimal, int or numeric string; never float arithmetic) rounded half-up to
    ``places`` decimals (standard.md §4: 85.125 → 85.13 at 2 places, 85.5 → 86 at 0).
    ``None`` stays ``None``. Rule R-JD-34."""
    if value is None:
        return None
    quantum = Decimal(1).scaleb(-int(places))
    return Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)


def trimmed_mean(
    *, n: int, total: Decimal, high: Decimal, low: Decimal, trim_min_judges: int = 5, places: int = 2
) -> Decimal:
    """The round score from the counted totals (standard.md §4, 去最高最低分; rule R-JD-33).

    Inputs: the number of counted sheets ``n`` (> 0), the ``total`` sum of their totals
    (points out of 100 each), the ``high``est and ``low``est total, the judging's
    ``trim_min_judges`` (at least 3) and ``places``. When ``n ≥ trim_min_judges`` the highest
    and the lowest are dropped before averaging, else the plain mean. Output: points out of
    100, rounded half-up to ``places``. Raises ``ValueError`` when ``n`` is 0.
    """
    if n <= 0:
        raise ValueError("trimmed_mean needs at least one sheet")
    total, high, low = (Decimal(str(v)) for v in (total, high, low))
    if n >= max(trim_min_judges, 3):
        value = (total - high - low) / Decimal(n - 2)
    else:
        value = total / Decimal(n)
    return round_half_up(value, places)


def counted_sheets(**filters) -> QuerySet[ScoreSheet]:
    """Sheets that count (rule R-JD-35; issue 8 item 3): submitted, the judge not recused on
    the submission in the sheet's round, and no declared conflict of the judge with the
    submission (or with its enterprise or recommending unit) unless staff waived it.
    ``filters`` narrow the queryset (e.g. ``round=…``). Not tenant-scoped: callers pass the
    judging's own round or submissions."""
    recused = JudgeAssignment._base_manager.filter(
        round_id=OuterRef("round_id"),
        submission_id=OuterRef("submission_id"),
        judge_id=OuterRef("judge_id"),
        recused=True,
    )
    declared = ConflictDeclaration._base_manager.filter(judge_id=OuterRef("judge_id")).filter(
        Q(submission_id=OuterRef("submission_id"))
        | Q(party_id=OuterRef("submission__organisation_id"))
        | Q(party_id=OuterRef("submission__recommending_unit_id"))
    )
    waived = ConflictWaiver._base_manager.filter(
        judge_id=OuterRef("judge_id"), submission_id=OuterRef("submission_id")
    )
    return (
        ScoreSheet._base_manager.filter(status=ScoreSheetStatus.SUBMITTED, **filters)
        .exclude(Exists(recused))
        .exclude(Q(Exists(declared)) & ~Q(Exists(waived)))
    )


def round_totals(round_: JudgingRound) -> QuerySet:
    """Per-submission aggregates of the round's counted sheets, one SQL query: a values
    queryset of ``{"submission_id", "n", "sheets_sum", "high", "low"}`` (exact Decimals)."""
    return (
        counted_sheets(round=round_)
        .values("submission_id")
        .annotate(n=Count("pk"), sheets_sum=Sum("total"), high=Max("total"), low=Min("total"))
        .order_by("submission_id")
    )


def _stats(values: list[Decimal]) -> tuple[float, float]:
    """Mean and sample standard deviation (0 for fewer than two values)."""
    n = len(values)
    mean = sum(float(v) for v in values) / n
    if n < 2:
        return mean, 0.0
    return mean, math.sqrt(sum((float(v) - mean) ** 2 for v in values) / (n - 1))


def normalised_scores(round_: JudgingRound) -> dict[int, Decimal]:
    """Advice only (R-JD-38): each judge's counted totals in the round standardised by that
    judge's mean and standard deviation, averaged per submission, and mapped back to points
    with the round's overall mean and standard deviation (points out of 100, 3 places,
    clamped to 0–100). A judge with a single sheet or no spread contributes z = 0. Output:
    ``{submission_id: normalised}``. One query."""
    rows = list(counted_sheets(round=round_).values_list("submission_id", "judge_id", "total"))
    if not rows:
        return {}
    by_judge: dict[int, list[Decimal]] = defaultdict(list)
    for _sid, jid, total in rows:
        by_judge[jid].append(total)
    judge_stats = {jid: _stats(values) for jid, values in by_judge.items()}
    overall_mean, overall_sd = _stats([total for _s, _j, total in rows])
    zs: dict[int, list[float]] = defaultdict(list)
    for sid, jid, total in rows:
        mean, sd = judge_stats[jid]
        zs[sid].append((float(total) - mean) / sd if sd > 0 else 0.0)
    out = {}
    for sid, values in zs.items():
        points = overall_mean + (sum(values) / len(values)) * overall_sd
        out[sid] = round_half_up(Decimal(repr(min(max(points, 0.0), 100.0))), 3)
    return out


@transaction.atomic
def round_scores_compute(round_: JudgingRound) -> int:
    """Store the round score of every submission with counted sheets in ``round_`` (rules
    R-JD-33…35, R-JD-38): ``RoundScore.score`` (trimmed mean, half-up to the judging's
    places), ``valid_judges`` and ``normalised``. Round scores of submissions that no longer
    have a counted sheet are deleted. Refuses (``ValidationError``) when the judging is
    published (R-JD-30). Output: the number of round scores written. Three queries plus the
    bulk writes."""
    judging = Judging._base_manager.select_for_update().get(pk=round_.judging_id)
    _refuse_if_frozen(judging)
    normalised = normalised_scores(round_)
    rows = [
        RoundScore(
            organisation_id=judging.organisation_id,
            round_id=round_.pk,
            submission_id=row["submission_id"],
            score=trimmed_mean(
                n=row["n"],
                total=row["sheets_sum"],
                high=row["high"],
                low=row["low"],
                trim_min_judges=judging.trim_min_judges,
                places=judging.score_places,
            ),
            valid_judges=row["n"],
            normalised=normalised.get(row["submission_id"]),
        )
        for row in round_totals(round_)
    ]
    RoundScore._base_manager.filter(round=round_).exclude(
        submission_id__in=[r.submission_id for r in rows]
    ).delete()
    RoundScore._base_manager.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["round", "submission"],
        update_fields=["score", "valid_judges", "normalised", "computed_at"],
    )
    return len(rows)


def _refuse_if_frozen(judging: Judging) -> None:
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if judging.is_frozen:
        raise ValidationError(
            _("评审结果已发布，评分和等级已冻结；如需修改，须由协会领导重新开放（审计留痕）。")
        )


def final_score(pairs: list[tuple[Decimal, Decimal]], places: int = 2) -> Decimal | None:
    """The final score from ``(weight %, round score)`` pairs of the rounds a submission has a
    score in (rule R-JD-36): Σ(weight × score) / Σ(weights), rounded half-up to ``places``;
    ``None`` without pairs or when the weights add up to 0 (then the plain mean is used if
    there are scores)."""
    pairs = [(Decimal(w), Decimal(s)) for w, s in pairs if s is not None]
    if not pairs:
        return None
    weights = sum((w for w, _s in pairs), Decimal(0))
    if weights == 0:
        return round_half_up(sum((s for _w, s in pairs), Decimal(0)) / len(pairs), places)
    return round_half_up(sum((w * s for w, s in pairs), Decimal(0)) / weights, places)


@dataclass(frozen=True)
class RankedRow:
    """One line of a domain's ranking: the result id, its domain, rounds entered, final score,
    the competition rank (ties share it) and whether it is tied."""

    result_id: int
    domain_id: int | None
    rounds_entered: int
    final_score: Decimal | None
    rank: int | None
    tied: bool


def rank_rows(rows: list[tuple[int, int | None, int, Decimal | None]]) -> list[RankedRow]:
    """Rank ``(result_id, domain_id, rounds_entered, final_score)`` per domain (rule R-JD-37):
    more rounds entered first, then higher final score; equal (rounds, score) share a rank
    (standard competition ranking 1, 2, 2, 4) and are flagged as tied (并列). Results without
    a final score get no rank."""
    by_domain: dict[int | None, list] = defaultdict(list)
    for row in rows:
        by_domain[row[1]].append(row)
    out: list[RankedRow] = []
    for domain_rows in by_domain.values():
        scored = sorted((r for r in domain_rows if r[3] is not None), key=lambda r: (-r[2], -r[3], r[0]))
        keys = [(r[2], r[3]) for r in scored]
        counts: dict = defaultdict(int)
        for key in keys:
            counts[key] += 1
        previous, rank = None, 0
        for position, r in enumerate(scored, start=1):
            key = (r[2], r[3])
            if key != previous:
                rank, previous = position, key
            out.append(RankedRow(r[0], r[1], r[2], r[3], rank, counts[key] > 1))
        out.extend(RankedRow(r[0], r[1], r[2], None, None, False) for r in domain_rows if r[3] is None)
    return out


@transaction.atomic
def results_compute(judging: Judging) -> int:
    """Compute every round's scores, then one :class:`Result` per submission with a round
    score: ``final_score`` (rule R-JD-36) and ``rank`` in its domain (R-JD-37). Existing
    results keep their grade. Refuses when the judging is published (R-JD-30). Output: the
    number of results. A bounded number of queries whatever the size (per round: three)."""
    judging = Judging._base_manager.select_for_update().get(pk=judging.pk)
    _refuse_if_frozen(judging)
    rounds = list(JudgingRound._base_manager.filter(judging=judging).order_by("position"))
    for round_ in rounds:
        round_scores_compute(round_)
    weights = {r.pk: r.weight for r in rounds}
    per_submission: dict[int, list] = defaultdict(list)
    for sid, round_id, score in RoundScore._base_manager.filter(round__judging=judging).values_list(
        "submission_id", "round_id", "score"
    ):
        per_submission[sid].append((weights[round_id], score))
    meta = dict(
        (pk, (org, domain))
        for pk, org, domain in Submission._base_manager.filter(pk__in=list(per_submission)).values_list(
            "pk", "organisation_id", "domain_id"
        )
    )
    existing = {
        r.submission_id: r for r in Result._base_manager.filter(judging=judging).only("pk", "submission_id")
    }
    Result._base_manager.filter(judging=judging).exclude(submission_id__in=list(per_submission)).filter(
        grade__isnull=True
    ).delete()
    to_create, to_update = [], []
    for sid, pairs in per_submission.items():
        score = final_score(pairs, judging.score_places)
        if sid in existing:
            result = existing[sid]
            result.final_score = score
            to_update.append(result)
        else:
            to_create.append(
                Result(organisation_id=meta[sid][0], judging=judging, submission_id=sid, final_score=score)
            )
    Result._base_manager.bulk_create(to_create, batch_size=1000)
    Result._base_manager.bulk_update(to_update, ["final_score"], batch_size=1000)
    ranked = rank_rows(
        [
            (pk, meta.get(sid, (None, None))[1], len(per_submission.get(sid, ())), score)
            for pk, sid, score in Result._base_manager.filter(judging=judging).values_list(
                "pk", "submission_id", "final_score"
            )
        ]
    )
    Result._base_manager.bulk_update(
        [Result(pk=r.result_id, rank=r.rank) for r in ranked], ["rank"], batch_size=1000
    )
    return len(per_submission)


@dataclass
class JudgeCalibration:
    """One judge's calibration in a round (R-JD-39): sheets counted, mean and sample
    standard deviation of their totals (points), the panel's mean and sd over the same
    round, the difference of means, the z of the judge's mean among the judges' means, and
    whether it is flagged as an outlier."""

    judge_id: int
    name: str
    count: int
    mean: Decimal
    spread: Decimal | None
    panel_mean: Decimal
    panel_spread: Decimal | None
    diff: Decimal
    z: Decimal | None
    outlier: bool


def _sd_aggregate(field: str):
    """``StdDev`` (sample) on PostgreSQL; on other databases ``None`` (computed from the sum
    of squares by the caller)."""
    return StdDev(field, sample=True) if connection.vendor == "postgresql" else None


def judge_calibration(round_: JudgingRound) -> list[JudgeCalibration]:
    """Each judge's mean and spread against the round's (the panel's) in SQL aggregates
    (rule R-JD-39; issue 8 item 6): per judge ``Count``, ``Avg`` and ``StdDev`` of the counted
    totals (on SQLite the sd comes from Σx and Σx²), the round's mean and sd, and an
    outlier flag when |judge mean − panel mean| > 1.5 × panel sd or the judge mean's z among
    the judges' means is beyond ±2. Two queries. Output: judges by name."""
    sheets = counted_sheets(round=round_)
    sd = _sd_aggregate("total")
    aggregates = {
        "count": Count("pk"),
        "mean": Avg("total"),
        "s1": Sum("total"),
        "s2": Sum(F("total") * F("total")),
    }
    if sd is not None:
        aggregates["sd"] = sd
    panel = sheets.aggregate(**aggregates)
    if not panel["count"]:
        return []
    per_judge = list(
        sheets.values("judge_id", "judge__name").annotate(**aggregates).order_by("judge__name", "judge_id")
    )

    def spread(row) -> float | None:
        if row["count"] < 2:
            return None
        if row.get("sd") is not None:
            return float(row["sd"])
        n, s1, s2 = row["count"], float(row["s1"]), float(row["s2"])
        return math.sqrt(max(s2 - s1 * s1 / n, 0.0) / (n - 1))

    panel_mean, panel_sd = float(panel["mean"]), spread(panel)
    means = [float(r["mean"]) for r in per_judge]
    means_mean, means_sd = _stats(means) if means else (0.0, 0.0)
    out = []
    for row in per_judge:
        mean = float(row["mean"])
        diff = mean - panel_mean
        z = (mean - means_mean) / means_sd if means_sd > 0 else None
        outlier = bool(
            (panel_sd and abs(diff) > float(OUTLIER_MEAN_SDS) * panel_sd)
            or (z is not None and abs(z) > OUTLIER_Z)
        )
        judge_sd = spread(row)
        out.append(
            JudgeCalibration(
                judge_id=row["judge_id"],
                name=row["judge__name"],
                count=row["count"],
                mean=round_half_up(repr(mean), 2),
                spread=round_half_up(repr(judge_sd), 2) if judge_sd is not None else None,
                panel_mean=round_half_up(repr(panel_mean), 2),
                panel_spread=round_half_up(repr(panel_sd), 2) if panel_sd is not None else None,
                diff=round_half_up(repr(diff), 2),
                z=round_half_up(repr(z), 2) if z is not None else None,
                outlier=outlier,
            )
        )
    return out
