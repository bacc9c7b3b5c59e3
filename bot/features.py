"""What the bot can do, assembled in one place from the estate config: flows, buttons, timers.

Each feature contributes its resident flows, the staff actions its buttons call (with the types
of their arguments, so callback data is validated before any handler runs) and its timer handlers.
The desk and the scheduler only look things up here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from bot.config import EstateConfig
from conversations.complaint import complaint_flows
from conversations.registration import NAME as REGISTRATION
from conversations.registration import registration_flow
from conversations.repair import repair_flow
from conversations.repair_done import repair_done_flow
from conversations.steps import Flow
from conversations.survey import SURVEY_COMMENT
from handlers import registration
from handlers.actor import Actor, FlowStart, TapAnswer
from handlers.complaints import common as cc
from handlers.complaints import followup, handling, intake, reports
from handlers.complaints.policy import ComplaintPolicy, Topic
from handlers.repairs import deadlines, report, signoff, views, work
from handlers.repairs.common import (
    ACCEPT_SLA,
    CONFIRM_TIMEOUT,
    SURVEY,
    WINDOW_END,
    resident_unreachable,
)
from handlers.repairs.policy import Category, RepairPolicy
from storage.models import Timer
from storage.uow import UnitOfWork

StaffAction = Callable[..., Awaitable[TapAnswer]]
Command = Callable[[UnitOfWork, Actor, bool], Awaitable[FlowStart | None]]
"""A slash command: (unit of work, who sent it, whether in a group) -> maybe a form to open."""
TimerHandler = Callable[[UnitOfWork, Timer], Awaitable[None]]


@dataclass(frozen=True)
class ActionSpec:
    """A button's server-side handler and the types of the arguments its data carries."""

    handler: StaffAction
    args: tuple[type, ...]


@dataclass(frozen=True)
class Features:
    flows: dict[str, Flow]
    actions: dict[str, ActionSpec]
    timers: dict[str, TimerHandler]
    repair_policy: RepairPolicy
    complaint_policy: ComplaintPolicy
    private_commands: dict[str, Command]
    group_commands: dict[str, Command]
    menu: frozenset[str]  # the private commands the resident menu's buttons may run
    on_blocked: Callable[[UnitOfWork, int], Awaitable[None]] = resident_unreachable

    @property
    def registration(self) -> Flow:
        return self.flows[REGISTRATION]

    @property
    def repair(self) -> Flow:
        return self.flows["repair"]

    @property
    def complaint(self) -> Flow:
        return self.flows["complaint"]

    async def on_start(self, uow: UnitOfWork) -> None:
        """Timers every estate always has pending (the monthly complaint summary)."""
        await reports.schedule_monthly(uow, self.complaint_policy)


def repair_policy(config: EstateConfig) -> RepairPolicy:
    timings = config.timings
    return RepairPolicy(
        timezone=config.estate.zone,
        calendar=config.calendar(),
        categories=tuple(
            Category(c.key, {"en": c.name_en, "zh_Hans": c.name_zh}, c.department)
            for c in config.repair_categories
        ),
        accept_urgent=timings.repair_accept_urgent,
        accept_normal=timings.repair_accept_normal,
        confirm_timeout=timings.repair_confirm_timeout,
        survey_delay=timings.repair_survey_delay,
    )


def complaint_policy(config: EstateConfig) -> ComplaintPolicy:
    timings = config.timings
    return ComplaintPolicy(
        timezone=config.estate.zone,
        calendar=config.calendar(),
        topics=tuple(
            Topic(t.key, {"en": t.name_en, "zh_Hans": t.name_zh}) for t in config.complaint_topics
        ),
        reply={
            "major": timings.complaint_reply_major,
            "important": timings.complaint_reply_important,
            "minor": timings.complaint_reply_minor,
        },
        resolve={
            "major": timings.complaint_resolve_major,
            "important": timings.complaint_resolve_important,
            "minor": timings.complaint_resolve_minor,
        },
        invalid_explain=timings.complaint_invalid_explain,
        callback=timings.complaint_callback,
        departments=tuple(
            (d.key, d.name) for d in config.departments if d.chat_id and d.key != "front_desk"
        ),
    )


