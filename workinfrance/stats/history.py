"""What a dossier's transition history means for the statistics: the definitions, in one place.

- A dossier is *filed* by its first `submit` transition; its cohort is the month (Paris time)
  of that first submission, and every figure of the dossier is counted in that month.
- Its *outcome* is the state after its last event when that state is a decision (accepted,
  refused, closed without action). A reopened decision no longer counts: the dossier is in
  progress again until it is decided anew, and then only the final decision counts.
- *Processing time* = calendar days from the date of the first submission to the date of the
  final decision. The part *waiting on the applicant* is the sum, over every stay in
  "awaiting complements", of the calendar days from the request to the applicant's answer (or to
  the closing of the file); the rest is time *on the administration*.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from zoneinfo import ZoneInfo

from django.conf import settings

from workinfrance.dossiers.lifecycle import DECIDED_STATES, State, Transition

DECIDED = frozenset(state.value for state in DECIDED_STATES)
AWAITING = State.AWAITING_COMPLEMENTS.value


@dataclass(frozen=True)
class HistoryEvent:
    id: int  # the audit event's id: orders same-instant transitions, marks how far a fact has read
    transition: str
    created_at: datetime
    to_state: str | None


@dataclass(frozen=True)
class Summary:
    first_submitted_at: datetime
    outcome: str
    decided_at: datetime | None
    processing_days: int | None
    applicant_days: int
    needed_complements: bool
    last_event_id: int

    @property
    def month(self) -> date:
        return local_date(self.first_submitted_at).replace(day=1)


@cache
def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_date(moment: datetime) -> date:
    """The calendar date in Paris (the service's time zone), whatever the active one."""
    return moment.astimezone(_zone()).date()


def days_between(start: datetime, end: datetime) -> int:
    return (local_date(end) - local_date(start)).days


def summarise(events: Iterable[HistoryEvent]) -> Summary | None:
    """The statistics of one dossier from its transitions; None if it was never submitted."""
    first_submitted_at = decided_at = awaiting_since = None
    outcome, applicant_days, needed_complements, last_id = "", 0, False, 0
    for event in sorted(events, key=lambda e: (e.created_at, e.id)):
        if first_submitted_at is None:
            if event.transition != Transition.SUBMIT:
                continue
            first_submitted_at = event.created_at
        last_id = max(last_id, event.id)
        state = event.to_state
        if state is None:
            continue
        if awaiting_since is not None and state != AWAITING:
            applicant_days += days_between(awaiting_since, event.created_at)
            awaiting_since = None
        if state == AWAITING and awaiting_since is None:
            awaiting_since, needed_complements = event.created_at, True
        if state in DECIDED:
            if not outcome:
                decided_at = event.created_at
            outcome = state
        else:
            outcome, decided_at = "", None
    if first_submitted_at is None:
        return None
    return Summary(
        first_submitted_at=first_submitted_at,
        outcome=outcome,
        decided_at=decided_at,
        processing_days=days_between(first_submitted_at, decided_at) if decided_at else None,
        applicant_days=applicant_days,
        needed_complements=needed_complements,
        last_event_id=last_id,
    )
