"""Release slips (放行条): booking in chat, the front desk's approval, the gate, the daily
reconciliation for the security manager."""

from __future__ import annotations

from conversations.feature import Command, Feature, FeatureContext
from conversations.slips.booking import booking_flow, staff_forms
from handlers import registration
from handlers.actor import Actor, FlowStart, Invocation
from handlers.messages import message, text
from handlers.reports.slips import slip_figures
from handlers.slips import approval, booking, gate, reconcile, views
from handlers.slips.common import (
    APPROVE,
    BOOK_FORM,
    CANCEL,
    CHECKED,
    EXPIRE,
    MISMATCH,
    MISMATCH_FORM,
    RECONCILE,
    RECONCILE_REMINDER,
    REJECT,
    REJECT_FORM,
    RELEASE,
    SLIPS,
    START_PREFIX,
)
from handlers.slips.policy import SlipPolicy, slip_policy
from storage.uow import UnitOfWork


def feature(context: FeatureContext) -> Feature:
    policy = slip_policy(context.config)

    async def schedule(uow: UnitOfWork) -> None:
        await reconcile.schedule_next(uow, policy)

    async def scanned(uow: UnitOfWork, actor: Actor, code: str) -> None:
        await gate.open_slip(uow, policy, actor, code, group=False)

    return Feature(
        name="slips",
        lifecycles=(SLIPS.lifecycle,),
        flows=(booking_flow(policy), *staff_forms(policy)),
        actions={
            APPROVE: approval.approve(policy),
            REJECT: approval.reject(policy),
            RELEASE: gate.release(policy),
            MISMATCH: gate.mismatch(policy),
            CANCEL: views.cancel(policy),
            CHECKED: reconcile.checked(policy),
        },
        forms=(BOOK_FORM, REJECT_FORM, MISMATCH_FORM),
        timers={
            EXPIRE: reconcile.expire(policy),
            RECONCILE: reconcile.reconcile(policy),
            RECONCILE_REMINDER: reconcile.remind(policy),
        },
        commands=_commands(policy),
        figures=(slip_figures(),),
        start_links={START_PREFIX: scanned},
        on_start=schedule,
    )


def _commands(policy: SlipPolicy) -> tuple[Command, ...]:
    async def release(uow: UnitOfWork, actor: Actor, _call: Invocation) -> FlowStart | None:
        if not await registration.start_gate(uow, actor):
            return None
        return FlowStart(BOOK_FORM.name, {"_homes": await booking.homes(uow, actor)})

    async def my(uow: UnitOfWork, actor: Actor, _call: Invocation) -> None:
        await views.my_slips(uow, actor)

    async def check(uow: UnitOfWork, actor: Actor, call: Invocation) -> None:
        if not call.args:
            await uow.outbox.send(
                actor.chat_id, message(text("slip.gate.how_to_check")), group=call.group
            )
            return
        code = call.args.split()[0].removeprefix(START_PREFIX)
        await gate.open_slip(uow, policy, actor, code, group=call.group)

    return (
        Command("release", release, menu=True),
        Command("my", my, menu=True, section=True),
        Command("check", check, audience="staff", group=True),
    )
