"""Automatic assignment of judges to a round's submissions, and the staff's manual
adjustments (issue 8, item 4; rules R-JD-27, R-JD-28).

The algorithm (:func:`solve`) works on plain data so that it can be measured at national
scale (``benchmarks/assign.py``): each submission goes to the panel of its domain (without
panels, one panel of all active judges) and gets exactly N judges such that

- no judge is conflicted with it (``evaluation.conflicts.conflicted_pairs``, recusals);
- no two of its judges share an employer organisation (or the same 工作单位 text when the
  judge has no employer in the system);
- a judge with listed domains / topic types only gets submissions of those (empty = any);
- no judge exceeds the round's cap;
- within a panel no judge has more than one submission above another;
- pinned assignments are kept.

Deterministic greedy (the most constrained submissions first, each taking the least loaded
eligible judges, ties broken by a seeded shuffle) followed by a repair pass that moves
assignments from the most to the least loaded judge of a panel while the spread is above 1.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from qcportal.models import Membership
from qcportal.permissions import require_permission

from .choices import JudgeLevel, RoundStatus, ScoreSheetStatus
from .conflicts import conflict_reason, conflicted_pairs
from .models import Judge, JudgeAssignment, JudgingRound, Panel, ScoreSheet, Submission
from .rounds import frozen_refusal, round_entrants

#: Seed of the tie-breaking shuffle: the same input always gives the same plan.
SEED = 8
_LEVEL_RANK = {JudgeLevel.PANEL_CHAIR: 0, JudgeLevel.SENIOR: 1, JudgeLevel.JUDGE: 2}
INFINITE = 10**9


# --- plain data -------------------------------------------------------------------------------
@dataclass(frozen=True)
class SubIn:
    """A submission as the algorithm sees it: id, label (for messages), its panel key,
    domain name and topic type."""

    id: int
    label: str
    panel: object
    domain: str
    topic: str


@dataclass(frozen=True)
class JudgeIn:
    """A judge as the algorithm sees it: id, name, organisation key (employer or work
    unit), listed domains and topic types (empty = any), level rank (0 highest)."""

    id: int
    name: str
    org: object
    domains: frozenset = frozenset()
    topics: frozenset = frozenset()
    rank: int = 2


@dataclass
class PanelIn:
    """A panel: its judges' ids and its chair's id (or ``None``)."""

    judges: list
    chair: int | None = None


@dataclass
class Solution:
    """What :func:`solve` found: ``assign`` ``{submission_id: [judge_id, …]}``, ``chair``
    ``{submission_id: judge_id | None}``, ``problems`` (Chinese, one per submission that
    could not get its N judges, or per panel that could not be balanced)."""

    assign: dict
    chair: dict
    problems: list = field(default_factory=list)


def judge_fits(judge: JudgeIn, sub: SubIn) -> bool:
    """Specialty: a judge with listed domains / topic types only takes those (issue 8, item 4)."""
    return (not judge.domains or sub.domain in judge.domains) and (
        not judge.topics or sub.topic in judge.topics
    )


def solve(
    subs: list[SubIn],
    judges: list[JudgeIn],
    panels: dict,
    *,
    n: int,
    cap: int | None,
    conflicts: set,
    pinned: dict | None = None,
    seed: int = SEED,
) -> Solution:
    """Assign ``n`` judges to every submission under the constraints of the module docstring.

    Inputs: submissions, judges, ``panels`` ``{key: PanelIn}`` (a submission's ``panel`` is
    one of the keys), ``n`` judges per submission, ``cap`` (most submissions per judge in
    the round, ``None`` = no cap), ``conflicts`` (a set of ``(judge_id, submission_id)``),
    ``pinned`` ``{submission_id: [judge_id, …]}`` kept as they are. Output: a
    :class:`Solution`; the hard constraints (conflict, organisation, specialty, cap) are never
    broken — a submission that cannot get ``n`` judges gets fewer and a Chinese problem.
    Time ~O(S·J·log J) per panel.
    """
    pinned = pinned or {}
    cap = cap if cap else INFINITE
    by_id = {j.id: j for j in judges}
    rnd = random.Random(seed)
    tiebreak = {j.id: rnd.random() for j in judges}
    load_total: dict[int, int] = defaultdict(int)
    assign: dict[int, list[int]] = {}
    problems: list[str] = []
    subs_by_panel: dict = defaultdict(list)
    for s in subs:
        subs_by_panel[s.panel].append(s)
        assign[s.id] = [j for j in pinned.get(s.id, []) if j in by_id]
        for j in assign[s.id]:
            load_total[j] += 1
    load: dict = defaultdict(int)  # (panel, judge) → load in the panel
    for s in subs:
        for j in assign[s.id]:
            load[(s.panel, j)] += 1
    eligible: dict[int, list[int]] = {}
    for key, panel_subs in subs_by_panel.items():
        panel = panels.get(key)
        if panel is None:
            for s in panel_subs:
                eligible[s.id] = []
                problems.append(_("“%(s)s”所属领域没有评审组，无法分配评委。") % {"s": s.label})
            continue
        members = [by_id[j] for j in panel.judges if j in by_id]
        for s in panel_subs:
            eligible[s.id] = [j.id for j in members if (j.id, s.id) not in conflicts and judge_fits(j, s)]
        order = sorted(panel_subs, key=lambda s: (len(eligible[s.id]), rnd.random()))
        for s in order:
            chosen = assign[s.id]
            need = n - len(chosen)
            if need <= 0:
                continue
            orgs = {by_id[j].org for j in chosen}
            taken = set(chosen)
            candidates = sorted(
                (j for j in eligible[s.id] if j not in taken),
                key=lambda j: (load[(key, j)], load_total[j], tiebreak[j]),
            )
            for j in candidates:
                if need == 0:
                    break
                judge = by_id[j]
                if judge.org in orgs or load_total[j] >= cap:
                    continue
                chosen.append(j)
                orgs.add(judge.org)
                load[(key, j)] += 1
                load_total[j] += 1
                need -= 1
            if need > 0:
                if len(eligible[s.id]) < n:
                    problems.append(
                        _("“%(s)s”可分配评委不足：需%(n)s人，仅%(k)s人无回避且符合专业。")
                        % {"s": s.label, "n": n, "k": len(eligible[s.id])}
                    )
                else:
                    problems.append(
                        _(
                            "“%(s)s”只分配到%(m)s名评委（需%(n)s人）：其余符合条件的评委已达上限或与已选评委同单位。"
                        )
                        % {"s": s.label, "m": n - need, "n": n}
                    )
        _repair(key, panel, panel_subs, assign, eligible, load, load_total, by_id, cap, pinned, problems)
    chair = {}
    for s in subs:
        chosen = assign[s.id]
        panel = panels.get(s.panel)
        if panel is not None and panel.chair is not None:
            chair[s.id] = panel.chair if panel.chair in chosen else None
        else:
            chair[s.id] = min(chosen, key=lambda j: (by_id[j].rank, by_id[j].name, j)) if chosen else None
    return Solution(assign=assign, chair=chair, problems=problems)


def _repair(key, panel, panel_subs, assign, eligible, load, load_total, by_id, cap, pinned, problems) -> None:
    """Move assignments from the most to the least loaded judges of the panel until no judge
    has more than one above another: each step finds, breadth first, a chain of moves
    (hi gives a submission to x, x gives another to y, … to a judge at least two below hi)
    that keeps every constraint. When none exists, a Chinese problem is recorded."""
    members = [j for j in panel.judges if j in by_id]
    if len(members) < 2:
        return
    member_set = set(members)
    where: dict[int, set[int]] = defaultdict(set)  # judge → submissions in the panel
    fixed = {(s.id, j) for s in panel_subs for j in pinned.get(s.id, [])}
    for s in panel_subs:
        for j in assign[s.id]:
            where[j].add(s.id)
    eligible_sets = {s.id: set(eligible[s.id]) & member_set for s in panel_subs}

    def chain(hi: int):
        target = load[(key, hi)] - 2
        parent = {hi: None}
        queue = [hi]
        for u in queue:
            for sid in sorted(where[u]):
                if (sid, u) in fixed:
                    continue
                others = {by_id[j].org for j in assign[sid] if j != u}
                for v in sorted(eligible_sets[sid]):
                    if v in parent or v in assign[sid] or by_id[v].org in others:
                        continue
                    parent[v] = (u, sid)
                    if load[(key, v)] <= target and load_total[v] < cap:
                        path, node = [], v
                        while parent[node] is not None:
                            prev, moved = parent[node]
                            path.append((prev, node, moved))
                            node = prev
                        if len({m for _a, _b, m in path}) == len(path):
                            return path
                        continue
                    queue.append(v)
        return None

    for _step in range(len(panel_subs) * 2 + 10):
        ordered = sorted(members, key=lambda j: load[(key, j)])
        if load[(key, ordered[-1])] - load[(key, ordered[0])] <= 1:
            return
        top = load[(key, ordered[-1])]
        path = None
        for hi in (j for j in reversed(ordered) if load[(key, j)] == top):
            path = chain(hi)
            if path:
                break
        if not path:
            break
        for giver, taker, sid in path:
            assign[sid][assign[sid].index(giver)] = taker
            where[giver].discard(sid)
            where[taker].add(sid)
            load[(key, giver)] -= 1
            load[(key, taker)] += 1
            load_total[giver] -= 1
            load_total[taker] += 1
    loads = [load[(key, j)] for j in members]
    if max(loads) - min(loads) > 1:
        problems.append(
            _("评审组内评委工作量无法均衡（最多%(hi)s项，最少%(lo)s项），请检查回避、专业和上限设置。")
            % {"hi": max(loads), "lo": min(loads)}
        )


def count_violations(
    subs: list[SubIn], judges: list[JudgeIn], panels: dict, solution: Solution, *, n: int, cap, conflicts: set
) -> dict:
    """Check a solution independently (rule R-JD-27). Output: ``{"missing", "conflict",
    "same_org", "specialty", "cap", "balance", "outside_panel"}`` counts (all 0 for a valid
    assignment) and ``"spread"``: the largest max−min load within a panel."""
    by_id = {j.id: j for j in judges}
    counts = dict.fromkeys(
        ("missing", "conflict", "same_org", "specialty", "cap", "balance", "outside_panel"), 0
    )
    total: dict[int, int] = defaultdict(int)
    per_panel: dict = defaultdict(lambda: defaultdict(int))
    for s in subs:
        chosen = solution.assign.get(s.id, [])
        if len(chosen) != n or len(set(chosen)) != len(chosen):
            counts["missing"] += 1
        orgs = [by_id[j].org for j in chosen]
        counts["same_org"] += len(orgs) - len(set(orgs))
        panel = panels.get(s.panel)
        for j in chosen:
            total[j] += 1
            per_panel[s.panel][j] += 1
            counts["conflict"] += (j, s.id) in conflicts
            counts["specialty"] += not judge_fits(by_id[j], s)
            counts["outside_panel"] += panel is None or j not in panel.judges
    if cap:
        counts["cap"] = sum(1 for v in total.values() if v > cap)
    spread = 0
    for key, panel in panels.items():
        loads = [per_panel[key].get(j, 0) for j in panel.judges]
        if loads and any(loads):
            spread = max(spread, max(loads) - min(loads))
    counts["balance"] = int(spread > 1)
    counts["spread"] = spread
    return counts


# --- the round as plain data ------------------------------------------------------------------
def _org_key(judge: Judge):
    if judge.employer_id:
        return ("o", judge.employer_id)
    unit = (judge.work_unit or "").strip()
    return ("w", unit) if unit else ("j", judge.pk)


@dataclass
class Plan:
    """A proposed assignment of a round (preview): ``rows`` ``[(submission_id, judge_id,
    panel_id, is_chair, pinned)]``; ``submissions`` and ``judges`` by id; ``loads``
    ``[{"judge", "panel", "load"}]``; ``problems`` (Chinese); ``violations`` (see
    :func:`count_violations`); ``create``/``delete`` (rows the apply would add or remove)."""

    round: JudgingRound
    rows: list
    submissions: dict
    judges: dict
    loads: list
    problems: list
    violations: dict
    create: int = 0
    delete: int = 0


def _round_input(round_: JudgingRound):
    """Load the round's entrants, judges, panels, conflicts and pins (a bounded number of
    queries) and convert them for :func:`solve`."""
    entrants = list(round_entrants(round_).select_related("project", "domain", "circle"))
    panels = list(Panel._base_manager.filter(round=round_).prefetch_related("judges"))
    if panels:
        judge_ids = {j.pk for p in panels for j in p.judges.all()}
        judges = list(Judge._base_manager.filter(pk__in=judge_ids, is_active=True))
    else:
        judges = list(Judge._base_manager.filter(organisation_id=round_.organisation_id, is_active=True))
    judges.sort(key=lambda j: (j.name, j.pk))
    conflicts = set(conflicted_pairs(judges, entrants))
    existing = list(JudgeAssignment._base_manager.filter(round=round_))
    for a in existing:
        if a.recused:
            conflicts.add((a.judge_id, a.submission_id))
    entrant_ids = {s.pk for s in entrants}
    pinned: dict[int, list[int]] = defaultdict(list)
    for a in existing:
        if a.pinned and not a.recused and a.submission_id in entrant_ids:
            pinned[a.submission_id].append(a.judge_id)
    panel_by_domain = {p.domain_id: p for p in panels if p.domain_id}
    if panels:
        panel_in = {p.pk: PanelIn(judges=[j.pk for j in p.judges.all()], chair=p.chair_id) for p in panels}
        fallback = panels[0].pk if len(panels) == 1 else None
    else:
        panel_in = {None: PanelIn(judges=[j.pk for j in judges], chair=None)}
        fallback = None
    subs = []
    for s in entrants:
        if panels:
            panel = panel_by_domain.get(s.domain_id)
            key = panel.pk if panel else fallback
        else:
            key = None
        subs.append(
            SubIn(
                id=s.pk,
                label=s.project.title,
                panel=key,
                domain=s.domain.name if s.domain_id else "",
                topic=s.project.project_type,
            )
        )
    judge_in = [
        JudgeIn(
            id=j.pk,
            name=j.name,
            org=_org_key(j),
            domains=frozenset(j.domains or ()),
            topics=frozenset(j.topic_types or ()),
            rank=_LEVEL_RANK.get(j.level, 3),
        )
        for j in judges
    ]
    return entrants, judges, subs, judge_in, panel_in, conflicts, dict(pinned), existing


def assignment_plan(round_: JudgingRound) -> Plan:
    """Preview the automatic assignment of ``round_`` (issue 8, item 4): what would be
    created, each judge's load per panel, the problems (Chinese) and the independently
    counted violations (0 for a valid plan). Reads only."""
    entrants, judges, subs, judge_in, panel_in, conflicts, pinned, existing = _round_input(round_)
    n = round_.judges_per_submission
    solution = solve(subs, judge_in, panel_in, n=n, cap=round_.judge_cap, conflicts=conflicts, pinned=pinned)
    violations = count_violations(
        subs, judge_in, panel_in, solution, n=n, cap=round_.judge_cap, conflicts=conflicts
    )
    rows = []
    panel_of = {s.id: s.panel for s in subs}
    for s in subs:
        for j in solution.assign[s.id]:
            rows.append((s.id, j, panel_of[s.id], solution.chair[s.id] == j, j in pinned.get(s.id, ())))
    judge_names = {j.pk: j for j in judges}
    loads = defaultdict(int)
    for _sid, jid, pid, _chair, _pin in rows:
        loads[(pid, jid)] += 1
    panel_names = {p.pk: p.name for p in Panel._base_manager.filter(round=round_)}
    load_rows = []
    for pid, panel in panel_in.items():
        for jid in panel.judges:
            if jid in judge_names:
                load_rows.append(
                    {
                        "panel": panel_names.get(pid, _("全体评委")),
                        "judge": judge_names[jid],
                        "load": loads.get((pid, jid), 0),
                    }
                )
    wanted = {(sid, jid) for sid, jid, *_rest in rows}
    have = {(a.submission_id, a.judge_id) for a in existing if not a.recused}
    return Plan(
        round=round_,
        rows=rows,
        submissions={s.pk: s for s in entrants},
        judges=judge_names,
        loads=load_rows,
        problems=solution.problems,
        violations=violations,
        create=len(wanted - have),
        delete=len(
            {(a.submission_id, a.judge_id) for a in existing if not a.recused and not a.pinned} - wanted
        ),
    )


# --- services ---------------------------------------------------------------------------------
def _locked_round(
    membership: Membership, round_: JudgingRound, *, states=(RoundStatus.DRAFT,)
) -> JudgingRound:
    require_permission(membership, "evaluation:manage")
    round_ = (
        JudgingRound._base_manager.select_for_update(of=("self",)).select_related("judging").get(pk=round_.pk)
    )
    if round_.organisation_id != membership.organisation_id:
        raise PermissionDenied(_("只有评审协会的工作人员可以分配评委。"))
    frozen_refusal(round_.judging)
    if round_.status not in states:
        if states == (RoundStatus.DRAFT,):
            raise ValidationError(_("评委分配已发布，不能再自动分配；如需换人，请调换单个评委。"))
        raise ValidationError(_("本轮已结束，不能再调整评委分配。"))
    return round_


@transaction.atomic
def assignment_apply(*, membership: Membership, round_: JudgingRound) -> Plan:
    """Apply the automatic assignment of a draft round in one transaction (issue 8, item 4;
    rule R-JD-27): pinned and recused rows stay, other rows not in the plan are removed, the
    plan's missing rows are created in bulk, chair and panel marks updated. Idempotent: a
    second identical request changes nothing; simultaneous requests are serialised on the
    round's row. Output: the plan applied (``create``/``delete`` counts). Raises
    ``ValidationError`` (Chinese) for a published assignment or judging."""
    round_ = _locked_round(membership, round_)
    plan = assignment_plan(round_)
    wanted = {(sid, jid): (pid, chair) for sid, jid, pid, chair, _pin in plan.rows}
    existing = list(JudgeAssignment._base_manager.filter(round=round_))
    stale = [
        a.pk
        for a in existing
        if not a.recused and not a.pinned and (a.submission_id, a.judge_id) not in wanted
    ]
    if stale:
        ScoreSheet._base_manager.filter(
            round=round_,
            status=ScoreSheetStatus.DRAFT,
            submission_id__in=[a.submission_id for a in existing if a.pk in stale],
        ).filter(judge_id__in=[a.judge_id for a in existing if a.pk in stale]).delete()
        JudgeAssignment._base_manager.filter(pk__in=stale).delete()
    keep = {(a.submission_id, a.judge_id): a for a in existing if a.pk not in stale}
    changed = []
    for key, a in keep.items():
        if a.recused:
            continue
        pid, chair = wanted.get(key, (a.panel_id, False))
        if a.panel_id != pid or a.is_panel_chair != chair:
            a.panel_id, a.is_panel_chair = pid, chair
            changed.append(a)
    if changed:
        # Clear chairs first so that the one-chair constraint holds at every step.
        JudgeAssignment._base_manager.filter(pk__in=[a.pk for a in changed]).update(is_panel_chair=False)
        JudgeAssignment._base_manager.bulk_update(changed, ["panel", "is_panel_chair"], batch_size=1000)
    new = [
        JudgeAssignment(
            organisation_id=round_.organisation_id,
            round=round_,
            panel_id=pid,
            submission_id=sid,
            judge_id=jid,
            is_panel_chair=chair,
            assigned_by=membership.user,
        )
        for (sid, jid), (pid, chair) in wanted.items()
        if (sid, jid) not in keep
    ]
    try:
        with transaction.atomic():
            JudgeAssignment._base_manager.bulk_create(new, batch_size=1000)
    except IntegrityError:
        raise ValidationError(_("评委分配刚刚已被他人修改，请刷新页面后重试。")) from None
    plan.create, plan.delete = len(new), len(stale)
    return plan


def _assignment_locked(
    membership: Membership, assignment: JudgeAssignment
) -> tuple[JudgeAssignment, JudgingRound]:
    round_ = _locked_round(membership, assignment.round, states=(RoundStatus.DRAFT, RoundStatus.OPEN))
    assignment = (
        JudgeAssignment._base_manager.select_for_update(of=("self",))
        .select_related("submission", "judge", "panel")
        .filter(pk=assignment.pk, round=round_)
        .order_by()
        .first()
    )
    if assignment is None:
        raise ValidationError(_("该分配刚刚已被他人删除，请刷新页面。"))
    return assignment, round_


def _check_candidate(
    round_: JudgingRound, submission: Submission, judge: Judge, *, replacing: Judge | None
) -> None:
    """Refuse (Chinese) a judge who may not join ``submission`` in ``round_`` (rule R-JD-28):
    another association or inactive, conflicted, already on it, same organisation as one of
    its judges, outside the specialty, or at the round's cap."""
    if judge.organisation_id != round_.organisation_id or not judge.is_active:
        raise ValidationError(_("只能选择本协会专家库中有效的评委。"))
    reason = conflict_reason(judge, submission)
    if reason:
        raise ValidationError(
            _("评委%(judge)s须回避该成果：%(reason)s。") % {"judge": judge.name, "reason": reason}
        )
    others = JudgeAssignment._base_manager.filter(round=round_, submission=submission).exclude(
        judge_id=getattr(replacing, "pk", None)
    )
    if others.filter(judge=judge).exists():
        raise ValidationError(_("评委%(judge)s已在该成果的评审名单中或已回避。") % {"judge": judge.name})
    key = _org_key(judge)
    for other in Judge._base_manager.filter(pk__in=others.filter(recused=False).values("judge_id")):
        if _org_key(other) == key:
            raise ValidationError(
                _("评委%(judge)s与%(other)s同单位，同一成果不能由同一单位的两位评委评审。")
                % {"judge": judge.name, "other": other.name}
            )
    topic = submission.project.project_type
    domain = submission.domain.name if submission.domain_id else ""
    if (judge.domains and domain not in judge.domains) or (
        judge.topic_types and topic not in judge.topic_types
    ):
        raise ValidationError(
            _("评委%(judge)s的专业领域或擅长课题类型与该成果不符。") % {"judge": judge.name}
        )
    if round_.judge_cap:
        load = JudgeAssignment._base_manager.filter(round=round_, judge=judge, recused=False).count()
        if load >= round_.judge_cap:
            raise ValidationError(
                _("评委%(judge)s本轮已评审%(n)s项，达到上限%(cap)s项。")
                % {"judge": judge.name, "n": load, "cap": round_.judge_cap}
            )


