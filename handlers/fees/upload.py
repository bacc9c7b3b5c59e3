"""Finance's arrears list sent to the bot as a file, in the finance group or privately.

Sent with the caption /arrears (in a group that is what lets the bot see a file at all, under
Telegram's privacy mode). The same import as `estate-bot arrears import` (the list replaces
the open balances, never duplicates one, settles what it no longer names), for offices where
nobody runs commands on the server. Only finance staff and supervisors may, where finance
works; anyone else who asks is told so. The report names the counts and every refused line,
so finance can fix the spreadsheet and send it again.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from handlers.actor import Actor, Invocation, Upload
from handlers.fees.arrears import import_arrears
from handlers.fees.files import ArrearsFile, read_arrears
from handlers.fees.policy import FeePolicy
from handlers.messages import TextBody, message, text, verbatim
from handlers.rejections import in_order, reason_of
from handlers.roles import FINANCE_ROLES
from handlers.roster_files import RosterFileError
from storage.uow import UnitOfWork

COMMAND = "/arrears"
"""The caption that sends a file to the import (in a group, what lets the bot see it)."""
SUFFIXES = frozenset({".csv", ".xlsx", ".xlsm", ".xls"})
SHOWN_REJECTED = 20
"""Refused lines listed in the reply; the rest are counted (a message has 4,096 characters)."""


def _read(name: str, data: bytes) -> ArrearsFile:
    """The file as the command line reads it: from disk, under its own name."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(name).name
        path.write_bytes(data)
        return read_arrears(path)


async def _finance_chat(uow: UnitOfWork, policy: FeePolicy, chat_id: int) -> bool:
    """Whether a group is where finance works: its department's, or the front desk's when
    finance has no group of its own."""
    finance = await uow.people.department(policy.department)
    works_in = finance.chat_id if finance is not None and finance.chat_id else None
    if works_in is None:
        front_desk = await uow.people.department("front_desk")
        works_in = front_desk.chat_id if front_desk is not None else None
    return works_in == chat_id


def arrears_upload(policy: FeePolicy) -> Callable[[UnitOfWork, Actor, Upload], Awaitable[bool]]:
    async def take(uow: UnitOfWork, actor: Actor, upload: Upload) -> bool:
        """Import the list if finance sent it where finance works; say what happened."""
        asked = (
            upload.caption.split(maxsplit=1)[0].split("@")[0] == COMMAND
            if upload.caption
            else False
        )
        if Path(upload.name).suffix.lower() not in SUFFIXES and not asked:
            return False
        staff = await uow.people.staff_member(actor.user_id)
        refused = staff is None or staff.role not in FINANCE_ROLES
        if not refused and upload.group:
            refused = not await _finance_chat(uow, policy, actor.chat_id)
        if refused:
            if asked:  # they meant it: say why nothing happened
                said = message(text("fee.upload.finance_only"))
                await uow.outbox.send(actor.chat_id, said, group=upload.group)
            return asked
        try:
            read = await asyncio.to_thread(_read, upload.name, await upload.read())
        except RosterFileError as exc:
            said = message(text("fee.upload.unreadable", reason=exc.reason))
            await uow.outbox.send(actor.chat_id, said, group=upload.group)
            return True
        report = await import_arrears(uow, read.rows)
        rejected = in_order(read.rejected, report.rejected)
        lines: list[TextBody] = [
            text(
                "fee.upload.done",
                name=verbatim(upload.name),
                created=report.created,
                updated=report.updated,
                unchanged=report.unchanged,
                settled=report.settled,
                rejected=len(rejected),
            )
        ]
        lines += [
            text("fee.upload.rejected", line=row.line, reason=reason_of(row))
            for row in rejected[:SHOWN_REJECTED]
        ]
        if len(rejected) > SHOWN_REJECTED:
            lines.append(text("fee.upload.more", more=len(rejected) - SHOWN_REJECTED))
        await uow.outbox.send(actor.chat_id, message(*lines), group=upload.group)
        return True

    return take


async def explain(uow: UnitOfWork, actor: Actor, call: Invocation) -> None:
    """/arrears on its own: how finance sends the list."""
    await uow.outbox.send(actor.chat_id, message(text("fee.upload.how")), group=call.group)
