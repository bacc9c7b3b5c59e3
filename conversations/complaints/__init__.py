"""Complaints (投诉): intake, the owner's private forms, the home visit, and the staff actions,
deadline timers and lists the manual asks for; its figures join the weekly and monthly reports."""

from __future__ import annotations

from typing import Any

from conversations.complaints.forms import complaint_flows
from conversations.feature import Command, Feature, FeatureContext
from handlers import callbacks, registration
from handlers.actor import Actor, FlowStart, Invocation
from handlers.complaints import followup, handling, home_visit, intake, plan, reports
from handlers.complaints.callback import CALLBACK
from handlers.complaints.common import (
    ADD_INFO,
    CALL,
    COMPLAINT_FORM,
    COMPLAINTS,
    EXPLAIN_BREACH,
    EXPLAIN_FORM,
    INFO_FORM,
    INVALID,
    PLAN,
    PLAN_FORM,
    REPLY,
    REPLY_BREACH,
    REPLY_FORM,
    REPLY_WARN,
    RESOLVE,
    RESOLVE_BREACH,
    RESOLVE_FORM,
    RESOLVE_WARN,
    ROUTE,
    ROUTE_FORM,
    SATISFIED,
    SURVEY,
    SURVEY_BY_PHONE,
    SURVEY_PHONE,
    SURVEY_REMIND,
    TRIAGE,
    VERDICT,
    VERDICT_DUE,
    VISIT,
    VISIT_FORM,
    VISIT_REMINDER,
)
from handlers.complaints.policy import ComplaintPolicy, complaint_policy
from handlers.messages import text
from handlers.reports.complaints import complaint_figures
from handlers.reports.policy import report_policy
from storage.uow import UnitOfWork


def feature(context: FeatureContext) -> Feature:
    policy = complaint_policy(context.config)

    return Feature(
        name="complaints",
        lifecycles=(COMPLAINTS.lifecycle,),
        flows=tuple(complaint_flows(policy)),
        actions={
            TRIAGE: handling.triage(policy),
            INVALID: handling.claim_invalid(policy),
            REPLY: handling.owner_form(REPLY_FORM, "reply"),
            ROUTE: handling.owner_form(ROUTE_FORM, "route"),
            RESOLVE: handling.owner_form(RESOLVE_FORM, "resolve"),
            ADD_INFO: intake.offer_info,
            SATISFIED: followup.survey_answer(policy),
            CALL: CALLBACK.show_number(),
            SURVEY_BY_PHONE: followup.answered_by_phone(policy),
            VISIT: home_visit.offer_visit,
            VERDICT: home_visit.record_verdict(policy),
            PLAN: plan.open_plan(),
        },
        forms=(
            COMPLAINT_FORM,
            REPLY_FORM,
            ROUTE_FORM,
            RESOLVE_FORM,
            EXPLAIN_FORM,
            INFO_FORM,
            VISIT_FORM,
            PLAN_FORM,
        ),
        timers={
            REPLY_WARN: followup.deadline_near,
            RESOLVE_WARN: followup.deadline_near,
            REPLY_BREACH: followup.deadline_passed(policy),
            RESOLVE_BREACH: followup.deadline_passed(policy),
            EXPLAIN_BREACH: followup.deadline_passed(policy),
            SURVEY: CALLBACK.asking(),
            SURVEY_REMIND: CALLBACK.reminding(),
            SURVEY_PHONE: CALLBACK.phoning(),
            VISIT_REMINDER: home_visit.remind_visit,
            VERDICT_DUE: home_visit.chase_verdict,
        },
        commands=_commands(policy),
        on_blocked=COMPLAINTS.resident_unreachable,
        figures=(complaint_figures(policy, report_policy(context.config)),),
    )


def _unhappy(answer: dict[str, Any]) -> bool:
    return answer.get("satisfied") is False


def _commands(policy: ComplaintPolicy) -> tuple[Command, ...]:
    async def follow_up(uow: UnitOfWork, actor: Actor, call: Invocation) -> None:
        title = text("complaint.callbacks.title")
        await callbacks.follow_up(uow, actor, call.group, CALLBACK, title, _unhappy)

    async def complain(uow: UnitOfWork, actor: Actor, _call: Invocation) -> FlowStart | None:
        if not await registration.start_gate(uow, actor):
            return None
        return FlowStart(COMPLAINT_FORM.name, {})

    async def my(uow: UnitOfWork, actor: Actor, _call: Invocation) -> None:
        await reports.my_complaints(uow, policy, actor)

    async def open_complaints(uow: UnitOfWork, actor: Actor, call: Invocation) -> None:
        await reports.open_complaints(uow, actor, actor.chat_id, group=call.group)

    return (
        Command("complain", complain, menu=True),
        Command("my", my, menu=True, section=True),
        Command("complaints", open_complaints, audience="staff", group=True),
        Command("callbacks", follow_up, audience="staff", group=True, section=True),
    )