def build_features(config: EstateConfig) -> Features:
    policy = repair_policy(config)
    complaints = complaint_policy(config)
    calendar = config.calendar()
    reminder = config.timings.registration_approval_reminder

    def reminder_due(requested: datetime) -> datetime:
        return calendar.add(requested, reminder)

    flows = [
        registration_flow(reminder_due),
        repair_flow(policy),
        repair_done_flow(policy),
        SURVEY_COMMENT,
        *complaint_flows(complaints),
    ]
    actions = {
        "reg.approve": ActionSpec(registration.approve, (int,)),
        "reg.reject": ActionSpec(registration.reject, (int,)),
        "rep.accept": ActionSpec(work.accept(policy), (int,)),
        "rep.handback": ActionSpec(work.hand_back(policy), (int,)),
        "rep.done": ActionSpec(work.done(policy), (int,)),
        "rep.fixed": ActionSpec(signoff.fixed(policy), (int,)),
        "rep.notfixed": ActionSpec(signoff.not_fixed(policy), (int,)),
        "rep.rate": ActionSpec(signoff.rate(policy), (int, int)),
        "cmp.triage": ActionSpec(handling.triage(complaints), (int, str)),
        "cmp.invalid": ActionSpec(handling.claim_invalid(complaints), (int,)),
        "cmp.reply": ActionSpec(
            handling.owner_form(handling.REPLY_FLOW, frozenset({"open", "resolved"})), (int,)
        ),
        "cmp.route": ActionSpec(
            handling.owner_form(handling.ROUTE_FLOW, frozenset({"open"})), (int,)
        ),
        "cmp.resolve": ActionSpec(
            handling.owner_form(handling.RESOLVE_FLOW, frozenset({"open"})), (int,)
        ),
        "cmp.info": ActionSpec(intake.offer_info, (int,)),
        "cmp.sat": ActionSpec(followup.survey_answer(complaints), (int, int)),
        "cmp.visit": ActionSpec(followup.offer_visit, (int,)),
    }
    timers: dict[str, TimerHandler] = {
        registration.REMINDER: registration.remind,
        ACCEPT_SLA: deadlines.accept_overdue(policy),
        WINDOW_END: deadlines.window_passed(policy),
        CONFIRM_TIMEOUT: signoff.confirm_timeout(policy),
        SURVEY: signoff.send_survey(policy),
        cc.REPLY_WARN: followup.deadline_near,
        cc.RESOLVE_WARN: followup.deadline_near,
        cc.REPLY_BREACH: followup.deadline_passed,
        cc.RESOLVE_BREACH: followup.deadline_passed,
        cc.EXPLAIN_BREACH: followup.deadline_passed,
        cc.SURVEY: followup.send_survey,
        cc.VISIT_REMINDER: followup.remind_visit,
        cc.MONTHLY: reports.monthly(complaints),
    }
    private, group = feature_commands(policy, complaints)
    return Features(
        {f.name: f for f in flows},
        actions,
        timers,
        policy,
        complaints,
        private,
        group,
        frozenset({"repair", "complain", "my"}),
    )


def feature_commands(
    repairs: RepairPolicy, complaints: ComplaintPolicy
) -> tuple[dict[str, Command], dict[str, Command]]:
    """The slash commands of repairs and complaints, for private chats and for staff groups."""

    async def repair(uow: UnitOfWork, actor: Actor, _group: bool) -> FlowStart | None:
        if not await report.start_gate(uow, actor):
            return None
        return FlowStart("repair", {"_homes": await report.homes(uow, actor)})

    async def complain(uow: UnitOfWork, actor: Actor, _group: bool) -> FlowStart | None:
        return FlowStart("complaint", {}) if await report.start_gate(uow, actor) else None

    async def my(uow: UnitOfWork, actor: Actor, _group: bool) -> None:
        await views.my_repairs(uow, repairs, actor)
        await reports.my_complaints(uow, complaints, actor)

    async def open_complaints(uow: UnitOfWork, actor: Actor, group: bool) -> None:
        await reports.open_complaints(uow, actor, actor.chat_id, group=group)

    async def summary(uow: UnitOfWork, actor: Actor, group: bool) -> None:
        await reports.on_demand(uow, complaints, actor, actor.chat_id, group=group)

    async def queue(uow: UnitOfWork, actor: Actor, _group: bool) -> None:
        await views.department_queue(uow, actor.chat_id)

    shared: dict[str, Command] = {"complaints": open_complaints, "summary": summary}
    private: dict[str, Command] = {"repair": repair, "complain": complain, "my": my, **shared}
    return private, {"queue": queue, **shared}
