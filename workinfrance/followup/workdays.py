"""Working days in France: Monday to Friday, except public holidays (the `holidays` package, kept
up to date upstream, including Easter-based ones). Metropolitan holidays only: Alsace-Moselle's two
extra days and overseas departments' ones are not counted."""

import datetime
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _french_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("FR", years=year))


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _french_holidays(day.year)


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start`, up to and including `end` (0 when end <= start)."""
    if end <= start:
        return 0
    weeks, rest = divmod((end - start).days, 7)
    count = weeks * 5  # any 7 consecutive days hold 5 weekdays
    for offset in range(rest):
        count += (start + datetime.timedelta(days=weeks * 7 + 1 + offset)).weekday() < 5
    for year in range(start.year, end.year + 1):
        count -= sum(1 for day in _french_holidays(year) if start < day <= end and day.weekday() < 5)
    return count


def latest_day_with_working_days_since(end: datetime.date, working_days: int) -> datetime.date:
    """The latest day `d` with `working_days_between(d, end) >= working_days`: every earlier day has
    at least as many. Lets a database filter say "more than N working days ago" with one date."""
    day, counted = end, 0
    while counted < working_days:
        counted += is_working_day(day)
        day -= datetime.timedelta(days=1)
    return day