def _panel_for(round_: JudgingRound, submission: Submission) -> Panel | None:
    return (
        Panel._base_manager.filter(round=round_, domain_id=submission.domain_id).first()
        if submission.domain_id
        else None
    )


@transaction.atomic
def assignment_add(
    *, membership: Membership, round_: JudgingRound, submission: Submission, judge: Judge
) -> JudgeAssignment:
    """Pin ``judge`` onto ``submission`` in ``round_`` by hand (issue 8, item 4): checked like
    a swap (rule R-JD-28), refused when the submission already has its N judges. The new row
    is pinned, so automatic assignment keeps it."""
    round_ = _locked_round(membership, round_, states=(RoundStatus.DRAFT, RoundStatus.OPEN))
    if submission.pk not in set(round_entrants(round_).values_list("pk", flat=True)):
        raise ValidationError(_("该成果不在本轮参评范围内。"))
    count = JudgeAssignment._base_manager.filter(round=round_, submission=submission, recused=False).count()
    if count >= round_.judges_per_submission:
        raise ValidationError(
            _("该成果已有%(n)s名评委；请调换评委，或先取消一名未固定的评委。") % {"n": count}
        )
    _check_candidate(round_, submission, judge, replacing=None)
    panel = _panel_for(round_, submission)
    chair = panel is not None and panel.chair_id == judge.pk
    if (
        chair
        and JudgeAssignment._base_manager.filter(
            round=round_, submission=submission, is_panel_chair=True, recused=False
        ).exists()
    ):
        chair = False
    try:
        with transaction.atomic():
            return JudgeAssignment._base_manager.create(
                organisation_id=round_.organisation_id,
                round=round_,
                panel=panel,
                submission=submission,
                judge=judge,
                pinned=True,
                is_panel_chair=chair,
                assigned_by=membership.user,
            )
    except IntegrityError:
        raise ValidationError(_("该评委已在该成果的评审名单中。")) from None


