"""Callbacks (回访), counted the same way for every kind of ticket that gets one.

The manual: every repair and every complaint is called back (target 100%), within its deadline,
and 90% or more of the residents asked are satisfied. A callback falls due when the job is
confirmed (or the complaint resolved); it is made when the survey went out, or, for a resident
the bot cannot write to, when the front desk was given the phone call to make. One that falls
due in the period counts once its deadline has passed or it was made, so a report does not call
a callback missed while there is still time to make it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from handlers.reports.figures import Figure, share
from handlers.reports.period import Period
from handlers.reports.policy import ReportPolicy
from storage.uow import UnitOfWork

SATISFIED_RATING = 4
"""A rating of 4 or 5 (of 5) is a satisfied resident; a complaint's 'satisfied' is stored as 5."""


@dataclass(frozen=True)
class CallbackRule:
    kind: str
    """The ticket kind (its events are `<kind>.<event>`)."""
    due_after: str
    """The event after which a callback is owed (`confirmed`, `resolved`)."""
    due: Callable[[datetime], datetime]
    """When the callback is due, from the moment it became owed (on the working calendar)."""


MADE = ("survey_sent", "survey_by_phone")
GRACE = timedelta(minutes=5)
"""The bot makes a callback with a timer due at the deadline itself, and the scheduler fires it
within a tick after that: a callback that late is on time."""


async def callback_figures(
    uow: UnitOfWork, rule: CallbackRule, period: Period, targets: ReportPolicy, *, prefix: str
) -> tuple[Figure, ...]:
    """Callbacks owed in the period: made, made on time, and how satisfied the answers were."""
    start, end = period.start, period.end
    owed = await uow.events.between([f"{rule.kind}.{rule.due_after}"], start, end)
    made_events = await uow.events.of_subjects(
        [f"{rule.kind}.{name}" for name in MADE], "ticket", {e.subject_id or 0 for e in owed}
    )
    counted = made = on_time = 0
    for event in owed:
        due = rule.due(event.at)
        first = next(
            (m.at for m in made_events if m.subject_id == event.subject_id and m.at >= event.at),
            None,
        )
        if first is None and due > uow.now:
            continue  # still time to make it
        counted += 1
        if first is not None:
            made += 1
            on_time += first <= due + GRACE
    answered = await uow.tickets.surveys_answered_between(rule.kind, start, end)
    satisfied = sum(1 for s in answered if (s.rating or 0) >= SATISFIED_RATING)
    return (
        Figure(f"{prefix}.callbacks", share(made, counted), "percent", targets.callback_target),
        Figure(
            f"{prefix}.callbacks_on_time",
            share(on_time, counted),
            "percent",
            targets.callback_target,
        ),
        Figure(
            f"{prefix}.satisfied",
            share(satisfied, len(answered)),
            "percent",
            targets.satisfaction_target,
        ),
    )
