"""The published figures and the exact arithmetic behind them.

Percentiles interpolate linearly between the two nearest ranks (as PostgreSQL's
`percentile_cont` and numpy's default); the trimmed mean drops floor(5 % of n) values at each
end. Processing times are whole days, so a histogram {days: count} is an exact summary: the
precomputed tables keep histograms, the direct computation keeps the sorted list of values,
and both must give the same numbers.
"""

from collections import Counter
from dataclasses import dataclass, field

TRIM_PERCENT = 5


@dataclass(frozen=True)
class Figures:
    filed: int = 0
    accepted: int = 0
    refused: int = 0
    closed: int = 0
    with_complements: int = 0
    median_days: float | None = None
    p90_days: float | None = None
    trimmed_mean_days: float | None = None
    applicant_days_mean: float | None = None
    administration_days_mean: float | None = None

    @property
    def decided(self) -> int:
        return self.accepted + self.refused + self.closed

    @property
    def in_progress(self) -> int:
        return self.filed - self.decided

    @property
    def acceptance_rate(self) -> float | None:
        """Accepted among decided (a file closed without action counts as not accepted)."""
        return self.accepted / self.decided if self.decided else None

    @property
    def complement_share(self) -> float | None:
        return self.with_complements / self.filed if self.filed else None


def _value_at_rank(histogram: list[tuple[int, int]], rank: int) -> int:
    seen = 0
    for value, count in histogram:
        seen += count
        if rank < seen:
            return value
    raise IndexError(rank)


def histogram_percentile(histogram: list[tuple[int, int]], n: int, q: float) -> float | None:
    """`histogram` is sorted by value; `n` is the total count."""
    if not n:
        return None
    position = q * (n - 1)
    low = int(position)
    lower = _value_at_rank(histogram, low)
    upper = _value_at_rank(histogram, min(low + 1, n - 1))
    return lower + (upper - lower) * (position - low)


def histogram_trimmed_mean(histogram: list[tuple[int, int]], n: int) -> float | None:
    cut = n * TRIM_PERCENT // 100
    kept = n - 2 * cut
    if kept <= 0:
        return None
    total, rank = 0, 0
    for value, count in histogram:
        # Ranks [rank, rank + count) hold `value`; keep those inside [cut, n - cut).
        inside = min(rank + count, n - cut) - max(rank, cut)
        if inside > 0:
            total += value * inside
        rank += count
    return total / kept


@dataclass
class Tally:
    """Additive totals of a set of dossiers: what a MonthlyCell stores, and sums of cells."""

    filed: int = 0
    accepted: int = 0
    refused: int = 0
    closed: int = 0
    with_complements: int = 0
    processing_days_sum: int = 0
    applicant_days_sum: int = 0
    histogram: Counter = field(default_factory=Counter)

    def add_cell(self, cell) -> None:
        self.filed += cell.filed
        self.accepted += cell.accepted
        self.refused += cell.refused
        self.closed += cell.closed
        self.with_complements += cell.with_complements
        self.processing_days_sum += cell.processing_days_sum
        self.applicant_days_sum += cell.applicant_days_sum
        for days, count in cell.histogram.items():
            self.histogram[int(days)] += count

    @property
    def decided(self) -> int:
        return self.accepted + self.refused + self.closed

    def percentile(self, q: float) -> float | None:
        return histogram_percentile(sorted(self.histogram.items()), self.decided, q)

    def figures(self) -> Figures:
        decided = self.decided
        histogram = sorted(self.histogram.items())
        return Figures(
            filed=self.filed,
            accepted=self.accepted,
            refused=self.refused,
            closed=self.closed,
            with_complements=self.with_complements,
            median_days=histogram_percentile(histogram, decided, 0.5),
            p90_days=histogram_percentile(histogram, decided, 0.9),
            trimmed_mean_days=histogram_trimmed_mean(histogram, decided),
            applicant_days_mean=self.applicant_days_sum / decided if decided else None,
            administration_days_mean=(
                (self.processing_days_sum - self.applicant_days_sum) / decided if decided else None
            ),
        )
