"""The repairs' figures: what came in, how fast it was taken and done, and whether it stayed fixed.

Counted over the jobs received in the period (their number, categories, departments, urgency,
how long they waited to be accepted and took to be done, reopened or fixed the first time) and
over the callbacks that fell due in it, and the surveys answered in it: the overall rating and,
per question of the survey (the technician's skill and manner, the quality of the work, the
process), the average score and the share of 4s and 5s. A question counts the surveys that
answered it; a verdict taken on the phone has no per-question scores, and the overall average
leaves it out too (its 5 or 1 is a yes or a no, not a score), while the satisfied share counts
it. Waiting to be accepted is elapsed time, as the manual's
rule (urgent at once, ordinary within 2 hours) is; time to done is working time, what the office
gave the job. The first acceptance and the first completion are read from the job's history:
a reopened job's own columns are cleared when it goes back to be done again.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from handlers.messages import TextBody, text, verbatim
from handlers.repairs.common import REPAIRS, category_label, number
from handlers.repairs.policy import RepairPolicy
from handlers.reports.callbacks import SATISFIED_RATING, CallbackRule, callback_figures
from handlers.reports.channels import RECORDED, by_channel, recorded_figure
from handlers.reports.figures import Breakdown, Figure, Section, SectionProvider, mean_hours, share
from handlers.reports.period import Period
from handlers.reports.policy import ReportPolicy
from storage.models import SURVEY_QUESTIONS, Event, Survey
from storage.uow import UnitOfWork

KEY = "repairs"
FIGURES = tuple(
    f"{KEY}.{name}"
    for name in (
        "received",
        RECORDED,
        "urgent_share",
        "time_to_accept",
        "time_to_done",
        "reopened",
        "first_time_fix",
        "rating",
        *(f"{q}{suffix}" for q in SURVEY_QUESTIONS for suffix in ("", "_satisfied")),
        "callbacks",
        "callbacks_on_time",
        "satisfied",
    )
)
"""The figures of the section, in its order (the catalog has a label for each)."""


def repair_figures(policy: RepairPolicy, targets: ReportPolicy) -> SectionProvider:
    rule = CallbackRule(REPAIRS.kind, "confirmed", policy.survey_due)

    async def section(uow: UnitOfWork, period: Period) -> Section:
        tickets = await uow.tickets.created_between(REPAIRS.kind, period.start, period.end)
        history = await uow.events.of_subjects(
            [f"{REPAIRS.kind}.accepted", f"{REPAIRS.kind}.done"], "ticket", [t.id for t in tickets]
        )
        accepted = _first(history, f"{REPAIRS.kind}.accepted")
        done = _first(history, f"{REPAIRS.kind}.done")
        to_accept = [accepted[t.id] - t.created_at for t in tickets if t.id in accepted]
        to_done = [
            policy.calendar.working_time(t.created_at, done[t.id]) for t in tickets if t.id in done
        ]
        finished = [t for t in tickets if t.id in done]
        answered = await uow.tickets.surveys_answered_between(
            REPAIRS.kind, period.start, period.end
        )
        ratings = [s.rating for s in answered if s.rating is not None and not s.by_phone]
        departments = Counter(t.department_key or "front_desk" for t in tickets)
        department_names: dict[str, str] = {}
        for key in departments:
            department = await uow.people.department(key)
            department_names[key] = department.name if department else key
        figures = (
            Figure(f"{KEY}.received", len(tickets)),
            recorded_figure(KEY, tickets),
            Figure(
                f"{KEY}.urgent_share",
                share(sum(t.urgent for t in tickets), len(tickets)),
                "percent",
            ),
            Figure(f"{KEY}.time_to_accept", mean_hours(to_accept), "hours", higher_is_better=False),
            Figure(f"{KEY}.time_to_done", mean_hours(to_done), "hours", higher_is_better=False),
            Figure(f"{KEY}.reopened", sum(1 for t in tickets if t.reopened)),
            Figure(
                f"{KEY}.first_time_fix",
                share(sum(1 for t in finished if not t.reopened), len(finished)),
                "percent",
            ),
            Figure(f"{KEY}.rating", mean(ratings), "count"),
            *per_question(answered),
            *await callback_figures(uow, rule, period, targets, prefix=KEY),
        )
        categories = Counter(t.category or "" for t in tickets)
        return Section(
            key=KEY,
            figures=figures,
            breakdowns=(
                Breakdown(
                    "by_category",
                    tuple((category_label(policy, k), n) for k, n in categories.most_common()),
                ),
                Breakdown(
                    "by_department",
                    tuple((verbatim(department_names[k]), n) for k, n in departments.most_common()),
                ),
                by_channel(tickets),
            ),
            breached=tuple(await _breached(uow)),
            trend=(f"{KEY}.received",),
        )

    return section


def mean(scores: list[int]) -> float | None:
    return sum(scores) / len(scores) if scores else None


def per_question(answered: list[Survey]) -> tuple[Figure, ...]:
    """Each question's average score, and its share of 4s and 5s (the satisfied answers)."""
    figures: list[Figure] = []
    for question in SURVEY_QUESTIONS:
        given = [score for s in answered if (score := getattr(s, question)) is not None]
        good = sum(1 for score in given if score >= SATISFIED_RATING)
        figures.append(Figure(f"{KEY}.{question}", mean(given), "count"))
        figures.append(Figure(f"{KEY}.{question}_satisfied", share(good, len(given)), "percent"))
    return tuple(figures)


def _first(history: list[Event], action: str) -> dict[int, datetime]:
    """Each ticket's first event of `action`: when it happened."""
    first: dict[int, datetime] = {}
    for event in history:
        if event.action == action and event.subject_id is not None:
            first.setdefault(int(event.subject_id), event.at)
    return first


async def _breached(uow: UnitOfWork) -> list[TextBody]:
    """Jobs still open that missed a deadline (acceptance or the agreed visit window)."""
    open_jobs = await uow.tickets.with_statuses(REPAIRS.kind, REPAIRS.lifecycle.open_states)
    late = await uow.events.of_subjects(
        [f"{REPAIRS.kind}.sla_breached"], "ticket", [t.id for t in open_jobs]
    )
    late_ids = {e.subject_id for e in late}
    return [
        text("report.breached.repair", number=number(t), status=REPAIRS.status_label(t))
        for t in open_jobs
        if t.id in late_ids
    ]
