"""The official labels of seed 002's forms, read from the seed text (tests/data).

``tests/data/seed_002_annexes.txt`` is seed 002 (中国质协字〔2020〕21号) from "附件 1" on,
copied verbatim from ``docs/seeds/002_a598f2145b5649bf.txt``.
"""

import re
from pathlib import Path

SEED = (Path(__file__).resolve().parent.parent / "data" / "seed_002_annexes.txt").read_text(encoding="utf-8")


def annex_text(number: int) -> str:
    """The seed text of one annex, from its "附件 N" line to the next annex."""
    match = re.search(rf"^附件 {number}\s*$(.*?)(?=^附件 \d\s*$|\Z)", SEED, flags=re.S | re.M)
    assert match, f"annex {number} not found in the seed text"
    return f"附件 {number}\n" + match.group(1)


def official_labels(number: int) -> list[str]:
    """The labels of an annex in their official order.

    Table cells (tab separated) and text lines are split at HTML tags, at blank fill-in
    lines (``_____``) and after colons (where a value is filled in); empty pieces and bare
    digits are dropped.
    """
    labels = []
    for line in annex_text(number).splitlines():
        for cell in line.split("\t"):
            for piece in re.split(r"<[^>]+>|_{2,}|(?<=[：:])\s+", cell):
                piece = piece.strip(" -")
                if piece and not piece.isdigit():
                    labels.append(piece)
    return labels
