"""Repairs (报修): the resident's report, the technician's result form, the callback comment,
and the staff actions, timers and commands that carry a job from report to callback."""

from __future__ import annotations

from conversations.feature import Command, Feature, FeatureContext
from conversations.repairs.done import repair_done_flow
from conversations.repairs.report import repair_flow
from conversations.repairs.survey import SURVEY_COMMENT
from handlers import registration
from handlers.actor import Actor, FlowStart, Invocation
from handlers.repairs import deadlines, report, signoff, views, work
from handlers.repairs.common import (
    ACCEPT,
    ACCEPT_SLA,
    COMMENT_FORM,
    CONFIRM_TIMEOUT,
    DONE,
    DONE_FORM,
    FIXED,
    HAND_BACK,
    NOT_FIXED,
    RATE,
    REPAIRS,
    REPORT_FORM,
    SURVEY,
    WINDOW_END,
)
from handlers.repairs.policy import RepairPolicy, repair_policy
from handlers.reports.policy import report_policy
from handlers.reports.repairs import repair_figures
from storage.uow import UnitOfWork


def feature(context: FeatureContext) -> Feature:
    policy = repair_policy(context.config)

    async def welcome(uow: UnitOfWork, actor: Actor) -> None:
        await work.deliver_pending_contacts(uow, policy, actor)

    return Feature(
        name="repairs",
        lifecycles=(REPAIRS.lifecycle,),
        flows=(repair_flow(policy), repair_done_flow(policy), SURVEY_COMMENT),
        actions={
            ACCEPT: work.accept(policy),
            HAND_BACK: work.hand_back(policy),
            DONE: work.done(policy),
            FIXED: signoff.fixed(policy),
            NOT_FIXED: signoff.not_fixed(policy),
            RATE: signoff.rate(policy),
        },
        forms=(REPORT_FORM, DONE_FORM, COMMENT_FORM),
        timers={
            ACCEPT_SLA: deadlines.accept_overdue(policy),
            WINDOW_END: deadlines.window_passed(policy),
            CONFIRM_TIMEOUT: signoff.confirm_timeout(policy),
            SURVEY: signoff.send_survey(policy),
        },
        commands=_commands(policy),
        on_blocked=REPAIRS.resident_unreachable,
        on_welcome=welcome,
        figures=(repair_figures(policy, report_policy(context.config)),),
    )


def _commands(policy: RepairPolicy) -> tuple[Command, ...]:
    async def repair(uow: UnitOfWork, actor: Actor, _call: Invocation) -> FlowStart | None:
        if not await registration.start_gate(uow, actor):
            return None
        return FlowStart(REPORT_FORM.name, {"_homes": await report.homes(uow, actor)})

    async def my(uow: UnitOfWork, actor: Actor, _call: Invocation) -> None:
        await views.my_repairs(uow, policy, actor)

    async def queue(uow: UnitOfWork, actor: Actor, _call: Invocation) -> None:
        await views.department_queue(uow, actor.chat_id)

    return (
        Command("repair", repair, menu=True),
        Command("my", my, menu=True, section=True),
        Command("queue", queue, audience="staff", private=False, group=True),
    )
