"""Reports managers read at a glance: weekly and monthly, each a chart and the figures behind it.

Every other feature feeds its own section (`Feature.figures`); this one only decides when the
reports go out and to whom, and answers /report and /export. Fees' collection figures join by
declaring their provider in the fees feature, like repairs, complaints and slips do.
"""

from __future__ import annotations

from conversations.feature import Command, Feature, FeatureContext
from handlers.actor import Actor, Invocation
from handlers.reports import delivery
from handlers.reports.policy import report_policy
from storage.uow import UnitOfWork

LEGACY_MONTHLY = "complaint.monthly"
"""The complaint summary's own timer before it became the monthly report's section."""


def feature(context: FeatureContext) -> Feature:
    policy = report_policy(context.config)
    sections = context.sections
    departments = [d.key for d in context.config.departments]

    async def on_start(uow: UnitOfWork) -> None:
        await uow.timers.cancel(
            subject_type=delivery.SUBJECT, subject_id=uow.estate_id, kind=LEGACY_MONTHLY
        )
        await delivery.schedule(uow, policy)

    async def report(uow: UnitOfWork, actor: Actor, call: Invocation) -> None:
        await delivery.on_demand(uow, policy, sections, actor, call.args, call.group)

    async def export(uow: UnitOfWork, actor: Actor, call: Invocation) -> None:
        await delivery.export(uow, policy, actor, call.args, call.group)

    return Feature(
        name="reports",
        timers={
            delivery.WEEKLY: delivery.on_timer(
                policy, sections, "week", delivery.weekly_groups(departments)
            ),
            delivery.MONTHLY: delivery.on_timer(policy, sections, "month", delivery.MONTHLY_GROUPS),
        },
        commands=(
            Command("report", report, audience="staff", group=True),
            Command("export", export, audience="staff", group=True),
        ),
        on_start=on_start,
    )
