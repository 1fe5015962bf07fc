"""Benchmark: automatic assignment of judges at national scale (issue 8, benchmark).

Builds in memory a campaign of ``--submissions`` (default 2,000) results in five domains
from ``--enterprises`` enterprises under their groups and recommending units, and a pool of
``--judges`` (default 200) experts: a third employed by one of the enterprises (so they
are conflicted with that enterprise, its group and its unit, as
``evaluation.conflicts.conflicted_pairs`` finds), several per employer, some with listed
specialty domains, panels per domain with a chair; a few pinned assignments. Then runs
``evaluation.assignment.solve`` with ``--per`` (default 5) judges per submission and a cap,
and prints:

- the time of the assignment and the ratio to a floor measured in the same run (reading and
  sorting the input once per submission: the least any algorithm must do);
- the load spread (max − min load within a panel; must be ≤ 1);
- the constraint violations counted independently (must be 0).
Target: under 10 s. Prints figures only; asserts nothing.
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qcportal.settings.local")

import django  # noqa: E402

django.setup()

from evaluation.assignment import JudgeIn, PanelIn, SubIn, count_violations, solve  # noqa: E402

DOMAINS = ("制造类", "服务类", "建筑类", "能源类", "医疗类")


def build(n_subs: int, n_judges: int, n_enterprises: int, seed: int = 2025):
    """The generated campaign: submissions, judges, panels, conflicts, pins."""
    rnd = random.Random(seed)
    # enterprise e → group g (every 4 enterprises) → unit u (every 3 groups)
    group = {e: 10_000 + e // 4 for e in range(n_enterprises)}
    unit = {e: 20_000 + (e // 4) // 3 for e in range(n_enterprises)}
    subs, sub_orgs = [], {}
    for i in range(n_subs):
        e = rnd.randrange(n_enterprises)
        domain = DOMAINS[i % len(DOMAINS)]
        subs.append(
            SubIn(id=i, label=f"成果{i}", panel=domain, domain=domain, topic=rnd.choice(("ps", "inn")))
        )
        sub_orgs[i] = {e, group[e], unit[e]}
    judges, interested = [], {}
    employers = list(range(n_judges // 4))  # ~4 judges per employer: same-organisation pairs exist
    for j in range(n_judges):
        domain = DOMAINS[j % len(DOMAINS)]
        if j % 3 == 0:
            e = rnd.randrange(n_enterprises)  # works for an enterprise: conflicted with it and above
            org = ("o", e)
            interested[j] = {e, group[e], unit[e]}
        else:
            org = ("w", f"大学{rnd.choice(employers)}")
            interested[j] = set()
        judges.append(
            JudgeIn(
                id=j,
                name=f"评委{j}",
                org=org,
                domains=frozenset({domain}) if j % 2 else frozenset(),
                topics=frozenset(),
                rank=0 if j < len(DOMAINS) else 2,
            )
        )
    panels = {
        d: PanelIn(judges=[j.id for j in judges if DOMAINS[j.id % len(DOMAINS)] == d], chair=None)
        for d in DOMAINS
    }
    for _d, panel in panels.items():
        panel.chair = panel.judges[0]
    by_org = {}
    for j, orgs in interested.items():
        for o in orgs:
            by_org.setdefault(o, []).append(j)
    conflicts = {(j, s) for s, orgs in sub_orgs.items() for o in orgs for j in by_org.get(o, ())}
    pinned = {}
    for s in subs[:20]:
        panel = panels[s.panel]
        for j in panel.judges:
            if (j, s.id) not in conflicts:
                pinned[s.id] = [j]
                break
    return subs, judges, panels, conflicts, pinned


def floor(subs, judges, panels, conflicts) -> float:
    """Reading the input once per submission and sorting its panel's judges: seconds."""
    start = time.perf_counter()
    for s in subs:
        members = panels[s.panel].judges
        sorted((j for j in members if (j, s.id) not in conflicts), key=lambda j: (j % 7, j))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=2000)
    parser.add_argument("--judges", type=int, default=200)
    parser.add_argument("--per", type=int, default=5)
    parser.add_argument("--enterprises", type=int, default=600)
    parser.add_argument("--cap", type=int, default=0, help="per-judge cap (0: twice the mean load)")
    args = parser.parse_args()
    subs, judges, panels, conflicts, pinned = build(args.submissions, args.judges, args.enterprises)
    cap = args.cap or 2 * (args.submissions * args.per) // args.judges
    floor_s = floor(subs, judges, panels, conflicts)
    start = time.perf_counter()
    solution = solve(subs, judges, panels, n=args.per, cap=cap, conflicts=conflicts, pinned=pinned)
    elapsed = time.perf_counter() - start
    v = count_violations(subs, judges, panels, solution, n=args.per, cap=cap, conflicts=conflicts)
    hard = sum(
        v[k] for k in ("missing", "conflict", "same_org", "specialty", "cap", "balance", "outside_panel")
    )
    kept = sum(all(j in solution.assign[s] for j in js) for s, js in pinned.items())
    print(f"submissions {len(subs)}, judges {len(judges)}, {args.per} per submission, cap {cap}")
    print(f"conflicted pairs {len(conflicts)}, pinned kept {kept}/{len(pinned)}")
    print(
        f"assignment time: {elapsed:.2f} s (floor {floor_s:.3f} s, ratio {elapsed / max(floor_s, 1e-9):.1f})"
    )
    print(f"load spread (max-min within a panel): {v['spread']}")
    print(f"constraint violations: {hard} {v}")
    print(f"problems reported: {len(solution.problems)}")
    print("target < 10 s: " + ("met" if elapsed < 10 and hard == 0 else "NOT met"))


if __name__ == "__main__":
    main()
