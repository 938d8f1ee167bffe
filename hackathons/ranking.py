"""The judging arithmetic, apart from the database so that it can be checked by hand.

Each judge's scores are z-normalised over everything that judge scored (mean 0, standard
deviation 1), so that a harsh or a lenient judge weighs as much as any other and no more. A
submission's value on a criterion is the mean of its judges' z-scores; its total is the
weighted mean of those over the criteria. Equal totals (to 6 places) share a rank: 1, 1, 3.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from statistics import fmean, pstdev

PLACES = 6


@dataclass(frozen=True)
class RawScore:
    judge: object
    submission: object
    criterion: object
    value: float


@dataclass
class Ranked:
    submission: object
    total: float
    rank: int = 0
    tied: bool = False
    by_criterion: dict = field(default_factory=dict)
    judges: int = 0


def judge_z_scores(scores: list[RawScore]) -> dict[RawScore, float]:
    """Every score as a z-score within its judge's own scores. A judge who gave every score
    the same value says nothing about the order: all their z-scores are 0."""
    by_judge: dict[object, list[RawScore]] = defaultdict(list)
    for score in scores:
        by_judge[score.judge].append(score)
    z = {}
    for judged in by_judge.values():
        values = [s.value for s in judged]
        mean, spread = fmean(values), pstdev(values)
        for s in judged:
            z[s] = (s.value - mean) / spread if spread else 0.0
    return z


def rank(scores: list[RawScore], weights: dict[object, float]) -> list[Ranked]:
    """The ranking, best first. `weights` maps criterion → weight; criteria nobody scored for a
    submission are left out of its weighted mean."""
    z = judge_z_scores(scores)
    cells: dict[object, dict[object, list[float]]] = defaultdict(lambda: defaultdict(list))
    judges: dict[object, set] = defaultdict(set)
    for score in scores:
        cells[score.submission][score.criterion].append(z[score])
        judges[score.submission].add(score.judge)
    ranked = []
    for submission, per_criterion in cells.items():
        means = {c: fmean(values) for c, values in per_criterion.items()}
        weight_sum = sum(float(weights[c]) for c in means)
        total = sum(float(weights[c]) * m for c, m in means.items()) / weight_sum
        ranked.append(
            Ranked(
                submission=submission,
                total=round(total, PLACES),
                by_criterion={c: round(m, PLACES) for c, m in means.items()},
                judges=len(judges[submission]),
            )
        )
    ranked.sort(key=lambda r: -r.total)
    return _with_ranks(ranked)


def _with_ranks(ranked: list[Ranked]) -> list[Ranked]:
    for position, row in enumerate(ranked, start=1):
        previous = ranked[position - 2] if position > 1 else None
        row.rank = previous.rank if previous and previous.total == row.total else position
    counts = defaultdict(int)
    for row in ranked:
        counts[row.rank] += 1
    for row in ranked:
        row.tied = counts[row.rank] > 1
    return ranked
