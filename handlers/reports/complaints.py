"""The complaints' figures, and the monthly analysis the manual asks management for.

Counted over the complaints received in the period: severity and topic, invalid ones, group
complaints, and whether each deadline was met per severity. The deadlines were set on the
working calendar when the complaint was triaged and are kept on it, so "on time" is a comparison
with them; a complaint whose deadline has not come yet and is still unanswered is left out
rather than counted late. The analysis lists the most frequent topics with the corrective and
preventive action each owner recorded when resolving.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from handlers.complaints.common import COMPLAINTS, number, topic_label
from handlers.complaints.lifecycle import INVALID
from handlers.complaints.policy import SEVERITIES, ComplaintPolicy
from handlers.messages import TextBody, moment, text, verbatim
from handlers.reports.callbacks import CallbackRule, callback_figures
from handlers.reports.channels import RECORDED, by_channel, recorded_figure
from handlers.reports.figures import Breakdown, Figure, Section, SectionProvider, mean_hours, share
from handlers.reports.period import Period
from handlers.reports.policy import ReportPolicy
from storage.models import Ticket
from storage.uow import UnitOfWork

KEY = "complaints"
TOP_CAUSES = 3
ACTIONS_PER_CAUSE = 2
ACTION_LENGTH = 120
CLOSING = ".。;；,，、:： "
"""Punctuation an owner may end an action with, left out where the line goes on after it."""
FIGURES = (
    *(f"{KEY}.{name}" for name in ("received", RECORDED, "invalid", "group", "reply_hours")),
    *(f"{KEY}.{c}_on_time.{s}" for s in SEVERITIES for c in ("reply", "resolve")),
    *(f"{KEY}.{name}" for name in ("callbacks", "callbacks_on_time", "satisfied")),
)
"""The figures of the section, in its order (the catalog has a label for each)."""


def complaint_figures(policy: ComplaintPolicy, targets: ReportPolicy) -> SectionProvider:
    rule = CallbackRule(COMPLAINTS.kind, "resolved", policy.callback_due)

    async def section(uow: UnitOfWork, period: Period) -> Section:
        tickets = await uow.tickets.created_between(COMPLAINTS.kind, period.start, period.end)
        severities = Counter(t.severity or "untriaged" for t in tickets)
        topics = Counter(t.category or "" for t in tickets)
        figures: list[Figure] = [
            Figure(f"{KEY}.received", len(tickets)),
            recorded_figure(KEY, tickets),
            Figure(f"{KEY}.invalid", sum(1 for t in tickets if t.status == INVALID)),
            Figure(f"{KEY}.group", sum(1 for t in tickets if t.details.get("group"))),
            Figure(
                f"{KEY}.reply_hours",
                mean_hours(
                    [
                        policy.calendar.working_time(t.created_at, t.replied_at)
                        for t in tickets
                        if t.replied_at is not None
                    ]
                ),
                "hours",
                higher_is_better=False,
            ),
        ]
        for severity in SEVERITIES:
            of_severity = [t for t in tickets if t.severity == severity]
            for clock in ("reply", "resolve"):
                met, counted = _on_time(of_severity, clock, uow.now)
                figures.append(
                    Figure(
                        f"{KEY}.{clock}_on_time.{severity}",
                        share(met, counted),
                        "percent",
                        targets.deadline_target,
                    )
                )
        figures.extend(await callback_figures(uow, rule, period, targets, prefix=KEY))
        return Section(
            key=KEY,
            figures=tuple(figures),
            breakdowns=(
                Breakdown(
                    "by_severity",
                    tuple(
                        (text(f"report.severity.{s}"), severities[s])
                        for s in (*SEVERITIES, "untriaged")
                        if severities[s]
                    ),
                ),
                Breakdown(
                    "by_topic",
                    tuple((topic_label(policy, k), n) for k, n in topics.most_common()),
                ),
                by_channel(tickets),
            ),
            analysis=tuple(_analysis(policy, tickets, topics)),
            breached=tuple(await _breached(uow, policy)),
            trend=(f"{KEY}.received",),
        )

    return section


def _on_time(tickets: list[Ticket], clock: str, now: datetime) -> tuple[int, int]:
    """(met, counted) for one deadline: a complaint counts once it was met or its time is up."""
    met = counted = 0
    for ticket in tickets:
        due = getattr(ticket, f"{clock}_due_at")
        done = ticket.replied_at if clock == "reply" else ticket.resolved_at
        if due is None or (done is None and due > now):
            continue
        counted += 1
        met += done is not None and done <= due
    return met, counted


def _analysis(
    policy: ComplaintPolicy, tickets: list[Ticket], topics: Counter[str]
) -> list[TextBody]:
    """The most frequent causes, each with what the owners did about them and will do."""
    lines: list[TextBody] = []
    for key, count in topics.most_common(TOP_CAUSES):
        lines.append(text("report.analysis.cause", topic=topic_label(policy, key), count=count))
        actions = [t for t in tickets if t.category == key and t.details.get("corrective")]
        for ticket in actions[:ACTIONS_PER_CAUSE]:
            lines.append(
                text(
                    "report.analysis.action",
                    number=number(ticket),
                    corrective=verbatim(_short(ticket.details.get("corrective", ""))),
                    preventive=verbatim(_short(ticket.details.get("preventive") or "—")),
                )
            )
        if not actions:
            lines.append(text("report.analysis.no_action"))
    return lines


def _short(words: str) -> str:
    """What an owner wrote, as a clause of the line: on one line, cut to ACTION_LENGTH, and
    without its closing punctuation, which would run into the line's own ("drilling.;")."""
    words = " ".join(str(words).split())
    words = words.rstrip(CLOSING) or words
    return words if len(words) <= ACTION_LENGTH else words[: ACTION_LENGTH - 1] + "…"


async def _breached(uow: UnitOfWork, policy: ComplaintPolicy) -> list[TextBody]:
    """Complaints still open whose reply or resolution deadline passed unmet."""
    lines: list[TextBody] = []
    for ticket in await uow.tickets.with_statuses(
        COMPLAINTS.kind, COMPLAINTS.lifecycle.open_states
    ):
        if ticket.replied_at is None and ticket.reply_due_at and ticket.reply_due_at < uow.now:
            due = ticket.reply_due_at
        elif (
            ticket.resolved_at is None and ticket.resolve_due_at and ticket.resolve_due_at < uow.now
        ):
            due = ticket.resolve_due_at
        else:
            continue
        lines.append(
            text(
                "report.breached.complaint",
                number=number(ticket),
                topic=topic_label(policy, ticket.category),
                due=moment(due),
            )
        )
    return lines
