"""Repairs (报修): the resident's report, the technician's result form, the callback comment,
and the staff actions, timers and commands that carry a job from report to callback; the front
desk follows every job (its morning digest, /queue of every department, re-routing). Paid work
(有偿服务): the technician's quote and the resident's answer, the fees' payment recorded by the
front desk, and the monthly summary for finance."""

from __future__ import annotations

from conversations.feature import Command, Feature, FeatureContext
from conversations.repairs.done import repair_done_flow
from conversations.repairs.quote import quote_flow
from conversations.repairs.report import repair_flow
from conversations.repairs.reroute import reroute_flow
from conversations.repairs.survey import SURVEY_COMMENT
from handlers import callbacks, registration
from handlers.actor import Actor, FlowStart, Invocation
from handlers.messages import text
from handlers.repairs import (
    deadlines,
    digest,
    paid_summary,
    payment,
    phone,
    quote,
    report,
    reroute,
    signoff,
    views,
    work,
)
from handlers.repairs.common import (
    ACCEPT,
    ACCEPT_SLA,
    AGREE,
    BY_PHONE,
    CALL,
    COMMENT_FORM,
    CONFIRM_TIMEOUT,
    DECLINE,
    DESK_DIGEST,
    DONE,
    DONE_FORM,
    FIXED,
    HAND_BACK,
    NOT_FIXED,
    PAID_SUMMARY,
    PAY,
    QUOTE,
    QUOTE_BY_PHONE,
    QUOTE_FORM,
    QUOTE_WAIT,
    REPAIRS,
    REPORT_FORM,
    REROUTE,
    REROUTE_FORM,
    SCORE,
    SURVEY,
    SURVEY_BY_PHONE,
    SURVEY_PHONE,
    SURVEY_REMIND,
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

    async def on_start(uow: UnitOfWork) -> None:
        await digest.schedule_next(uow, policy)
        await paid_summary.schedule_next(uow, policy)

    return Feature(
        name="repairs",
        lifecycles=(REPAIRS.lifecycle,),
        flows=(
            repair_flow(policy),
            repair_done_flow(policy),
            reroute_flow(policy),
            quote_flow(policy),
            SURVEY_COMMENT,
        ),
        actions={
            ACCEPT: work.accept(policy),
            HAND_BACK: work.hand_back(policy),
            DONE: work.done(policy),
            FIXED: signoff.fixed(policy),
            NOT_FIXED: signoff.not_fixed(policy),
            CALL: signoff.CALLBACK.show_number(),
            SURVEY_BY_PHONE: signoff.answered_by_phone(policy),
            BY_PHONE: phone.answered(policy),
            SCORE: signoff.score(policy),
            REROUTE: reroute.open_form(policy),
            QUOTE: quote.open_form(policy),
            AGREE: quote.resident_answer(policy, agreed=True),
            DECLINE: quote.resident_answer(policy, agreed=False),
            QUOTE_BY_PHONE: quote.answered_by_phone(policy),
            PAY: payment.record(policy),
        },
        forms=(REPORT_FORM, DONE_FORM, REROUTE_FORM, QUOTE_FORM, COMMENT_FORM),
        timers={
            ACCEPT_SLA: deadlines.accept_overdue(policy),
            WINDOW_END: deadlines.window_passed(policy),
            CONFIRM_TIMEOUT: phone.confirm_timeout(policy),
            SURVEY: signoff.CALLBACK.asking(),
            SURVEY_REMIND: signoff.CALLBACK.reminding(),
            SURVEY_PHONE: signoff.CALLBACK.phoning(),
            DESK_DIGEST: digest.daily(policy),
            QUOTE_WAIT: quote.waited(policy),
            PAID_SUMMARY: paid_summary.monthly(policy),
        },
        commands=_commands(policy),
        on_start=on_start,
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

    async def follow_up(uow: UnitOfWork, actor: Actor, call: Invocation) -> None:
        title = text("repair.callbacks.title")
        await callbacks.follow_up(
            uow, actor, call.group, signoff.CALLBACK, title, policy.unhappy, first=True
        )

    return (
        Command("repair", repair, menu=True),
        Command("my", my, menu=True, section=True),
        Command("queue", queue, audience="staff", private=False, group=True, section=True),
        Command("callbacks", follow_up, audience="staff", group=True, section=True),
    )
