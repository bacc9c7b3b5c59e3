"""The front desk's lighter requests (an inquiry, a suggestion, a request for help): the form
`/record` hands over to once staff said what it is, how it came in and for whom
(conversations/behalf), the card's **Done** with its private form, their part of the front
desk's `/queue` and of a resident's `/my`, and their report section."""

from __future__ import annotations

from typing import Any

from conversations.feature import Command, Feature, FeatureContext
from conversations.steps import AskText, Confirm, Flow
from handlers import behalf
from handlers.actor import Actor, Invocation
from handlers.desk import record, views
from handlers.desk.common import (
    ANSWERED_AT_ONCE,
    DESK_REQUESTS,
    FINISH,
    FINISH_FORM,
    REQUEST_FORM,
)
from handlers.messages import TextBody, text, verbatim
from handlers.reports.desk import desk_figures
from storage.uow import UnitOfWork


def _answered_at_once(answers: dict[str, Any]) -> bool:
    return answers.get("kind") in ANSWERED_AT_ONCE


def _said(answers: dict[str, Any], name: str) -> TextBody:
    return verbatim(str(answers.get(name, "")))


def _request_summary(answers: dict[str, Any]) -> list[TextBody]:
    lines = [
        behalf.recorded_title(answers, str(answers.get("kind", ""))),
        text("desk.card.what", what=_said(answers, "what")),
    ]
    if _answered_at_once(answers):
        lines.append(text("desk.card.answer", answer=_said(answers, "answer")))
    return lines


REQUEST_FLOW = Flow(
    name=REQUEST_FORM.name,
    steps=(
        AskText(name="what", prompt=text("desk.ask_what"), max_length=2000),
        AskText(
            name="answer",
            prompt=text("desk.ask_answer"),
            max_length=2000,
            when=_answered_at_once,
        ),
        Confirm(name="confirm", prompt=text("desk.confirm"), editable=("what", "answer")),
    ),
    submit=record.submit,
    summary=_request_summary,
    cancelled=text("behalf.cancelled"),
    help=text("behalf.help"),
)

FINISH_FLOW = Flow(
    name=FINISH_FORM.name,
    steps=(
        AskText(name="done", prompt=text("desk.ask_done"), max_length=2000),
        Confirm(name="confirm", prompt=text("desk.confirm_done"), editable=("done",)),
    ),
    submit=record.finish,
    summary=lambda a: [
        text("desk.done_summary", number=str(a.get("number", ""))),
        _said(a, "done"),
    ],
    cancelled=text("desk.done_cancelled"),
    help=text("desk.done_help"),
)


async def _queue(uow: UnitOfWork, actor: Actor, _call: Invocation) -> None:
    await views.front_desk_queue(uow, actor.chat_id)


async def _my(uow: UnitOfWork, actor: Actor, _call: Invocation) -> None:
    await views.my_requests(uow, actor)


def feature(_context: FeatureContext) -> Feature:
    return Feature(
        name="desk",
        lifecycles=(DESK_REQUESTS.lifecycle,),
        flows=(REQUEST_FLOW, FINISH_FLOW),
        actions={FINISH: record.open_finish()},
        forms=(REQUEST_FORM, FINISH_FORM),
        figures=(desk_figures(),),
        commands=(  # the front desk's /queue: the repairs, then what it follows itself
            Command("queue", _queue, audience="staff", private=False, group=True, section=True),
            Command("my", _my, menu=True, section=True),
        ),
        on_blocked=DESK_REQUESTS.resident_unreachable,
    )
