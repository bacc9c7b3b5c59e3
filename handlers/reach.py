"""How to reach a person: the one place that decides, for every message to someone.

Telegram lets a bot write to a person only after they opened a private chat with it, and never
once they blocked it. A message that cannot go privately is not silently dropped (and not sent
anyway, which would mark a supervisor as "blocked" on the 403): it goes to the fallback the message
names, a department's group, headed with whom it was for, or a phone task for the front desk.

Replies to someone in the chat they are writing from need no decision and go straight to the
outbox; everything addressed to somebody else goes through `reach`.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.messages import MessageBody, TextBody, message, text, verbatim
from handlers.roles import MANAGEMENT_ROLES
from storage.models import TelegramUser, Ticket
from storage.uow import UnitOfWork


def can_message(account: TelegramUser | None) -> bool:
    return (
        account is not None and account.private_chat_at is not None and account.blocked_at is None
    )


@dataclass(frozen=True)
class Fallback:
    """Where a message goes when its person cannot be written to privately.

    `groups` are department keys tried in order (the first with a chat gets it); `instead`, if
    given, is what the group reads in place of the message (a phone task that names the person
    but, unlike the private message, carries nothing only they should see).
    """

    groups: tuple[str, ...] = ()
    instead: MessageBody | None = None


NOWHERE = Fallback()
FRONT_DESK = Fallback(("front_desk",))


async def reach(
    uow: UnitOfWork,
    user_id: int,
    body: MessageBody,
    fallback: Fallback = NOWHERE,
    *,
    urgent: bool = False,
) -> bool:
    """Send `body` to the person privately if the bot may; else to the fallback. True if sent
    privately."""
    if await reach_privately(uow, user_id, body, urgent=urgent) is not None:
        return True
    account = await uow.people.telegram_user(user_id)
    uow.events.record("reach.fallback", "user", user_id, actor=None, groups=list(fallback.groups))
    if not fallback.groups:
        return False
    said = fallback.instead
    if said is None:
        said = _headed(await _name_of(uow, user_id, account), body)
    await to_group(uow, fallback.groups, said, urgent=urgent)
    return False


async def reach_privately(
    uow: UnitOfWork, user_id: int, body: MessageBody, *, urgent: bool = False
) -> int | None:
    """Send `body` to the person privately if the bot may: the outbox id, to change the message
    later (take its buttons away once answered); None when the bot may not write to them."""
    if not can_message(await uow.people.telegram_user(user_id)):
        return None
    return await uow.outbox.send(user_id, body, urgent=urgent)


async def to_group(
    uow: UnitOfWork, departments: tuple[str, ...], body: MessageBody, *, urgent: bool = False
) -> bool:
    """Post to the first of `departments` that has a group chat; False if none has."""
    for key in departments:
        department = await uow.people.department(key)
        if department is not None and department.chat_id is not None:
            await uow.outbox.send(department.chat_id, body, group=True, urgent=urgent)
            return True
    return False


async def post_task(
    uow: UnitOfWork, ticket: Ticket, key: str, body: MessageBody, **noted: object
) -> None:
    """A task card for the front desk's group about `ticket` (a call to make): its outbox id is
    kept in the ticket's details under `key`, so whoever records the outcome edits the card in
    place; `noted` details are kept with it. Nothing when the estate has no front-desk group."""
    front_desk = await uow.people.department(FRONT_DESK.groups[0])
    if front_desk is None or front_desk.chat_id is None:
        return
    details = dict(ticket.details)
    details.update(noted)
    details[key] = await uow.outbox.send(front_desk.chat_id, body, group=True)
    ticket.details = details


async def alert_management(uow: UnitOfWork, body: MessageBody, *, urgent: bool = False) -> int:
    """Escalations: each supervisor privately, and the managers' group if there is one.

    When neither a supervisor nor a managers' group can be reached, the front-desk group must see
    it: an escalation nobody reads is worse than one read by the wrong desk. Returns how many
    chats were told.
    """
    told = 0
    for member in await uow.people.staff_with_roles(set(MANAGEMENT_ROLES)):
        if await reach(uow, member.telegram_user_id, body, NOWHERE, urgent=urgent):
            told += 1
    if await to_group(uow, ("managers",), body, urgent=urgent):
        told += 1
    if told == 0 and await to_group(uow, ("front_desk",), body, urgent=urgent):
        told += 1
    return told


async def _name_of(uow: UnitOfWork, user_id: int, account: TelegramUser | None) -> str:
    staff = await uow.people.staff_member(user_id)
    if staff is not None:
        return staff.name
    if account is not None:
        return " ".join(filter(None, (account.first_name, account.last_name))) or str(user_id)
    return str(user_id)


def _headed(name: str, body: MessageBody) -> MessageBody:
    """The message as a group reads it on someone's behalf: whom it was for, then the message."""
    header: TextBody = text("reach.for_person", name=verbatim(name))
    headed = message(header, *body.get("lines", []))
    for key in ("buttons", "photos"):
        if key in body:
            headed[key] = body[key]  # type: ignore[literal-required]
    return headed
