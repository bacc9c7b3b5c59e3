"""Broadcasts: `/broadcast` for supervisors and admins (compose, optional photo or file,
audience, preview, confirm), and the engine's feed timer that sends every campaign, notices
and reminders alike.

The form, as the sender fills it in:
1. The notice's text.
2. A photo or a file (a PDF, a scan), if any (Skip).
3. Who gets it: everyone, one building, the units in arrears, or one department's staff.
   The notice then comes back exactly as it will be read, with how many it goes to.
4. Send, change the text, attachment or audience, or cancel.
"""

from __future__ import annotations

from typing import Any

from conversations.feature import Command, Feature, FeatureContext
from conversations.steps import AskAttachment, AskChoice, AskText, Confirm, Flow, Option
from handlers.actor import Actor, FlowStart, Invocation
from handlers.broadcasts import engine, notice
from handlers.messages import message, text
from storage.uow import UnitOfWork


def _offered(answers: dict[str, Any]) -> list[Option]:
    return [
        Option(f"a{index}", audience["label"])
        for index, audience in enumerate(answers.get(notice.AUDIENCES) or [])
    ]


def broadcast_flow(policy: notice.NoticePolicy) -> Flow:
    preview = notice.preview(policy)
    return Flow(
        name=notice.FORM,
        steps=(
            AskText(
                name="text",
                prompt=text("broadcast.ask_text"),
                min_length=3,
                max_length=900,  # within a photo's 1024-character caption, with the heading
                then=preview,
            ),
            AskAttachment(name="attachment", prompt=text("broadcast.ask_attachment"), then=preview),
            AskChoice(
                name="audience",
                prompt=text("broadcast.ask_audience"),
                choices=_offered,
                then=preview,
            ),
            Confirm(
                name="confirm",
                prompt=text("broadcast.confirm"),
                editable=("text", "attachment", "audience"),
            ),
        ),
        submit=notice.submit(policy),
        summary=notice.summary,
        cancelled=text("broadcast.cancelled"),
        help=text("broadcast.help"),
    )


def feature(context: FeatureContext) -> Feature:
    policy = notice.notice_policy(context.config)

    async def broadcast(uow: UnitOfWork, actor: Actor, _call: Invocation) -> FlowStart | None:
        if not await notice.may_broadcast(uow, actor):
            await uow.outbox.send(actor.chat_id, message(text("broadcast.not_allowed")))
            return None
        return FlowStart(notice.FORM, {notice.AUDIENCES: await notice.audiences(uow, policy)})

    return Feature(
        name="broadcasts",
        flows=(broadcast_flow(policy),),
        timers={engine.FEED: engine.feed_timer(policy.engine)},
        commands=(Command("broadcast", broadcast, audience="staff"),),
        on_start=engine.resume(policy.engine),
    )