@transaction.atomic
def assignment_pin(*, membership: Membership, assignment: JudgeAssignment, pinned: bool) -> JudgeAssignment:
    """Pin (keep through automatic assignment) or unpin an assignment (issue 8, item 4)."""
    assignment, _round = _assignment_locked(membership, assignment)
    if assignment.recused:
        raise ValidationError(_("已回避的分配不能固定。"))
    assignment.pinned = bool(pinned)
    assignment.save(update_fields=["pinned"])
    return assignment


def _no_submitted_sheet(round_: JudgingRound, assignment: JudgeAssignment) -> None:
    if ScoreSheet._base_manager.filter(
        round=round_,
        submission_id=assignment.submission_id,
        judge_id=assignment.judge_id,
        status=ScoreSheetStatus.SUBMITTED,
    ).exists():
        raise ValidationError(
            _("评委%(judge)s已提交评分表，不能调换或取消；如需回避，请由评委申报回避。")
            % {"judge": assignment.judge.name}
        )


@transaction.atomic
def assignment_swap(*, membership: Membership, assignment: JudgeAssignment, judge: Judge) -> JudgeAssignment:
    """Replace the assignment's judge by ``judge`` on the same submission (issue 8, item 4;
    rule R-JD-28): the new judge is checked against every constraint (conflict, same
    organisation, specialty, cap); the old judge must not have submitted a sheet (their draft
    is discarded). The row becomes pinned. In an open round the new judge is notified."""
    assignment, round_ = _assignment_locked(membership, assignment)
    if assignment.recused:
        raise ValidationError(_("已回避的分配不能调换，请另行添加评委。"))
    if assignment.judge_id == judge.pk:
        raise ValidationError(_("请选择另一位评委。"))
    _no_submitted_sheet(round_, assignment)
    _check_candidate(round_, assignment.submission, judge, replacing=assignment.judge)
    ScoreSheet._base_manager.filter(
        round=round_, submission_id=assignment.submission_id, judge_id=assignment.judge_id
    ).delete()
    panel = assignment.panel
    assignment.judge = judge
    assignment.pinned = True
    assignment.is_panel_chair = bool(panel and panel.chair_id == judge.pk)
    assignment.assigned_by = membership.user
    try:
        with transaction.atomic():
            assignment.save(update_fields=["judge", "pinned", "is_panel_chair", "assigned_by"])
    except IntegrityError:
        raise ValidationError(_("该评委已在该成果的评审名单中。")) from None
    if round_.status == RoundStatus.OPEN and judge.user_id:
        from qcportal.workflow import notify

        notify(
            entity="evaluation.round",
            verb="assignment_published",
            obj=round_,
            recipients=[(judge.user_id, judge.organisation_id)],
            membership=membership,
        )
    return assignment


