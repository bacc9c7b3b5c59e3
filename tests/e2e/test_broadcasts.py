"""Broadcasts end to end: a supervisor's /broadcast reaches every resident once, the progress
message is edited as it goes, a 429 is waited out, a resident who blocked the bot is counted and
not written to again, and a bot killed -9 mid-campaign resumes with no duplicate and no gap."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime

from bot.sandbox import ApiCall, SandboxMessage, SandboxUser
from storage.models import Resident, TelegramUser, Unit

from .conftest import BotProcess, Estate, eventually, register_on_roster, start_staff

NOTICE = "The water is off on Thursday from 9:00 to 12:00."
COUNTS = re.compile(r"Sent: (\d+) · Failed: (\d+) · Blocked the bot: (\d+) · Remaining: (\d+)")


async def crowd(estate: Estate, count: int) -> list[SandboxUser]:
    """`count` residents of building 9 who registered and opened the private chat (written to
    the database as registration would have left them)."""
    people = [
        estate.sandbox.add_user(f"Resident{n}", last_name="Nine", language_code="en")
        for n in range(count)
    ]
    [(estate_id,)] = await estate.query("select id from estates")
    now = datetime.now(UTC)
    await estate.insert(
        TelegramUser.__table__,
        [
            {"id": p.id, "first_name": p.first_name, "private_chat_at": now, "created_at": now}
            for p in people
        ],
    )
    await estate.insert(
        Unit.__table__,
        [
            {"estate_id": estate_id, "building": "9", "entrance": "1", "room": str(100 + n)}
            for n in range(count)
        ],
    )
    units = dict(await estate.query("select room, id from units where building = '9'"))
    await estate.insert(
        Resident.__table__,
        [
            {
                "estate_id": estate_id,
                "unit_id": units[str(100 + n)],
                "name": p.full_name,
                "phone": f"+86139900{n:05d}",
                "telegram_user_id": p.id,
                "source": "roster",
                "verified_at": now,
                "created_at": now,
                "updated_at": now,
            }
            for n, p in enumerate(people)
        ],
    )
    return people


async def compose(estate: Estate, audience: str = "Everyone", attach: bytes | None = None) -> None:
    """Sun (a supervisor) writes the notice, skips the photo, picks the audience, checks the
    preview and submits."""
    sun = estate.sun
    await sun.send("/broadcast")
    await sun.wait_for_message(containing="Write the notice")
    await sun.send(NOTICE)
    ask = await sun.wait_for_message(containing="Add a photo")
    if attach is None:
        await sun.click("Skip", message=ask)
    else:
        await sun.send_document(attach, "schedule.pdf", mime_type="application/pdf")
    ask = await sun.wait_for_message(containing="Who should receive it")
    await sun.click(audience, message=ask)
    preview = await sun.wait_for_message(containing=NOTICE)
    assert preview.text == f"📢 Notice from Sunrise Gardens\n{NOTICE}"
    assert (preview.document is not None) == (attach is not None)
    confirm = await sun.wait_for_message(containing="Tap Submit")
    await sun.click("Submit", message=confirm)


def progress(estate: Estate) -> SandboxMessage:
    return next(m for m in estate.sun.messages if "📣 Broadcast #" in m.text)


def figures(text: str) -> tuple[int, int, int, int]:
    found = COUNTS.search(text)
    assert found, text
    sent, failed, blocked, remaining = (int(n) for n in found.groups())
    return sent, failed, blocked, remaining


async def finished(estate: Estate, number: int = 1, timeout: float = 60.0) -> str:  # noqa: ASYNC109
    """Wait for broadcast `number`'s final progress edit; its text."""

    async def done() -> str | None:
        found = [m for m in estate.sun.messages if f"📣 Broadcast #{number}:" in m.text]
        return found[0].text if found and "Finished." in found[0].text else None

    text = await eventually(done, timeout)
    assert isinstance(text, str)
    return text


def to(call: ApiCall) -> int:
    """The chat a call writes to (a form-encoded request carries it as text)."""
    return int(call.params["chat_id"])


def notices(person: SandboxUser) -> int:
    return sum(NOTICE in m.text for m in person.messages)


