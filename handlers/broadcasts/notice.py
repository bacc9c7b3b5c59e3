"""`/broadcast`: a supervisor's or an admin's notice to residents or staff (the manual's notices
of works and events, holiday greetings), composed in a private form (its text, and a photo or
a file if wanted), previewed as it will be read, then sent by the broadcast engine with a
progress message.

The form only collects; who may send is checked again at submit, and the audience is worked out
again then, so someone who registered while the form was open gets the notice too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from handlers.actor import Actor
from handlers.broadcasts import engine
from handlers.config import EstateConfig
from handlers.forms import Answers, Hook, Outcome
from handlers.messages import MessageBody, TextBody, message, sent_document, text, verbatim
from handlers.roles import OVERSEEING_ROLES
from storage.uow import UnitOfWork

FORM = "broadcast"
AUDIENCES = "_audiences"
COUNT = "_recipients"


@dataclass(frozen=True)
class NoticePolicy:
    estate_name: str
    departments: tuple[tuple[str, str], ...]  # (key, name) in the config's order
    engine: engine.BroadcastPolicy


def notice_policy(config: EstateConfig) -> NoticePolicy:
    return NoticePolicy(
        config.estate.name,
        tuple((d.key, d.name) for d in config.departments),
        engine.BroadcastPolicy(),
    )


async def may_broadcast(uow: UnitOfWork, actor: Actor) -> bool:
    staff = await uow.people.staff_member(actor.user_id)
    return staff is not None and staff.role in OVERSEEING_ROLES


async def audiences(uow: UnitOfWork, policy: NoticePolicy) -> list[dict[str, Any]]:
    """What the sender may choose from: everyone, each building with registered residents,
    the units in arrears, each department's staff. Kept in the form's answers, so a choice
    means the same at submit as when it was shown."""
    found: list[dict[str, Any]] = [
        {"kind": "all", "arg": "", "label": text("broadcast.audience.everyone")}
    ]
    for building in await uow.broadcasts.buildings():
        label = text("broadcast.audience.building", building=verbatim(building))
        found.append({"kind": "building", "arg": building, "label": label})
    found.append({"kind": "arrears", "arg": "", "label": text("broadcast.audience.arrears")})
    for key, name in policy.departments:
        label = text("broadcast.audience.department", department=verbatim(name))
        found.append({"kind": "department", "arg": key, "label": label})
    return found


def chosen(answers: Answers) -> dict[str, Any] | None:
    """The audience the form's `audience` answer names (an index into the offered ones)."""
    value = str(answers.get("audience") or "")
    offered = answers.get(AUDIENCES) or []
    if not value.startswith("a") or not value[1:].isdigit() or int(value[1:]) >= len(offered):
        return None
    return dict(offered[int(value[1:])])


async def recipients(uow: UnitOfWork, audience: dict[str, Any]) -> list[int]:
    """The Telegram ids an audience names today."""
    kind, arg = audience.get("kind"), str(audience.get("arg") or "")
    if kind == "all":
        return await uow.broadcasts.residents()
    if kind == "building":
        return await uow.broadcasts.residents(building=arg)
    if kind == "arrears":
        return await uow.broadcasts.residents(unit_ids=await uow.arrears.owing_units())
    if kind == "department":
        return await uow.broadcasts.staff_of(arg)
    return []


def notice(policy: NoticePolicy, answers: Answers) -> MessageBody:
    """The notice as every recipient reads it (the heading in their language)."""
    attached: dict[str, str] = answers.get("attachment") or {}
    return message(
        text("broadcast.notice.heading", estate=verbatim(policy.estate_name)),
        verbatim(str(answers.get("text") or "")),
        photos=[attached["photo"]] if attached.get("photo") else None,
        document=sent_document(attached["document"]) if attached.get("document") else None,
    )


def preview(policy: NoticePolicy) -> Hook:
    """Once the audience is known (and again after each change): the notice exactly as it
    will be read, and how many it goes to."""

    async def hook(uow: UnitOfWork, actor: Actor, answers: Answers) -> Outcome | None:
        audience = chosen(answers)
        if audience is None:
            return None
        answers[COUNT] = len(await recipients(uow, audience))
        await uow.outbox.send(actor.chat_id, message(text("broadcast.preview")))
        await uow.outbox.send(actor.chat_id, notice(policy, answers))
        return None

    return hook


def summary(answers: Answers) -> list[TextBody]:
    audience = chosen(answers)
    label = audience["label"] if audience else verbatim("?")
    return [text("broadcast.summary", audience=label, recipients=int(answers.get(COUNT) or 0))]


def submit(policy: NoticePolicy) -> Hook:
    """Send it: the sender's role checked again, the audience worked out again."""

    async def hook(uow: UnitOfWork, actor: Actor, answers: Answers) -> Outcome | None:
        audience = chosen(answers)
        if not await may_broadcast(uow, actor) or audience is None:
            await uow.outbox.send(actor.chat_id, message(text("broadcast.not_allowed")))
            return None
        people = await recipients(uow, audience)
        if not people:
            await uow.outbox.send(actor.chat_id, message(text("broadcast.nobody")))
            return None
        await engine.start(
            uow,
            policy.engine,
            notice(policy, answers),
            people,
            audience={"kind": audience["kind"], "arg": audience["arg"]},
            created_by=actor.user_id,
            report_to=actor.chat_id,
        )
        return None

    return hook
