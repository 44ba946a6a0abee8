import datetime
import zoneinfo

import time_machine

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def at(day: datetime.date, hour: int = 10):
    """Frozen time at `hour` (Paris) on `day`: everything asking for the time (auto_now too) gets it."""
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, hour, tzinfo=PARIS), tick=False
    )