@transaction.atomic
def assignment_remove(*, membership: Membership, assignment: JudgeAssignment) -> None:
    """Remove an assignment (issue 8, item 4); refused once the judge submitted a sheet or
    after publication; the judge's draft sheet goes with it."""
    assignment, round_ = _assignment_locked(membership, assignment)
    _no_submitted_sheet(round_, assignment)
    ScoreSheet._base_manager.filter(
        round=round_, submission_id=assignment.submission_id, judge_id=assignment.judge_id
    ).delete()
    assignment.delete()


# --- checks for publishing (guards of ROUND_WORKFLOW.publish_assignment) ----------------------
def incomplete_entrants(round_: JudgingRound) -> list[Submission]:
    """Entrants of the round with fewer than N non-recused judges (rule R-JD-23), one query."""
    from django.db.models import Count, Q

    return list(
        round_entrants(round_)
        .annotate(n=Count("assignments", filter=Q(assignments__round=round_, assignments__recused=False)))
        .filter(n__lt=round_.judges_per_submission)
        .select_related("project")[:20]
    )


def conflicted_assignments(round_: JudgingRound) -> list[JudgeAssignment]:
    """Non-recused assignments of the round whose judge is conflicted with the submission
    (rule R-JD-24): a conflict declared or found after assignment."""
    rows = list(
        JudgeAssignment._base_manager.filter(round=round_, recused=False).select_related(
            "judge", "submission"
        )
    )
    if not rows:
        return []
    pairs = conflicted_pairs({a.judge for a in rows}, {a.submission for a in rows})
    return [a for a in rows if (a.judge_id, a.submission_id) in pairs]