async def test_a_notice_reaches_everyone_once_and_the_progress_message_is_edited(
    estate: Estate, bot: BotProcess
):
    await start_staff(estate.sun)
    await register_on_roster(estate.alice)
    people = [estate.alice, *await crowd(estate, 150)]
    await compose(estate)
    final = await finished(estate)
    assert final.startswith("📣 Broadcast #1: 151 recipients")
    assert figures(final) == (151, 0, 0, 0)
    assert [notices(p) for p in people] == [1] * len(people)
    edits = [
        call
        for call in estate.sandbox.calls_to("editMessageText")
        if to(call) == estate.sun.id and "Broadcast #1" in call.params["text"]
    ]
    assert len(edits) >= 1  # spaced: at most one every few seconds, and the final one
    seen = [figures(call.params["text"]) for call in edits]
    assert all(sum(f) == 151 for f in seen), seen
    assert [f[0] for f in seen] == sorted(f[0] for f in seen)  # sent only grows
    assert notices(estate.sun) == 1  # his preview; staff are not residents


async def refused_during_a_campaign(estate: Estate, people: list[SandboxUser]) -> float:
    """Sun's notice to building 9, whose first sends went well and then one is answered 429
    with retry_after 2; returns when the 429 was answered, once the campaign is over."""
    sandbox = estate.sandbox
    await compose(estate, audience="Building 9")
    await eventually(lambda: asyncio.sleep(0, result=any(notices(p) for p in people)))
    sandbox.fail_next("sendMessage", status=429, retry_after=2)
    await finished(estate)
    refused = [c for c in sandbox.calls_to("sendMessage") if c.status == 429]
    assert len(refused) == 1
    return refused[0].received_at


async def test_a_429_is_waited_out_and_nobody_is_skipped_or_doubled(
    estate: Estate, bot: BotProcess
):
    await start_staff(estate.sun)
    people = await crowd(estate, 40)
    at = await refused_during_a_campaign(estate, people)
    refused = next(c for c in estate.sandbox.calls_to("sendMessage") if c.status == 429)
    retried = [
        c
        for c in estate.sandbox.calls_to("sendMessage")
        if to(c) == to(refused) and c.received_at > at
    ]
    assert len(retried) == 1 and retried[0].received_at - at >= 1.9
    assert [notices(p) for p in people] == [1] * len(people)


async def test_a_resident_who_blocked_the_bot_is_counted_and_skipped_next_time(
    estate: Estate, bot: BotProcess
):
    await start_staff(estate.sun)
    people = await crowd(estate, 5)
    carol = people[2]
    carol.block_bot(notify=False)  # the bot learns it from the 403
    await compose(estate, audience="Building 9")
    final = await finished(estate)
    assert figures(final) == (4, 0, 1, 0)
    assert await estate.query(
        "select status from broadcast_deliveries where user_id = :id", id=carol.id
    ) == [("blocked",)]
    assert await estate.query(
        "select count(*) from telegram_users where id = :id and blocked_at is not null",
        id=carol.id,
    ) == [(1,)]
    tried = len([c for c in estate.sandbox.calls_to("sendMessage") if to(c) == carol.id])
    await compose(estate, audience="Building 9")
    final = await finished(estate, number=2)
    assert figures(final) == (4, 0, 1, 0)
    again = [c for c in estate.sandbox.calls_to("sendMessage") if to(c) == carol.id]
    assert len(again) == tried  # not written to again
    assert [notices(p) for p in people] == [2, 2, 0, 2, 2]


async def test_killed_mid_campaign_it_resumes_with_no_duplicate_and_no_gap(
    estate: Estate, bot: BotProcess
):
    await start_staff(estate.sun)
    people = await crowd(estate, 150)
    sandbox = estate.sandbox
    await compose(estate, audience="Building 9")
    await eventually(lambda: asyncio.sleep(0, result=sum(map(notices, people)) >= 30), 30)
    sandbox.hold("sendMessage")
    await sandbox.wait_until(lambda: sandbox.held_count("sendMessage") >= 1)
    await asyncio.sleep(0.3)  # what was answered before the hold is settled
    await bot.kill()  # mid-campaign, with requests in flight that Telegram never carried out
    sandbox.release()
    before = sum(map(notices, people))
    assert 30 <= before < len(people)
    await bot.start()
    final = await finished(estate)
    assert figures(final) == (150, 0, 0, 0)
    assert [notices(p) for p in people] == [1] * len(people)
    assert await estate.query(
        "select status, count(*) from broadcast_deliveries group by status"
    ) == [("sent", 150)]


async def test_a_notice_with_a_file_reaches_each_resident_as_the_file_with_the_text(
    estate: Estate, bot: BotProcess
):
    await start_staff(estate.sun)
    people = await crowd(estate, 3)
    await compose(estate, audience="Building 9", attach=b"%PDF-1.4 works schedule")
    await finished(estate)
    for person in people:
        [received] = [m for m in person.messages if NOTICE in m.text]
        assert received.document is not None
        assert received.document["file_name"] == "schedule.pdf"
